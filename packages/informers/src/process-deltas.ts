/**
 * Applying popped deltas to the informer's store and telling the handlers (client-go's `processDeltas`,
 * PD-1…PD-4). The store is always changed *before* the handler hears about it, and the delta type does not
 * matter for adds/updates: only whether the key is already in the store. One deliberate difference: an
 * object whose uid changed under the same key (deleted and recreated during a watch gap, so seen in a relist
 * or in the adds a re-watch from "0" replays) is reported as a tombstone delete of the old object followed
 * by an add, not as an update.
 */
import { DeletedFinalStateUnknown, type IndexedStore } from '@kubecache/cache';
import { DEFAULT_SLICE_MS, runSliced } from '@kubecache/cache/internal';

/**
 * The structural shape of one delta this loop understands (DeltaFIFO and the in-order FIFO both emit it).
 * `key`, when present, is taken as the store key of the object (the in-order FIFO gives it when it keyed the
 * object as carried, with the store's key function); without it the object is keyed here.
 */
export type ProcessableDelta<T> =
  | { readonly type: 'Added' | 'Updated' | 'Replaced' | 'Sync'; readonly object: T; readonly key?: string }
  | { readonly type: 'Deleted'; readonly object: T | DeletedFinalStateUnknown<T>; readonly key?: string }
  | { readonly type: 'Bookmark'; readonly resourceVersion: string }
  | { readonly type: 'SyncAll' }
  | {
      readonly type: 'ReplacedAll';
      readonly resourceVersion: string;
      readonly objects: readonly T[];
      /** The store keys of `objects`, index for index, when the queue computed them (else they are computed). */
      readonly keys?: readonly string[];
    };

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
 * Returns a promise only when a relist (`ReplacedAll`) is too large for one slice of the event loop: it is then
 * staged and announced a slice at a time (see {@link replaceAll}), and the deltas after it wait for it.
 * `sliceMs` is the longest such a slice runs before the event loop gets a turn (default 4 ms; 0 pauses at
 * every point the relist can pause, e.g. in tests).
 */
export function processDeltas<T>(
  handler: DeltaHandler<T>,
  store: IndexedStore<T>,
  deltas: readonly ProcessableDelta<T>[],
  isInInitialList: boolean,
  sliceMs = DEFAULT_SLICE_MS,
): void | Promise<void> {
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i] as ProcessableDelta<T>;
    switch (d.type) {
      case 'Deleted':
        deleteOne(handler, store, d.object, d.key);
        break;
      case 'Bookmark':
        store.bookmark(d.resourceVersion);
        break;
      case 'SyncAll':
        for (const o of store.list()) handler.onUpdate(o, o);
        return; // PD-1: the rest of this Deltas is skipped (the in-order FIFO pops one delta at a time)
      case 'ReplacedAll': {
        const steps = replaceAll(handler, store, d.objects, d.keys, d.resourceVersion, isInInitialList);
        const pending = runSliced(steps, sliceMs);
        if (pending === undefined) break;
        const rest = deltas.slice(i + 1);
        return rest.length === 0
          ? pending
          : pending.then(() => processDeltas(handler, store, rest, isInInitialList, sliceMs));
      }
      default:
        upsert(handler, store, d, d.key ?? store.keyOf(d.object), isInInitialList);
    }
  }
}

/**
 * An add or an update, by store presence: the store is looked up once, and told what it held. Only an add or
 * a relisted object can be a recreation: a live watch reports one as a delete and an add, never as a
 * modification, so an `Updated` or `Sync` delta skips the uid comparison (which reads the previous version,
 * cold in memory by the time its next version arrives).
 */
function upsert<T>(
  handler: DeltaHandler<T>,
  store: IndexedStore<T>,
  d: { readonly type: 'Added' | 'Updated' | 'Replaced' | 'Sync'; readonly object: T },
  key: string,
  isInInitialList: boolean,
): void {
  const obj = d.object;
  const old = store.getByKey(key);
  const now = store.putByKey(key, obj, old);
  if (old === undefined) handler.onAdd(now, isInInitialList);
  else if ((d.type === 'Added' || d.type === 'Replaced') && recreated(old, obj)) {
    handler.onDelete(new DeletedFinalStateUnknown<T>(key, old), key);
    handler.onAdd(now, isInInitialList);
  } else handler.onUpdate(old, now);
}

function deleteOne<T>(
  handler: DeltaHandler<T>,
  store: IndexedStore<T>,
  obj: T | DeletedFinalStateUnknown<T>,
  queueKey: string | undefined,
): void {
  if (obj instanceof DeletedFinalStateUnknown) {
    store.deleteByKey(obj.key);
    handler.onDelete(obj, obj.key);
    return;
  }
  const key = queueKey ?? store.keyOf(obj);
  store.delete(obj, key);
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

/** Items handled between two points where a relist may pause (a power of two, minus one, as a mask). */
const PAUSE_MASK = 255;

/**
 * PD-4: the atomic relist, as steps {@link runSliced} can pause between. Three phases:
 * 1. staging: every object is keyed, stored (transformed, indexed, frozen) in a fresh store beside the live
 *    one, and its previous state looked up; then the stored keys missing from the list become tombstones;
 * 2. the swap: the live store adopts the staged one in one step, so readers see the old list or the new one,
 *    never a mix (the live store is not written while staging: this pop is the only writer);
 * 3. the notifications, through the handlers' buffers: deletes (as tombstones) first, then updates and adds
 *    in list order.
 * A key error fails the whole relist before anything changed. An object the store refuses (a throwing index
 * function) is left out, keeping its previous state, as it would be from the per-object DeltaFIFO path: the
 * others are stored and announced, then the first such error is thrown.
 */
function* replaceAll<T>(
  handler: DeltaHandler<T>,
  store: IndexedStore<T>,
  objects: readonly T[],
  queueKeys: readonly string[] | undefined,
  rv: string,
  isInInitialList: boolean,
): Generator<void, void> {
  const n = objects.length;
  const staged = store.emptyLike();
  // The keys the queue computed, or our own, filled while staging.
  const own = queueKeys?.length === n ? undefined : new Array<string>(n);
  const keys: readonly string[] = own ?? (queueKeys as readonly string[]);
  // The first list finds an empty store: nothing to look up.
  const olds = store.size === 0 ? undefined : new Array<T | undefined>(n);
  let refused: Map<number, string> | undefined;
  let error: unknown;
  for (let i = 0; i < n; i++) {
    if ((i & PAUSE_MASK) === PAUSE_MASK) yield;
    const obj = objects[i] as T;
    const key = own === undefined ? (keys[i] as string) : store.keyOf(obj);
    if (own !== undefined) own[i] = key;
    const old = olds === undefined ? undefined : store.getByKey(key);
    if (olds !== undefined) olds[i] = old;
    const failure = tryPut(staged, key, obj, old);
    if (failure === undefined) continue;
    if (refused === undefined) {
      refused = new Map();
      error = failure.error;
    }
    refused.set(i, key);
    if (old !== undefined) tryPut(staged, key, old);
  }
  const listed = refused === undefined ? undefined : new Set(refused.values());
  const tombs: DeletedFinalStateUnknown<T>[] = [];
  let j = 0;
  for (const k of store.listKeys()) {
    if ((++j & PAUSE_MASK) === 0) yield;
    if (staged.getByKey(k) === undefined && !listed?.has(k)) {
      tombs.push(new DeletedFinalStateUnknown<T>(k, store.getByKey(k)));
    }
  }
  store.adopt(staged, rv);
  for (let t = 0; t < tombs.length; t++) {
    if ((t & PAUSE_MASK) === PAUSE_MASK) yield;
    const tomb = tombs[t] as DeletedFinalStateUnknown<T>;
    handler.onDelete(tomb, tomb.key);
  }
  for (let i = 0; olds !== undefined && i < n; i++) {
    if ((i & PAUSE_MASK) === PAUSE_MASK) yield;
    const old = olds[i];
    if (old === undefined || refused?.has(i) || !recreated(old, objects[i])) continue;
    const tomb = new DeletedFinalStateUnknown<T>(keys[i] as string, old);
    handler.onDelete(tomb, tomb.key);
  }
  for (let i = 0; i < n; i++) {
    if ((i & PAUSE_MASK) === PAUSE_MASK) yield;
    if (refused?.has(i)) continue;
    const now = store.getByKey(keys[i] as string) as T;
    const old = olds?.[i];
    if (old !== undefined && !recreated(old, objects[i])) handler.onUpdate(old, now);
    else handler.onAdd(now, isInInitialList);
  }
  if (refused !== undefined) throw error;
}

/**
 * Stores `obj` under `key` in `store`, taking over the unchanged parts of `previous` (the live store's
 * version); what it threw when the store refuses it, else `undefined`.
 */
function tryPut<T>(store: IndexedStore<T>, key: string, obj: T, previous?: T): { error: unknown } | undefined {
  try {
    // `old` left to the store (`undefined` is its default, "not looked up"): a list may name a key twice.
    store.putByKey(key, obj, undefined, previous);
    return undefined;
  } catch (error) {
    return { error };
  }
}
