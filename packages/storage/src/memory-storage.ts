/**
 * MemoryStorage: the embedded storage backend. An MVCC map with one global revision, a bounded history of
 * changes and compaction, behaving like the apiserver's etcd3 store (same RV rules, same errors).
 */

import type { KubeObject } from '@kubecache/apimachinery';
import {
  badRequestError,
  type Clock,
  deepFreeze,
  expiredError,
  INITIAL_EVENTS_END_ANNOTATION,
  realClock,
  type StatusError,
  type TimerHandle,
} from '@kubecache/apimachinery';
import { Observable, type Subscriber } from 'rxjs';
import { decodeContinue, encodeContinue } from './continue.js';
import {
  checkPreconditions,
  continueExpiredError,
  LIST_TOO_OLD_MESSAGE,
  nameRequiredError,
  StorageError,
  tooLargeResourceVersionError,
  WATCH_TOO_OLD_MESSAGE,
} from './errors.js';
import type {
  CreateOptions,
  DeleteOptions,
  GetOptions,
  GuaranteedUpdateOptions,
  Storage,
  StorageEvent,
  StorageList,
  StorageListOptions,
} from './interfaces.js';
import { checkObjectMatchesKey, prepareKey } from './keys.js';
import { pageOf } from './memory-list.js';
import {
  deliverEntry,
  type HistoryEntry,
  type KeyValue,
  type MemoryWatcher,
  MemoryWatchHub,
} from './memory-watchers.js';
import { matchesObject } from './predicate.js';
import { StoreHistory } from './store-history.js';
import { encodeForStorage, parseResourceVersion, withResourceVersion } from './versioner.js';

/** Options of {@link MemoryStorage}. */
export interface MemoryStorageOptions<T extends KubeObject> {
  /** Changes kept for watches and old reads; older ones are compacted. Count. Default 10 000. */
  historySize?: number;
  /** Keys must start with this prefix (e.g. `/pods`). Default `''` (any). */
  resourcePrefix?: string;
  /** An empty object of the resource, for bookmarks. Default `{ metadata: {} }`. */
  newObject?: () => T;
  /** Refuse to create objects without `metadata.name` (422). Default `true`. */
  requireName?: boolean;
  /** Source of time for TTLs. Default the real clock. */
  clock?: Clock;
}

/**
 * The in-memory {@link Storage}. Single-process and synchronous underneath; methods are async only to
 * share the contract with etcd.
 *
 * @example
 * const storage = new MemoryStorage<Pod>({ resourcePrefix: '/pods' });
 * const created = await storage.create('/pods/default/web', pod);
 * storage.watch('/pods', { recursive: true, resourceVersion: created.metadata!.resourceVersion }).subscribe(...);
 */
export class MemoryStorage<T extends KubeObject = KubeObject> implements Storage<T> {
  readonly supportsRequestWatchProgress = true;
  readonly #kvs = new Map<string, KeyValue<T>>();
  #sortedKeys: string[] | undefined = [];
  readonly #history: StoreHistory<T>;
  readonly #hub = new MemoryWatchHub<T>();
  readonly #prefix: string;
  readonly #newObject: () => T;
  readonly #requireName: boolean;
  readonly #clock: Clock;
  readonly #leases = new Map<string, TimerHandle>();
  #revision = 1;

  constructor(options: MemoryStorageOptions<T> = {}) {
    this.#history = new StoreHistory<T>(options.historySize ?? 10_000);
    this.#prefix = options.resourcePrefix ?? '';
    this.#newObject = options.newObject ?? (() => ({ metadata: {} }) as T);
    this.#requireName = options.requireName ?? true;
    this.#clock = options.clock ?? realClock;
  }

  async create(key: string, obj: T, options: CreateOptions = {}): Promise<T> {
    const k = prepareKey(key, false, this.#prefix);
    if (obj.metadata?.resourceVersion) {
      throw new StorageError('InvalidObj', k, 0, 'resourceVersion should not be set on objects to be created');
    }
    if (this.#requireName && !obj.metadata?.name) throw nameRequiredError(obj.kind ?? 'Object');
    checkObjectMatchesKey(k, obj);
    const json = encode(k, obj);
    if (this.#kvs.has(k)) throw new StorageError('KeyExists', k, 0);
    const created = this.#put(k, json, undefined);
    if (options.ttlSeconds !== undefined && options.ttlSeconds > 0) this.#lease(k, options.ttlSeconds);
    return created.value;
  }

  async delete(key: string, options: DeleteOptions<T> = {}): Promise<T> {
    const k = prepareKey(key, false, this.#prefix);
    let state = options.cachedExistingObject ? this.#fromCached(k, options.cachedExistingObject) : this.#mustGet(k);
    let fromCache = options.cachedExistingObject !== undefined;
    for (;;) {
      try {
        checkPreconditions(k, options.preconditions, state.value);
        await options.validateDeletion?.(state.value);
      } catch (err) {
        if (!fromCache) throw err;
        const fresh = this.#mustGet(k);
        if (fresh.modRevision === state.modRevision) throw err;
        [state, fromCache] = [fresh, false];
        continue;
      }
      const current = this.#mustGet(k);
      if (current.modRevision !== state.modRevision) {
        [state, fromCache] = [current, false];
        continue;
      }
      return this.#remove(k, current);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<T | undefined> {
    const k = prepareKey(key, false, this.#prefix);
    const rv = parseResourceVersion(options.resourceVersion);
    if (rv > this.#revision) throw tooLargeResourceVersionError(rv, this.#revision, 0);
    const kv = this.#kvs.get(k);
    if (kv) return kv.value;
    if (options.ignoreNotFound) return undefined;
    throw new StorageError('KeyNotFound', k, this.#revision);
  }

  async getList(key: string, options: StorageListOptions<T> = {}): Promise<StorageList<T>> {
    const recursive = options.recursive ?? false;
    const prefix = prepareKey(key, recursive, this.#prefix);
    const read = this.#listRevision(prefix, recursive, options);
    const state = read.revision === this.#revision ? this.#kvs : this.#history.stateAt(this.#kvs, read.revision);
    const pred = options.predicate;
    if (!recursive) {
      const kv = state.get(prefix);
      const items = kv && matchesObject(pred, kv.value) ? [kv.value] : [];
      return { metadata: { resourceVersion: String(read.revision) }, items };
    }
    const keys = state === this.#kvs ? this.#keys() : [...state.keys()].sort();
    return pageOf(state, keys, prefix, read.fromKey, read.revision, pred?.limit ?? 0, pred);
  }

  async guaranteedUpdate(key: string, options: GuaranteedUpdateOptions<T>): Promise<T> {
    const k = prepareKey(key, false, this.#prefix);
    const cached = options.cachedExistingObject;
    let state = cached ? this.#fromCached(k, cached) : this.#getOrMissing(k, options.ignoreNotFound ?? false);
    let fromCache = cached !== undefined;
    for (;;) {
      let json: string;
      let updated: T;
      try {
        if (state) checkPreconditions(k, options.preconditions, state.value);
        updated = await options.tryUpdate(state?.value, { resourceVersion: state?.modRevision ?? 0 });
        json = encode(k, updated);
      } catch (err) {
        if (!fromCache) throw err;
        const fresh = this.#getOrMissing(k, options.ignoreNotFound ?? false);
        if (fresh?.modRevision === state?.modRevision) throw err;
        [state, fromCache] = [fresh, false];
        continue;
      }
      const current = this.#getOrMissing(k, options.ignoreNotFound ?? false);
      if (current?.modRevision !== state?.modRevision) {
        [state, fromCache] = [current, false];
        continue;
      }
      if (state && state.json === json) return state.value;
      if (this.#requireName && !updated.metadata?.name) throw nameRequiredError(updated.kind ?? 'Object');
      checkObjectMatchesKey(k, updated);
      return this.#put(k, json, state).value;
    }
  }

  watch(key: string, options: StorageListOptions<T> = {}): Observable<StorageEvent<T>> {
    return new Observable<StorageEvent<T>>((subscriber) => {
      const recursive = options.recursive ?? false;
      const rv = parseResourceVersion(options.resourceVersion);
      const w: MemoryWatcher<T> = {
        key: prepareKey(key, recursive, this.#prefix),
        recursive,
        predicate: options.predicate,
        progressNotify: options.progressNotify ?? false,
        subscriber,
        lastRevision: 0,
      };
      if (!this.#startWatch(w, rv, options)) return undefined;
      this.#hub.add(w);
      return () => this.#hub.remove(w);
    });
  }

  async count(key: string): Promise<number> {
    const prefix = prepareKey(key, true, this.#prefix);
    let n = 0;
    for (const k of this.#kvs.keys()) if (k.startsWith(prefix)) n++;
    return n;
  }

  async getCurrentResourceVersion(): Promise<number> {
    return this.#revision;
  }

  async requestWatchProgress(): Promise<void> {
    this.#hub.progress(this.#revision, this.#bookmark(this.#revision));
  }

  compactRevision(): number {
    return this.#history.compacted;
  }

  /** Drops history below `revision` (≤ current): older reads and watches get 410 Expired, like etcd. */
  compact(revision: number): void {
    this.#history.compact(Math.min(revision, this.#revision));
  }

  /**
   * Releases every pending TTL timer (the objects then stay until deleted). Call it when done with the
   * storage; TTL timers never keep the process alive anyway (real-clock timers are unref'd).
   */
  close(): void {
    for (const timer of this.#leases.values()) this.#clock.clearTimeout(timer);
    this.#leases.clear();
  }

  /** Open watches (tests: a stopped consumer must leave none). */
  get watcherCount(): number {
    return this.#hub.size;
  }

  /** The current revision, synchronously (tests and benchmarks). */
  get revision(): number {
    return this.#revision;
  }

  #startWatch(w: MemoryWatcher<T>, rv: number, options: StorageListOptions<T>): boolean {
    const sub = w.subscriber;
    const initial = options.sendInitialEvents ?? rv === 0;
    if (initial) {
      if (rv > this.#revision) return this.#fail(sub, tooLargeResourceVersionError(rv, this.#revision, 1));
      this.#sync(w);
      if (options.sendInitialEvents && options.allowWatchBookmarks) {
        const bookmark = this.#bookmark(this.#revision, true);
        sub.next({ type: 'BOOKMARK', object: bookmark });
      }
      return true;
    }
    if (rv === 0) {
      w.lastRevision = this.#revision;
      return true;
    }
    if (rv + 1 < this.#history.compacted) return this.#fail(sub, expiredError(WATCH_TOO_OLD_MESSAGE));
    w.lastRevision = rv;
    for (const entry of this.#history.since(rv)) deliverEntry(w, entry);
    w.lastRevision = Math.max(w.lastRevision, rv);
    return true;
  }

  #sync(w: MemoryWatcher<T>): void {
    for (const k of this.#keys()) {
      if (w.recursive ? !k.startsWith(w.key) : k !== w.key) continue;
      const kv = this.#kvs.get(k) as KeyValue<T>;
      if (matchesObject(w.predicate, kv.value)) w.subscriber.next({ type: 'ADDED', object: kv.value });
    }
    w.lastRevision = this.#revision;
  }

  #fail(sub: Subscriber<StorageEvent<T>>, err: StatusError): false {
    sub.next({ type: 'ERROR', object: err.status });
    sub.complete();
    return false;
  }

  #bookmark(revision: number, initialEventsEnd = false): T {
    const obj = this.#newObject();
    const metadata = { ...obj.metadata, resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
    return deepFreeze({ ...obj, metadata });
  }

  #listRevision(prefix: string, recursive: boolean, options: StorageListOptions<T>) {
    const pred = options.predicate;
    const rv = parseResourceVersion(options.resourceVersion);
    let fromKey = prefix;
    let exact = 0;
    let continued = false;
    if (pred?.continue) {
      if (rv !== 0) throw badRequestError('specifying resource version is not allowed when using continue');
      const pos = decodeContinue(pred.continue, prefix);
      [fromKey, exact, continued] = [pos.fromKey, Math.max(pos.resourceVersion, 0), true];
    } else if (options.resourceVersionMatch === 'Exact') {
      exact = rv;
    } else if (options.resourceVersionMatch === undefined && recursive && (pred?.limit ?? 0) > 0) {
      exact = rv;
    }
    const wanted = exact || rv;
    if (wanted > this.#revision) throw tooLargeResourceVersionError(wanted, this.#revision, 0);
    if (exact > 0 && exact < this.#history.compacted) {
      if (continued) throw continueExpiredError(encodeContinue(fromKey, prefix, -1));
      throw expiredError(LIST_TOO_OLD_MESSAGE);
    }
    return { fromKey, revision: exact || this.#revision };
  }

  #keys(): string[] {
    this.#sortedKeys ??= [...this.#kvs.keys()].sort();
    return this.#sortedKeys;
  }

  #mustGet(k: string): KeyValue<T> {
    const kv = this.#kvs.get(k);
    if (!kv) throw new StorageError('KeyNotFound', k, this.#revision);
    return kv;
  }

  #getOrMissing(k: string, ignoreNotFound: boolean): KeyValue<T> | undefined {
    return ignoreNotFound ? this.#kvs.get(k) : this.#mustGet(k);
  }

  #fromCached(k: string, obj: T): KeyValue<T> {
    const rv = parseResourceVersion(obj.metadata?.resourceVersion);
    return { value: obj, json: encode(k, obj), createRevision: 0, modRevision: rv };
  }

  #lease(k: string, ttlSeconds: number): void {
    const timer = this.#clock.setTimeout(() => {
      this.#leases.delete(k);
      const kv = this.#kvs.get(k);
      if (kv) this.#remove(k, kv);
    }, ttlSeconds * 1000);
    (timer as { unref?: () => void }).unref?.();
    this.#leases.set(k, timer);
  }

  #dropLease(k: string): void {
    const timer = this.#leases.get(k);
    if (timer === undefined) return;
    this.#clock.clearTimeout(timer);
    this.#leases.delete(k);
  }

  #put(k: string, json: string, previous: KeyValue<T> | undefined): KeyValue<T> {
    this.#dropLease(k);
    const revision = ++this.#revision;
    const value = deepFreeze(withResourceVersion(JSON.parse(json) as T, revision));
    const current = { value, json, createRevision: previous?.createRevision ?? revision, modRevision: revision };
    if (!previous) this.#sortedKeys = undefined;
    this.#kvs.set(k, current);
    this.#record({ revision, key: k, type: previous ? 'MODIFIED' : 'ADDED', current, ...(previous && { previous }) });
    return current;
  }

  #remove(k: string, previous: KeyValue<T>): T {
    this.#dropLease(k);
    const revision = ++this.#revision;
    this.#kvs.delete(k);
    this.#sortedKeys = undefined;
    this.#record({ revision, key: k, type: 'DELETED', previous });
    return deepFreeze(withResourceVersion(previous.value, revision));
  }

  #record(entry: HistoryEntry<T>): void {
    this.#history.append(entry);
    this.#hub.publish(entry);
  }
}

function encode(key: string, obj: KubeObject): string {
  try {
    return encodeForStorage(obj);
  } catch (err) {
    throw new StorageError('InvalidObj', key, 0, `cannot encode object: ${(err as Error).message}`, err);
  }
}
