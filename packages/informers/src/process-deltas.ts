/**
 * Applying popped deltas to the informer's store and telling the handlers (client-go's `processDeltas`,
 * PD-1…PD-4). The store is always changed *before* the handler hears about it, and the delta type does not
 * matter for adds/updates: only whether the key is already in the store. One deliberate difference: an
 * object whose uid changed under the same key (deleted and recreated during a watch gap) is reported as a
 * tombstone delete of the old object followed by an add, not as an update.
 */
import { DeletedFinalStateUnknown, type IndexedStore } from '@kubecache/cache';

/** The structural shape of one delta this loop understands (DeltaFIFO and the in-order FIFO both emit it). */
export type ProcessableDelta<T> =
  | { readonly type: 'Added' | 'Updated' | 'Replaced' | 'Sync'; readonly object: T }
  | { readonly type: 'Deleted'; readonly object: T | DeletedFinalStateUnknown<T> }
  | { readonly type: 'Bookmark'; readonly resourceVersion: string }
  | { readonly type: 'SyncAll' }
  | { readonly type: 'ReplacedAll'; readonly resourceVersion: string; readonly objects: readonly T[] };

/** What processDeltas tells: the informer turns these into handler notifications. */
export interface DeltaHandler<T> {
  onAdd(obj: T, isInInitialList: boolean): void;
  onUpdate(oldObj: T, newObj: T): void;
  /** `key` is the store key of the deleted object (the tombstone's key for a tombstone). */
  onDelete(obj: T | DeletedFinalStateUnknown<T>, key: string): void;
}

/**
 * Applies `deltas` oldest first to `store`, telling `handler` after each change. Store errors (a key,
 * transform or index error) propagate and leave the store as it was for that delta; the handler is not told.
 */
export function processDeltas<T>(
  handler: DeltaHandler<T>,
  store: IndexedStore<T>,
  deltas: readonly ProcessableDelta<T>[],
  isInInitialList: boolean,
): void {
  for (const d of deltas) {
    switch (d.type) {
      case 'Deleted':
        deleteOne(handler, store, d.object);
        break;
      case 'Bookmark':
        store.bookmark(d.resourceVersion);
        break;
      case 'SyncAll':
        for (const o of store.list()) handler.onUpdate(o, o);
        return; // PD-1: the rest of this Deltas is skipped (the in-order FIFO pops one delta at a time)
      case 'ReplacedAll':
        replaceAll(handler, store, d.objects, d.resourceVersion, isInInitialList);
        break;
      default:
        upsert(handler, store, d.object, isInInitialList);
    }
  }
}

function upsert<T>(handler: DeltaHandler<T>, store: IndexedStore<T>, obj: T, isInInitialList: boolean): void {
  const key = store.keyOf(obj);
  const old = store.getByKey(key);
  if (old !== undefined && recreated(old, obj)) {
    store.update(obj);
    handler.onDelete(new DeletedFinalStateUnknown<T>(key, old), key);
    handler.onAdd(store.getByKey(key) as T, isInInitialList);
  } else if (old !== undefined) {
    store.update(obj);
    handler.onUpdate(old, store.getByKey(key) as T);
  } else {
    store.add(obj);
    handler.onAdd(store.getByKey(key) as T, isInInitialList);
  }
}

function deleteOne<T>(handler: DeltaHandler<T>, store: IndexedStore<T>, obj: T | DeletedFinalStateUnknown<T>): void {
  if (obj instanceof DeletedFinalStateUnknown) {
    store.deleteByKey(obj.key);
    handler.onDelete(obj, obj.key);
    return;
  }
  const key = store.keyOf(obj);
  store.delete(obj);
  handler.onDelete(obj, key);
}

/**
 * Whether `next` is a different object than `prev` under the same key (deleted and recreated while the
 * watch was down: the uid changed). client-go reports this as an update; we report a delete and an add.
 */
function recreated(prev: unknown, next: unknown): boolean {
  const a = (prev as { metadata?: { uid?: string } }).metadata?.uid;
  const b = (next as { metadata?: { uid?: string } }).metadata?.uid;
  return a !== undefined && b !== undefined && a !== b;
}

/**
 * PD-4: the atomic relist. Deletes (as tombstones) first, then updates and adds in list order. An object
 * the store refuses (a throwing index function) is left out, as it would be from the per-object DeltaFIFO
 * path, instead of failing the whole list: the others are stored and announced, then the error is thrown.
 */
function replaceAll<T>(
  handler: DeltaHandler<T>,
  store: IndexedStore<T>,
  objects: readonly T[],
  rv: string,
  isInInitialList: boolean,
): void {
  const keys = objects.map((o) => store.keyOf(o));
  const olds = keys.map((k) => store.getByKey(k));
  const missing = tombstonesOfMissing(store, keys);
  const recreatedAt = new Set<number>();
  for (let i = 0; i < keys.length; i++) {
    const old = olds[i];
    if (old !== undefined && recreated(old, objects[i] as T)) recreatedAt.add(i);
  }
  const refusal = replaceStore(store, objects, olds, rv); // first, so the store and the notifications agree
  const refused = refusal?.refused;
  for (const tomb of missing) handler.onDelete(tomb, tomb.key);
  for (const i of recreatedAt) {
    if (refused?.has(i)) continue;
    const tomb = new DeletedFinalStateUnknown<T>(keys[i] as string, olds[i]);
    handler.onDelete(tomb, tomb.key);
  }
  for (let i = 0; i < keys.length; i++) {
    if (refused?.has(i)) continue;
    const now = store.getByKey(keys[i] as string) as T;
    const old = recreatedAt.has(i) ? undefined : olds[i];
    if (old !== undefined) handler.onUpdate(old, now);
    else handler.onAdd(now, isInInitialList);
  }
  if (refusal) throw refusal.error;
}

/** Tombstones for the stored keys absent from `keys`. */
function tombstonesOfMissing<T>(store: IndexedStore<T>, keys: readonly string[]): DeletedFinalStateUnknown<T>[] {
  const incoming = new Set(keys);
  const tombs: DeletedFinalStateUnknown<T>[] = [];
  for (const k of store.listKeys()) {
    if (!incoming.has(k)) tombs.push(new DeletedFinalStateUnknown<T>(k, store.getByKey(k)));
  }
  return tombs;
}

/**
 * Replaces the store's contents with `objects`. If the store refuses some (its replace throws), it is
 * rebuilt object by object: the refused ones keep their previous state (`olds`), and their indices are
 * returned with the first error.
 */
function replaceStore<T>(
  store: IndexedStore<T>,
  objects: readonly T[],
  olds: readonly (T | undefined)[],
  rv: string,
): { refused: Set<number>; error: unknown } | undefined {
  try {
    store.replace(objects, rv);
    return undefined;
  } catch (error) {
    const refused = new Set<number>();
    store.replace([], rv);
    for (let i = 0; i < objects.length; i++) {
      if (tryAdd(store, objects[i] as T)) continue;
      refused.add(i);
      const old = olds[i];
      if (old !== undefined) tryAdd(store, old);
    }
    return { refused, error };
  }
}

function tryAdd<T>(store: IndexedStore<T>, obj: T): boolean {
  try {
    store.add(obj);
    return true;
  } catch {
    return false;
  }
}
