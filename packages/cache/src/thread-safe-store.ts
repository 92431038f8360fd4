/**
 * The indexed store: client-go's `cache` + `threadSafeMap` in one class. A map from key to object plus any
 * number of secondary indexes (index name → index value → set of keys), kept up to date on every write.
 *
 * JavaScript is single-threaded, so there is no lock: every method runs to completion. What client-go gets
 * from its lock we get from computing everything that can fail before mutating anything.
 */
import { deepFreeze, freezeSharing } from '@kubecache/apimachinery';
import { deletionHandlingMetaNamespaceKeyFunc, type KeyFunc, keyOf } from './keys.js';
import type { Indexer, Indexers, IndexFunc } from './store.js';

/** Options of {@link IndexedStore}. */
export interface StoreOptions<T> {
  /** Names objects. Default `deletionHandlingMetaNamespaceKeyFunc` (`ns/name`, tombstones by their key). */
  keyFunc?: KeyFunc<T>;
  /** Secondary indexes to maintain from the start. Default none. */
  indexers?: Indexers<T>;
  /**
   * Runs once per object before it is stored (add, update, replace; not transaction), e.g. to strip
   * `managedFields`. May return the same object changed or a new one. A throw becomes a
   * {@link TransformError} and nothing is stored. Default: none.
   */
  transform?: (obj: T) => T;
  /**
   * Deep-freeze every stored object (see `deepFreeze`). Default `true`. A new version of a stored object
   * (by add, update, `putByKey` or a transaction; not by `replace`) takes over the previous version's
   * unchanged, frozen subtrees first (see `shareUnchanged`): the cache holds one copy of what did not change,
   * and `old.spec === obj.spec` when the spec did not. A subtree so replaced is not frozen, and a caller that
   * kept a reference to it holds a copy, not the stored object's. With `false` nothing is shared, since
   * unfrozen versions must not alias each other.
   */
  freeze?: boolean;
}

/** How a {@link StoreTransaction} changes the store. */
export type TransactionType = 'Added' | 'Updated' | 'Deleted';

/** One write of a batch applied by {@link IndexedStore.transaction}. */
export interface StoreTransaction<T> {
  type: TransactionType;
  object: T;
}

/**
 * An index function threw, or an index name is unknown. A write that raises it leaves the store exactly as
 * it was. `key` is the store key of the object being indexed, when there is one.
 */
export class IndexError extends Error {
  override readonly name = 'IndexError';
  constructor(
    message: string,
    readonly indexName: string,
    readonly key: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `addIndexers` was given a name that is already registered; nothing was added. */
export class IndexerConflictError extends Error {
  override readonly name = 'IndexerConflictError';
  constructor(readonly names: readonly string[]) {
    super(`indexer conflict: ${names.join(', ')}`);
  }
}

/** The store's `transform` threw; `cause` is what it threw. Nothing was stored. */
export class TransformError extends Error {
  override readonly name = 'TransformError';
  constructor(
    readonly obj: unknown,
    options: { cause: unknown },
  ) {
    super(`transforming: ${messageOf(options.cause)}`, options);
  }
}

/**
 * Some writes of a {@link IndexedStore.transaction} failed. The others were applied: `successfulIndices`
 * lists them (ascending), `errors` holds one error per failed write, in order.
 */
export class TransactionError extends Error {
  override readonly name = 'TransactionError';
  constructor(
    readonly successfulIndices: readonly number[],
    readonly totalTransactions: number,
    readonly errors: readonly unknown[],
  ) {
    super(`${errors.length} of ${totalTransactions} transactions failed: ${errors.map(messageOf).join('; ')}`, {
      cause: errors[0],
    });
  }
}

type IndexValues = readonly (readonly string[])[];

/** Marks an `old` argument the caller did not give: the store looks the key up itself. */
const NOT_LOOKED_UP: unique symbol = Symbol('not looked up');

interface IndexEntry<T> {
  readonly name: string;
  readonly fn: IndexFunc<T>;
  /** index value → keys of the objects that have it. A set that empties is removed. */
  readonly byValue: Map<string, Set<string>>;
}

/**
 * A Store with secondary indexes (client-go's `NewIndexer`/`NewStore`).
 *
 * Contract:
 * - `add` and `update` are the same upsert; the key function runs first (a failure is a {@link KeyError}),
 *   then `transform`, then the index functions; only then is anything changed.
 * - An index function that throws raises an {@link IndexError} naming the index and key and leaves the
 *   store unchanged. (client-go panics instead.)
 * - `replace` is all-or-nothing: every item is keyed, transformed and indexed before the swap.
 * - Index values that no longer have any key are removed, so `listIndexFuncValues` shows only live values.
 * - `indexKeys` is sorted; `list`, `listKeys`, `byIndex` and `index` are in no particular order.
 * - Stored objects, and the object given to `delete`, are deep-frozen unless `freeze: false`; freezing happens
 *   in place on the object given.
 * - Resource-version tracking (client-go's AtomicFIFO behaviour, always on here): adds, updates and deletes
 *   of objects with `metadata` record their `resourceVersion` (last write wins, not the maximum); `replace`
 *   and `bookmark` record the version given.
 * - Per-write cost is proportional to the object's index values, never to the store size.
 *
 * @example
 * const store = new IndexedStore<Pod>({ indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });
 * store.add(pod);
 * store.byIndex(NAMESPACE_INDEX, 'default'); // every pod in `default`
 */
export class IndexedStore<T> implements Indexer<T> {
  readonly #keyFunc: KeyFunc<T>;
  readonly #transform: ((obj: T) => T) | undefined;
  readonly #freeze: boolean;
  #items = new Map<string, T>();
  #indexes: IndexEntry<T>[] = [];
  #rv = '';

  constructor(options: StoreOptions<T> = {}) {
    this.#keyFunc = options.keyFunc ?? deletionHandlingMetaNamespaceKeyFunc;
    this.#transform = options.transform;
    this.#freeze = options.freeze ?? true;
    for (const [name, fn] of Object.entries(options.indexers ?? {})) {
      this.#indexes.push({ name, fn, byValue: new Map() });
    }
  }

  /** The number of stored objects. */
  get size(): number {
    return this.#items.size;
  }

  /** Stores `obj` under its key, replacing any previous object. */
  add(obj: T): void {
    this.#upsert(this.keyOf(obj), obj, true, NOT_LOOKED_UP);
  }

  /** Same as {@link add}. */
  update(obj: T): void {
    this.add(obj);
  }

  /**
   * Removes the object with `obj`'s key; a missing key is a no-op. Records `obj`'s resource version. Unless
   * `freeze: false`, `obj` itself is deep-frozen too: it is the last state consumers see (a delete event).
   * `key`, when given, must be what {@link keyOf} returns for `obj` (the informer's hot path has it already).
   */
  delete(obj: T, key: string = this.keyOf(obj)): void {
    this.#remove(key);
    this.#recordVersion(obj);
    if (this.#freeze) deepFreeze(obj);
  }

  /** Removes the object under `key`, if any, without touching the tracked resource version. */
  deleteByKey(key: string): void {
    this.#remove(key);
  }

  list(): T[] {
    return Array.from(this.#items.values());
  }

  listKeys(): string[] {
    return Array.from(this.#items.keys());
  }

  get(obj: T): T | undefined {
    return this.#items.get(this.keyOf(obj));
  }

  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** Replaces everything with `list` (listed at `resourceVersion`), rebuilding every index. All or nothing. */
  replace(list: readonly T[], resourceVersion: string): void {
    const items = new Map<string, T>();
    for (const obj of list) {
      const key = this.keyOf(obj);
      items.set(key, this.#transformed(obj));
    }
    const indexes = this.#buildIndexes(this.#indexes, items);
    if (this.#freeze) for (const obj of items.values()) deepFreeze(obj);
    this.#items = items;
    this.#indexes = indexes;
    this.#rv = resourceVersion;
  }

  /** A no-op: a plain store has nothing to re-deliver. */
  resync(): void {}

  /** Records a resource version reached without a change of contents (a watch bookmark). */
  bookmark(resourceVersion: string): void {
    this.#rv = resourceVersion;
  }

  /** The resource version of the last write, replace or bookmark; `''` before any. */
  lastStoreSyncResourceVersion(): string {
    return this.#rv;
  }

  /**
   * Applies a batch of writes in order, as client-go's `Transaction`: objects are stored as given (the
   * transform is not run: a transaction carries objects a queue already transformed), and the tracked
   * resource version becomes that of the last write's object (unchanged when it has none, e.g. a tombstone).
   * Writes that fail (key or index errors) are skipped and reported together in a {@link TransactionError}
   * thrown after the others were applied.
   */
  transaction(txns: readonly StoreTransaction<T>[]): void {
    const ok: number[] = [];
    const errors: unknown[] = [];
    const rv = this.#rv;
    txns.forEach((txn, i) => {
      try {
        if (txn.type === 'Deleted') this.#remove(this.keyOf(txn.object));
        else {
          this.#upsert(this.keyOf(txn.object), txn.object, false, NOT_LOOKED_UP);
        }
        ok.push(i);
      } catch (err) {
        errors.push(err);
      }
    });
    this.#rv = rv;
    const last = txns.at(-1);
    if (last !== undefined) this.#recordVersion(last.object);
    if (errors.length > 0) throw new TransactionError(ok, txns.length, errors);
  }

  index(indexName: string, obj: T): T[] {
    const entry = this.#entry(indexName);
    const values = this.#valuesOf(entry, obj, undefined);
    if (values.length === 1) return this.#objects(entry.byValue.get(values[0] as string));
    const keys = new Set<string>();
    for (const v of values) for (const key of entry.byValue.get(v) ?? []) keys.add(key);
    return this.#objects(keys);
  }

  indexKeys(indexName: string, value: string): string[] {
    const set = this.#entry(indexName).byValue.get(value);
    return set ? Array.from(set).sort() : [];
  }

  listIndexFuncValues(indexName: string): string[] {
    const entry = this.#indexes.find((e) => e.name === indexName);
    return entry ? Array.from(entry.byValue.keys()) : [];
  }

  byIndex(indexName: string, value: string): T[] {
    return this.#objects(this.#entry(indexName).byValue.get(value));
  }

  /** Names of the registered indexes, in registration order. */
  indexNames(): string[] {
    return this.#indexes.map((e) => e.name);
  }

  /** A copy of the registered index functions (changing it does not change the store). */
  getIndexers(): Indexers<T> {
    return Object.fromEntries(this.#indexes.map((e) => [e.name, e.fn]));
  }

  /**
   * Registers more indexes and indexes every stored object now. Throws {@link IndexerConflictError} if a
   * name is taken, or {@link IndexError} if an index function throws; either way nothing is added.
   */
  addIndexers(newIndexers: Indexers<T>): void {
    const names = Object.keys(newIndexers);
    const taken = names.filter((n) => this.#indexes.some((e) => e.name === n));
    if (taken.length > 0) throw new IndexerConflictError(taken);
    const fresh = names.map((name) => ({ name, fn: newIndexers[name] as IndexFunc<T>, byValue: new Map() }));
    this.#indexes = [...this.#indexes, ...this.#buildIndexes(fresh, this.#items)];
  }

  /** The store key of `obj`; a throwing key function becomes a {@link KeyError}. */
  keyOf(obj: T): string {
    return keyOf(this.#keyFunc, obj);
  }

  /**
   * Stores `obj` under `key`, which the caller got from {@link keyOf} for this very object, and returns what
   * was stored (transformed, frozen). The same upsert as {@link add} without keying the object again: the
   * informer's hot path keys each event once. A caller that has just read `getByKey(key)` passes what it got
   * as `old`, and the store does not look the key up again (`old` omitted: the store looks it up).
   * `previous` is the version whose unchanged parts the stored object takes over when freezing (see
   * {@link StoreOptions.freeze}); default what the store holds under `key` (a relist staged in a fresh store
   * passes the live store's).
   */
  putByKey(key: string, obj: T, old: T | undefined | typeof NOT_LOOKED_UP = NOT_LOOKED_UP, previous?: T): T {
    return this.#upsert(key, obj, true, old, previous);
  }

  /**
   * A new, empty store with this one's key function, transform, freezing and indexes: where a relist is
   * staged a chunk at a time before {@link adopt} swaps it in.
   */
  emptyLike(): IndexedStore<T> {
    return new IndexedStore<T>({
      keyFunc: this.#keyFunc,
      transform: this.#transform,
      freeze: this.#freeze,
      indexers: this.getIndexers(),
    });
  }

  /**
   * Takes over the contents and indexes of `staged` (built with {@link emptyLike}) in one step, as listed at
   * `resourceVersion`, and leaves `staged` empty. Readers see the old contents up to this call and the new
   * ones after it, never a mix. O(1), unless indexes were added here while `staged` was being built: those
   * are built over the adopted objects (an {@link IndexError} then changes nothing).
   */
  adopt(staged: IndexedStore<T>, resourceVersion: string): void {
    const missing = this.#indexes.filter((e) => !staged.#indexes.some((s) => s.name === e.name));
    const extra = missing.length > 0 ? this.#buildIndexes(missing, staged.#items) : [];
    const indexes = this.#indexes.map(
      (e) => staged.#indexes.find((s) => s.name === e.name) ?? (extra.find((x) => x.name === e.name) as IndexEntry<T>),
    );
    this.#items = staged.#items;
    this.#indexes = indexes;
    this.#rv = resourceVersion;
    staged.#items = new Map();
    staged.#indexes = staged.#indexes.map((e) => ({ name: e.name, fn: e.fn, byValue: new Map() }));
  }

  /**
   * Stores `obj` (transformed unless told not to) under `key` and returns what was stored. `old` is what the
   * store holds under `key`, or {@link NOT_LOOKED_UP} (read here when there are indexes to update).
   */
  #upsert(key: string, obj: T, transform: boolean, known: T | undefined | typeof NOT_LOOKED_UP, previous?: T): T {
    const stored = transform ? this.#transformed(obj) : obj;
    if (this.#indexes.length === 0) {
      // No index to move the key between: no value arrays to build.
      if (this.#freeze) freezeSharing(stored, previous ?? (known === NOT_LOOKED_UP ? this.#items.get(key) : known));
      this.#items.set(key, stored);
      this.#recordVersion(stored);
      return stored;
    }
    const old = known === NOT_LOOKED_UP ? this.#items.get(key) : known;
    const newValues = this.#allValues(stored, key);
    const oldValues = old === undefined ? undefined : this.#allValues(old, key);
    if (this.#freeze) freezeSharing(stored, previous ?? old);
    this.#items.set(key, stored);
    for (let i = 0; i < this.#indexes.length; i++) {
      updateIndex(this.#indexes[i] as IndexEntry<T>, key, oldValues?.[i], newValues[i] as readonly string[]);
    }
    this.#recordVersion(stored);
    return stored;
  }

  #remove(key: string): void {
    if (this.#indexes.length === 0) {
      this.#items.delete(key);
      return;
    }
    const old = this.#items.get(key);
    if (old === undefined) return;
    const oldValues = this.#allValues(old, key);
    this.#items.delete(key);
    for (let i = 0; i < this.#indexes.length; i++) {
      updateIndex(this.#indexes[i] as IndexEntry<T>, key, oldValues[i], undefined);
    }
  }

  #transformed(obj: T): T {
    if (this.#transform === undefined) return obj;
    try {
      return this.#transform(obj);
    } catch (err) {
      throw new TransformError(obj, { cause: err });
    }
  }

  #allValues(obj: T, key: string): IndexValues {
    const out = new Array<readonly string[]>(this.#indexes.length);
    for (let i = 0; i < this.#indexes.length; i++) out[i] = this.#valuesOf(this.#indexes[i] as IndexEntry<T>, obj, key);
    return out;
  }

  #valuesOf(entry: IndexEntry<T>, obj: T, key: string | undefined): readonly string[] {
    let values: readonly string[];
    try {
      values = entry.fn(obj);
    } catch (err) {
      const where = key === undefined ? '' : ` for key ${key}`;
      throw new IndexError(`unable to calculate index ${entry.name}${where}: ${messageOf(err)}`, entry.name, key, {
        cause: err,
      });
    }
    if (!Array.isArray(values)) {
      throw new IndexError(`index function ${entry.name} did not return an array`, entry.name, key);
    }
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'string') {
        throw new IndexError(`index function ${entry.name} returned a non-string value`, entry.name, key);
      }
    }
    return values;
  }

  /** Builds `entries` afresh over `items`; throws before returning anything if an index function throws. */
  #buildIndexes(entries: readonly IndexEntry<T>[], items: ReadonlyMap<string, T>): IndexEntry<T>[] {
    const built = entries.map((e) => ({ name: e.name, fn: e.fn, byValue: new Map<string, Set<string>>() }));
    for (const [key, obj] of items) {
      for (const entry of built) updateIndex(entry, key, undefined, this.#valuesOf(entry, obj, key));
    }
    return built;
  }

  #entry(indexName: string): IndexEntry<T> {
    const entry = this.#indexes.find((e) => e.name === indexName);
    if (entry === undefined) {
      throw new IndexError(`Index with name ${indexName} does not exist`, indexName, undefined);
    }
    return entry;
  }

  #objects(keys: Iterable<string> | undefined): T[] {
    const out: T[] = [];
    if (keys === undefined) return out;
    for (const key of keys) {
      const obj = this.#items.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  #recordVersion(obj: T): void {
    const meta = typeof obj === 'object' && obj !== null ? (obj as { metadata?: unknown }).metadata : undefined;
    if (typeof meta !== 'object' || meta === null) return;
    const rv = (meta as { resourceVersion?: unknown }).resourceVersion;
    this.#rv = typeof rv === 'string' ? rv : '';
  }
}

/** Moves `key` from the sets of `oldValues` to those of `newValues`; empty sets are dropped. */
function updateIndex<T>(
  entry: IndexEntry<T>,
  key: string,
  oldValues: readonly string[] | undefined,
  newValues: readonly string[] | undefined,
): void {
  if (oldValues?.length === 1 && newValues?.length === 1 && oldValues[0] === newValues[0]) return;
  const byValue = entry.byValue;
  if (oldValues !== undefined) {
    for (const v of oldValues) {
      const set = byValue.get(v);
      if (set === undefined) continue;
      set.delete(key);
      if (set.size === 0) byValue.delete(v);
    }
  }
  if (newValues === undefined) return;
  for (const v of newValues) {
    let set = byValue.get(v);
    if (set === undefined) {
      set = new Set();
      byValue.set(v, set);
    }
    set.add(key);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
