/**
 * The watch cache (the apiserver's `watch_cache.go`): the Store the Cacher's reflector fills. It keeps the
 * current objects ordered by key (so LIST is ordered and continuable), an optional index on the trigger
 * field, and the cyclic event history that watches replay from.
 */
import type { Clock, KubeObject } from '@kubecache/apimachinery';
import { deepFreeze } from '@kubecache/apimachinery';
import type { ReflectorStore } from '@kubecache/cache';
import {
  type AttrsFunc,
  type ObjectAttrs,
  parseResourceVersion,
  tooLargeResourceVersionError,
} from '@kubecache/storage';
import { lowerBound, objectResourceVersion, prefixEnd, safeAttrs } from '@kubecache/storage/internal';
import { WatchCacheEvent } from './watch-cache-event.js';
import { WatchCacheHistory, type WatchCacheHistoryOptions } from './watch-cache-history.js';
import { HistoryInterval, SnapshotInterval, type WatchCacheInterval } from './watch-cache-interval.js';

/** One stored object with its precomputed attributes and memoized serialization. */
export class StoreElement<T extends KubeObject> {
  readonly key: string;
  readonly object: T;
  readonly attrs: ObjectAttrs | undefined;
  #json: string | undefined;
  #initial: WatchCacheEvent<T> | undefined;

  constructor(key: string, object: T, attrs: ObjectAttrs | undefined) {
    this.key = key;
    this.object = object;
    this.attrs = attrs;
  }

  /** The object's JSON, serialized once (LIST reuses it). */
  json(encode: (obj: T) => string): string {
    this.#json ??= encode(this.object);
    return this.#json;
  }

  /** The object as an initial ADDED event, shared by every watcher that starts with it. */
  initialEvent(): WatchCacheEvent<T> {
    this.#initial ??= new WatchCacheEvent<T>({
      type: 'ADDED',
      key: this.key,
      object: this.object,
      attrs: this.attrs,
      prevObject: undefined,
      prevAttrs: undefined,
      resourceVersion: Number(this.object.metadata?.resourceVersion ?? 0),
      recordTime: 0,
    });
    return this.#initial;
  }
}

/** Options of {@link WatchCache}. */
export interface WatchCacheOptions<T extends KubeObject> extends WatchCacheHistoryOptions {
  /** Storage key of an object (e.g. `/pods/ns/name`); throws for objects it cannot key. */
  keyFunc: (obj: T) => string;
  /** Labels and fields of an object, computed once per change. */
  getAttrs: AttrsFunc<T>;
  /** Source of time (event record times, the freshness timeout). */
  clock: Clock;
  /** Value of the trigger field of an object, to index by it. Default: no index. */
  triggerValue?: (obj: T) => string;
  /** How long `waitUntilFresh` waits before 504, in ms. Default 3000. */
  blockTimeoutMs?: number;
  /** Called after every change is applied. */
  onEvent?: (event: WatchCacheEvent<T>) => void;
  /** Called after every replace (relist). */
  onReplace?: () => void;
  /** Called when a bookmark advances the cache RV. */
  onBookmark?: (rv: number) => void;
}

interface Waiter {
  rv: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The Cacher's store. A `ReflectorStore`: add/update/delete record a history event then update the
 * store; replace resets both. Invalid input (no key, unparsable RV) throws and changes nothing.
 */
export class WatchCache<T extends KubeObject> implements ReflectorStore<T> {
  readonly history: WatchCacheHistory<T>;
  readonly #o: WatchCacheOptions<T>;
  #store = new Map<string, StoreElement<T>>();
  #sorted: Sorted<T> | undefined = { keys: [], elements: [] };
  #index = new Map<string, Set<string>>();
  #rv = 0;
  #listRV = 0;
  #waiters: Waiter[] = [];

  constructor(options: WatchCacheOptions<T>) {
    this.#o = options;
    this.history = new WatchCacheHistory<T>(options);
  }

  /** The RV the cache has reached (last event, replace or bookmark). */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** The RV of the last replace. */
  get listResourceVersion(): number {
    return this.#listRV;
  }

  get size(): number {
    return this.#store.size;
  }

  add(obj: T): void {
    this.#process('ADDED', obj);
  }

  update(obj: T): void {
    this.#process('MODIFIED', obj);
  }

  delete(obj: T): void {
    this.#process('DELETED', obj);
  }

  resync(): void {}

  replace(list: readonly T[], resourceVersion: string): void {
    const rv = parseResourceVersion(resourceVersion);
    const elements = list.map((obj) => this.#element(obj));
    this.history.reset();
    this.#store = new Map(elements.map((e) => [e.key, e]));
    this.#sorted = undefined;
    this.#index = new Map();
    for (const e of elements) this.#indexAdd(e);
    this.#listRV = rv;
    this.#rv = rv;
    this.#o.onReplace?.();
    this.#wake();
  }

  bookmark(resourceVersion: string): void {
    const rv = parseResourceVersion(resourceVersion);
    if (rv <= this.#rv) return;
    this.#rv = rv;
    this.#wake();
    this.#o.onBookmark?.(rv);
  }

  lastStoreSyncResourceVersion(): string {
    return this.#rv === 0 ? '' : String(this.#rv);
  }

  /** The element under `key`. */
  getByKey(key: string): StoreElement<T> | undefined {
    return this.#store.get(key);
  }

  /**
   * The elements whose key starts with `prefix` (from `fromKey`, inclusive) are `elements[start..end)`,
   * in key order. The array is shared: read it before the next write.
   */
  range(prefix: string, fromKey = ''): { elements: readonly StoreElement<T>[]; start: number; end: number } {
    const { keys, elements } = this.#ordered();
    const start = lowerBound(keys, fromKey > prefix ? fromKey : prefix);
    const end = Math.max(start, lowerBound(keys, prefixEnd(prefix)));
    return { elements, start, end };
  }

  /** Elements whose trigger value is `value`, in key order (needs `triggerValue`). */
  byTrigger(value: string): StoreElement<T>[] {
    const keys = [...(this.#index.get(value) ?? [])].sort();
    return keys.map((k) => this.#store.get(k) as StoreElement<T>);
  }

  /** The events after `rv` (410 when too old). */
  historyInterval(rv: number): WatchCacheInterval<T> {
    const start = this.history.indexAfter(rv, this.#listRV);
    return new HistoryInterval(this.history, start, this.history.end);
  }

  /** The current objects under `prefix` as ADDED events, in key order. */
  snapshotInterval(prefix: string): WatchCacheInterval<T> {
    const events: WatchCacheEvent<T>[] = [];
    const { elements, start, end } = this.range(prefix);
    for (let i = start; i < end; i++) events.push((elements[i] as StoreElement<T>).initialEvent());
    return new SnapshotInterval(events);
  }

  /**
   * Resolves once the cache has reached `rv` (at once for 0); rejects after `blockTimeout` with the 504
   * `Too large resource version` (Retry-After 1).
   */
  waitUntilFresh(rv: number): Promise<void> {
    if (rv === 0 || rv <= this.#rv) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const { clock } = this.#o;
      const timer = clock.setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(tooLargeResourceVersionError(rv, this.#rv, 1));
      }, this.#o.blockTimeoutMs ?? 3000);
      const waiter: Waiter = {
        rv,
        resolve: () => {
          clock.clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clock.clearTimeout(timer);
          reject(err);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Rejects every pending `waitUntilFresh` with `err` and releases its timer (the Cacher stopping). */
  cancelWaiters(err: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
  }

  /** Whether something waits for freshness. */
  hasWaiters(): boolean {
    return this.#waiters.length > 0;
  }

  #process(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const element = this.#element(obj);
    const rv = objectResourceVersion(obj);
    const prev = this.#store.get(element.key);
    const event = new WatchCacheEvent<T>({
      type,
      key: element.key,
      object: element.object,
      attrs: element.attrs,
      prevObject: prev?.object,
      prevAttrs: prev?.attrs,
      resourceVersion: rv,
      recordTime: this.#o.clock.now(),
    });
    this.history.insert(event);
    if (rv > this.#rv) this.#rv = rv;
    if (prev) this.#indexRemove(prev);
    if (type === 'DELETED') this.#remove(element.key);
    else this.#set(element, prev === undefined);
    this.#wake();
    this.#o.onEvent?.(event);
  }

  #element(obj: T): StoreElement<T> {
    const key = this.#o.keyFunc(obj);
    objectResourceVersion(obj);
    return new StoreElement(key, deepFreeze(obj), safeAttrs(this.#o.getAttrs, obj));
  }

  #set(element: StoreElement<T>, isNew: boolean): void {
    this.#store.set(element.key, element);
    if (isNew) this.#sorted = undefined;
    else if (this.#sorted) this.#sorted.elements[lowerBound(this.#sorted.keys, element.key)] = element;
    this.#indexAdd(element);
  }

  #remove(key: string): void {
    if (this.#store.delete(key)) this.#sorted = undefined;
  }

  #indexAdd(e: StoreElement<T>): void {
    const value = this.#trigger(e.object);
    if (value === undefined) return;
    const keys = this.#index.get(value);
    if (keys) keys.add(e.key);
    else this.#index.set(value, new Set([e.key]));
  }

  #indexRemove(e: StoreElement<T>): void {
    const value = this.#trigger(e.object);
    if (value === undefined) return;
    const keys = this.#index.get(value);
    keys?.delete(e.key);
    if (keys?.size === 0) this.#index.delete(value);
  }

  #trigger(obj: T): string | undefined {
    if (!this.#o.triggerValue) return undefined;
    try {
      return this.#o.triggerValue(obj);
    } catch {
      return undefined;
    }
  }

  #ordered(): Sorted<T> {
    if (!this.#sorted) {
      const keys = [...this.#store.keys()].sort();
      this.#sorted = { keys, elements: keys.map((k) => this.#store.get(k) as StoreElement<T>) };
    }
    return this.#sorted;
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => w.rv <= this.#rv);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.rv > this.#rv);
    for (const w of ready) w.resolve();
  }
}

/** Keys and elements in key order, rebuilt after a key is added or removed. */
interface Sorted<T extends KubeObject> {
  keys: string[];
  elements: StoreElement<T>[];
}
