/**
 * A Store whose entries expire (client-go's `ExpirationCache` and TTL store). Each entry remembers when it
 * was written; an {@link ExpirationPolicy} decides on every read whether it is still good.
 */
import { type Clock, deepFreeze, realClock } from '@kubecache/apimachinery';
import { deletionHandlingMetaNamespaceKeyFunc, type KeyFunc, keyOf } from './keys.js';
import type { Store } from './store.js';

/** A stored object with the time it was written and its key. */
export interface TimestampedEntry<T> {
  readonly obj: T;
  /** When the object was added, updated or replaced, in clock milliseconds. */
  readonly timestamp: number;
  readonly key: string;
}

/** Decides whether an entry has expired. Called on reads; must not throw. */
export interface ExpirationPolicy<T> {
  isExpired(entry: TimestampedEntry<T>): boolean;
}

/** Options of {@link TTLPolicy}. */
export interface TTLPolicyOptions {
  /** How long an entry lives, in milliseconds. `0` or less: entries never expire. Required. */
  ttlMs: number;
  /** The time source. Default `realClock`. */
  clock?: Clock;
}

/**
 * Expires an entry once strictly more than `ttlMs` milliseconds have passed since it was written: an entry
 * exactly `ttlMs` old is still good. A `ttlMs` of 0 or less never expires anything.
 *
 * @example
 * const policy = new TTLPolicy({ ttlMs: 30_000, clock });
 */
export class TTLPolicy<T = unknown> implements ExpirationPolicy<T> {
  /** The time to live in milliseconds. */
  readonly ttlMs: number;
  readonly #clock: Clock;

  constructor(options: TTLPolicyOptions) {
    this.ttlMs = options.ttlMs;
    this.#clock = options.clock ?? realClock;
  }

  isExpired(entry: TimestampedEntry<T>): boolean {
    return this.ttlMs > 0 && this.#clock.now() - entry.timestamp > this.ttlMs;
  }
}

/** Options of {@link ExpirationCache}. */
export interface ExpirationCacheOptions<T> {
  /** Names objects. Default `deletionHandlingMetaNamespaceKeyFunc`. */
  keyFunc?: KeyFunc<T>;
  /** Decides expiry. Default a {@link TTLPolicy} with `ttlMs` and `clock`. */
  policy?: ExpirationPolicy<T>;
  /** Time to live in milliseconds for the default policy; ignored when `policy` is given. Default 0 (never). */
  ttlMs?: number;
  /** Stamps entries (and drives the default policy). Default `realClock`. */
  clock?: Clock;
  /** Deep-freeze stored objects. Default `true`. */
  freeze?: boolean;
  /** Called when a read finds an entry expired and deletes it (not for explicit deletes). Default none. */
  onExpire?: (key: string, obj: T) => void;
}

/**
 * A Store whose entries expire lazily.
 *
 * Contract:
 * - `add` and `update` stamp the entry with the clock's `now()`; `update` refreshes the stamp. `replace`
 *   stamps every item with one `now()`, and is all-or-nothing on key errors.
 * - Expiry happens on reads only: `get`, `getByKey` and `list` drop expired entries (calling `onExpire`)
 *   and do not return them. `listKeys` does not check expiry and may list expired keys.
 * - `delete` removes at once; `resync` does nothing.
 *
 * Use it for short-lived memory of things the API server will not tell you again, such as expectations of
 * a controller's own writes.
 *
 * @example
 * const cache = new ExpirationCache<Pod>({ ttlMs: 60_000 });
 * cache.add(pod);
 * cache.getByKey('default/web'); // the pod, for the next minute
 */
export class ExpirationCache<T> implements Store<T> {
  readonly #keyFunc: KeyFunc<T>;
  readonly #policy: ExpirationPolicy<T>;
  readonly #clock: Clock;
  readonly #freeze: boolean;
  readonly #onExpire: ((key: string, obj: T) => void) | undefined;
  #entries = new Map<string, TimestampedEntry<T>>();
  #rv = '';

  constructor(options: ExpirationCacheOptions<T> = {}) {
    this.#keyFunc = options.keyFunc ?? deletionHandlingMetaNamespaceKeyFunc;
    this.#clock = options.clock ?? realClock;
    this.#policy = options.policy ?? new TTLPolicy<T>({ ttlMs: options.ttlMs ?? 0, clock: this.#clock });
    this.#freeze = options.freeze ?? true;
    this.#onExpire = options.onExpire;
  }

  add(obj: T): void {
    const key = this.#keyOf(obj);
    this.#entries.set(key, this.#entry(key, obj, this.#clock.now()));
  }

  /** Same as {@link add}: stores `obj` and restarts its lifetime. */
  update(obj: T): void {
    this.add(obj);
  }

  /** Removes `obj`'s key and records `obj`'s resource version (the object itself, unlike adds, is not wrapped). */
  delete(obj: T): void {
    this.#entries.delete(this.#keyOf(obj));
    const meta = typeof obj === 'object' && obj !== null ? (obj as { metadata?: unknown }).metadata : undefined;
    if (typeof meta !== 'object' || meta === null) return;
    const rv = (meta as { resourceVersion?: unknown }).resourceVersion;
    this.#rv = typeof rv === 'string' ? rv : '';
  }

  list(): T[] {
    const out: T[] = [];
    for (const entry of this.#entries.values()) {
      if (!this.#expire(entry)) out.push(entry.obj);
    }
    return out;
  }

  /** Every key, expired or not (expiry is only checked by reads of objects). */
  listKeys(): string[] {
    return Array.from(this.#entries.keys());
  }

  get(obj: T): T | undefined {
    return this.getByKey(this.#keyOf(obj));
  }

  getByKey(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || this.#expire(entry)) return undefined;
    return entry.obj;
  }

  replace(list: readonly T[], resourceVersion: string): void {
    const keys = list.map((obj) => this.#keyOf(obj));
    const now = this.#clock.now();
    const entries = new Map<string, TimestampedEntry<T>>();
    list.forEach((obj, i) => {
      const key = keys[i] as string;
      entries.set(key, this.#entry(key, obj, now));
    });
    this.#entries = entries;
    this.#rv = resourceVersion;
  }

  /** A no-op. */
  resync(): void {}

  /** Records a resource version reached without a change of contents (a watch bookmark). */
  bookmark(resourceVersion: string): void {
    this.#rv = resourceVersion;
  }

  /**
   * The version of the last `replace`, `bookmark` or `delete`; `''` before any. Adds leave it alone: the
   * inner store of client-go's cache holds timestamped wrappers, which carry no resource version, while a
   * delete hands the inner store the object itself.
   */
  lastStoreSyncResourceVersion(): string {
    return this.#rv;
  }

  #entry(key: string, obj: T, timestamp: number): TimestampedEntry<T> {
    return Object.freeze({ obj: this.#freeze ? deepFreeze(obj) : obj, timestamp, key });
  }

  /** Deletes `entry` if the policy says it has expired; returns whether it did. */
  #expire(entry: TimestampedEntry<T>): boolean {
    if (!this.#policy.isExpired(entry)) return false;
    this.#entries.delete(entry.key);
    this.#onExpire?.(entry.key, entry.obj);
    return true;
  }

  #keyOf(obj: T): string {
    return keyOf(this.#keyFunc, obj);
  }
}
