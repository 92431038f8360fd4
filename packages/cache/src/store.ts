/**
 * The Store contract: a keyed collection of objects. Implementations: the plain store and indexer
 * (`thread-safe-store.ts`), FIFO, DeltaFIFO, the in-order FIFO, ExpirationCache, UndeltaStore.
 */

import type { Immutable } from '@kubecache/apimachinery';
import { KeyError } from './keys.js';

/**
 * What a Reflector writes into. Every Store is one; queues (FIFO, DeltaFIFO, in-order FIFO) are too.
 */
export interface ReflectorStore<T> {
  /** Inserts or replaces the object under its key. Throws `KeyError` when it cannot be keyed. */
  add(obj: T): void;
  /** Same as `add` for a plain store; queues record it as an update. */
  update(obj: T): void;
  /** Removes the object's key; a missing key is a no-op. */
  delete(obj: T): void;
  /**
   * Replaces the whole contents with `list`, which the server listed at `resourceVersion`. All or nothing:
   * if any item cannot be keyed, nothing changes and a `KeyError` is thrown.
   */
  replace(list: readonly T[], resourceVersion: string): void;
  /**
   * Optional: the same as `replace`, a slice of the event loop at a time, for lists too large to apply in
   * one go. Returns `undefined` when it was done at once, else a promise the caller awaits before writing
   * again (the Reflector does so after a list).
   */
  replaceSliced?(list: readonly T[], resourceVersion: string): void | Promise<void>;
  /** Queues re-deliver everything they know; a plain store does nothing. */
  resync(): void;
  /**
   * Records a resource version the server reached without changing contents (watch bookmarks).
   * Optional: stores that do not track versions omit it.
   */
  bookmark?(resourceVersion: string): void;
}

/**
 * The read side of a {@link Store}: what informers hand out (`getStore()`), so a reader cannot write to a
 * cache the reflector owns.
 */
export interface ReadonlyStore<T> {
  /** A snapshot of all objects, in no particular order. */
  list(): T[];
  /** A snapshot of all keys, in no particular order. */
  listKeys(): string[];
  /** The stored object with `obj`'s key, or `undefined`. Throws `KeyError` when `obj` cannot be keyed. */
  get(obj: T): T | undefined;
  /** The stored object under `key`, or `undefined`. Never throws. */
  getByKey(key: string): T | undefined;
  /** The last resource version the store was brought to (replace, write or bookmark); `''` if none. */
  lastStoreSyncResourceVersion?(): string;
}

/** A keyed collection: the reflector's writes plus reads. */
export interface Store<T> extends ReflectorStore<T>, ReadonlyStore<T> {}

/** Computes the index values of an object; may return several (multi-valued index). Must not throw. */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** Index name → index function. */
export type Indexers<T> = Record<string, IndexFunc<T>>;

/**
 * The read side of an {@link Indexer}: what informers hand out (`getIndexer()`) and listers read. Index
 * functions are not part of it; {@link ReadonlyIndexer.indexNames} says which indexes exist.
 */
export interface ReadonlyIndexer<T> extends ReadonlyStore<T> {
  /** Objects whose values of index `indexName` intersect those of `obj`. */
  index(indexName: string, obj: T): T[];
  /** Keys of the objects whose values of `indexName` include `value`, sorted. */
  indexKeys(indexName: string, value: string): string[];
  /** All values that index `indexName` currently holds. */
  listIndexFuncValues(indexName: string): string[];
  /** Objects whose values of `indexName` include `value`. */
  byIndex(indexName: string, value: string): T[];
  /** Names of the registered indexes. */
  indexNames(): string[];
}

/** A Store that also keeps secondary indexes. */
export interface Indexer<T> extends Store<T>, ReadonlyIndexer<T> {
  /** The registered index functions. */
  getIndexers(): Indexers<T>;
  /** Adds indexes, indexing every stored object now. Throws if a name is taken. */
  addIndexers(newIndexers: Indexers<T>): void;
}

/** The name of the namespace index (`metaNamespaceIndexFunc`). */
export const NAMESPACE_INDEX = 'namespace';

/**
 * Indexes an object by its namespace (`''` for cluster-scoped objects). Register it under
 * {@link NAMESPACE_INDEX}; listers use it to list one namespace in time proportional to its size.
 */
export function metaNamespaceIndexFunc(obj: { metadata?: { namespace?: string } }): readonly string[] {
  const meta = (obj as { metadata?: unknown } | null | undefined)?.metadata;
  const ns = meta !== null && typeof meta === 'object' ? (meta as { namespace?: unknown }).namespace : undefined;
  if (meta === undefined || meta === null || typeof meta !== 'object' || (ns !== undefined && typeof ns !== 'string')) {
    throw new KeyError(`object has no meta or a non-string namespace: ${String(JSON.stringify(obj))}`, obj);
  }
  return [(ns as string | undefined) ?? ''];
}

/**
 * A read-only view of `indexer`: only the read methods, so a reader can neither call nor reach `add`,
 * `replace` or `addIndexers`. Objects are typed deep read-only because the stores freeze what they hold;
 * with freezing turned off the type still keeps writers honest.
 */
export function readonlyIndexer<T>(indexer: Indexer<T>): ReadonlyIndexer<Immutable<T>> {
  const view: ReadonlyIndexer<T> = {
    list: () => indexer.list(),
    listKeys: () => indexer.listKeys(),
    get: (obj) => indexer.get(obj),
    getByKey: (key) => indexer.getByKey(key),
    lastStoreSyncResourceVersion: () => indexer.lastStoreSyncResourceVersion?.() ?? '',
    index: (name, obj) => indexer.index(name, obj),
    indexKeys: (name, value) => indexer.indexKeys(name, value),
    listIndexFuncValues: (name) => indexer.listIndexFuncValues(name),
    byIndex: (name, value) => indexer.byIndex(name, value),
    indexNames: () => indexer.indexNames(),
  };
  // T and Immutable<T> are the same objects; TypeScript cannot relate them for a generic T.
  return view as unknown as ReadonlyIndexer<Immutable<T>>;
}
