/**
 * The in-order FIFO (client-go's `RealFIFO`): every change queued as its own event, in arrival order. This
 * is the queue informers run by default.
 */
import type { Delta, DeltaType } from './delta-fifo.js';
import { DeletedFinalStateUnknown, KeyError, type KeyFunc, metaNamespaceKeyFunc } from './keys.js';
import {
  type KeyedAndTransformed,
  type KeyListerGetter,
  keyAndTransformSteps,
  keyWith,
  knownGet,
  type PopProcessFunc,
  PopRunner,
  type Queue,
  SkippedObjectsError,
  transformWith,
} from './queue.js';
import { Ring } from './ring.js';
import { DEFAULT_SLICE_MS, runSliced } from './sliced-work.js';

/** The in-order FIFO's whole-store events, queued only in atomic mode. */
export type AtomicDeltaType = 'ReplacedAll' | 'SyncAll' | 'Bookmark';

/**
 * A whole-store event of atomic mode: a relist (`ReplacedAll`, the consumer computes the deletions), a
 * resync of everything (`SyncAll`), or a resource version reached without changes (`Bookmark`).
 */
export type AtomicDelta<T> =
  | {
      readonly type: 'ReplacedAll';
      readonly resourceVersion: string;
      readonly objects: readonly T[];
      /**
       * `keys[i]` is the key of `objects[i]` (the queue's key function), so a consumer need not key again;
       * absent when the queue has a transformer.
       */
      readonly keys?: readonly string[];
    }
  | { readonly type: 'SyncAll' }
  | { readonly type: 'Bookmark'; readonly resourceVersion: string };

/** Any event the in-order FIFO queues: a per-object {@link Delta} or an {@link AtomicDelta}. */
export type RealFIFODelta<T> = Delta<T> | AtomicDelta<T>;

/** What the in-order FIFO's `pop` hands out: a list of exactly one event. */
export type RealFIFODeltas<T> = RealFIFODelta<T>[];

/** Options of {@link RealFIFO}. */
export interface RealFIFOOptions<T> {
  /** Names the objects. Default `metaNamespaceKeyFunc` (`ns/name`). */
  keyFunction?: KeyFunc<T>;
  /**
   * The objects already delivered (the informer's indexer). Required unless `atomicEvents`, forbidden with
   * it: non-atomic `replace` and `resync` read it to emit tombstones and `Sync` events. Default: none.
   */
  knownObjects?: KeyListerGetter<T>;
  /**
   * Runs exactly once on every object given to `add`, `update`, `delete` and `replace` before it is queued
   * (never on tombstones or `Sync` objects). A throw becomes a `TransformError`; nothing is queued.
   * Default: none.
   */
  transformer?: (obj: T) => T;
  /**
   * Atomic mode (client-go's `AtomicFIFO`, what informers run): `replace` queues one `ReplacedAll` event,
   * `resync` one `SyncAll`, and the consumer computes deletions against its store. Default `false`.
   */
  atomicEvents?: boolean;
  /** In atomic mode, queue a `Bookmark` event on `bookmark(rv)`; only allowed in atomic mode. Default `false`. */
  emitDeltaTypeBookmark?: boolean;
  /** The most events `popBatch` hands out at once (items). Default 1000. */
  batchSize?: number;
  /**
   * Whether a `popBatch` run ends before an event whose key is already in it (client-go's rule, for a
   * consumer that applies a batch as one store transaction). A consumer that applies a batch event by event,
   * in order, turns it off, so that churn on one key (an add, then its delete) does not cut runs short.
   * Default `true`.
   */
  batchKeysUnique?: boolean;
}

interface PendingKey<T> {
  /** How many queued events carry this key. */
  count: number;
  /** The newest of them. */
  last: Delta<T>;
}

const OBJECT_DELTA_TYPES: ReadonlySet<string> = new Set<DeltaType>(['Added', 'Updated', 'Deleted', 'Replaced', 'Sync']);
const ATOMIC_DELTA_TYPES: ReadonlySet<string> = new Set<AtomicDeltaType>(['ReplacedAll', 'SyncAll', 'Bookmark']);

/**
 * The in-order FIFO: a flat log of events in arrival order, with no per-key merging or de-duplication.
 *
 * Contract (client-go's `RealFIFO`):
 * - `add`, `update` and `delete` always queue `Added`, `Updated`, `Deleted` (even for an unknown key).
 * - A relist is applied as one diff. Non-atomic `replace(list)`: first a tombstone `Deleted` for every
 *   queued key missing from the list whose newest event is not a delete, then for every known key missing
 *   from the list with nothing queued; then `Replaced(item)` for every item in list order. Deletes always
 *   come before that relist's replacements. Atomic `replace`: one `ReplacedAll{resourceVersion, objects}`.
 * - Non-atomic `resync`: `Sync(known object)` for every known key with nothing queued. Atomic: `SyncAll`.
 * - `pop` hands out one event at a time as a one-element list. `hasSynced` counts every event queued up to
 *   the end of the first `replace`, and a pop counts only after `process` returns.
 * - Producers are never blocked while `process` runs (client-go's `UnlockWhileProcessing`).
 * - The constructor throws a `TypeError` for option combinations client-go refuses: atomic with
 *   `knownObjects`, non-atomic without them, bookmarks without atomic mode.
 * - Use it when handlers must see every change in arrival order (the informer default, atomic); use
 *   DeltaFIFO when changes per key should be merged until popped.
 *
 * @example
 * const fifo = new RealFIFO<Pod>({ atomicEvents: true, emitDeltaTypeBookmark: true });
 * fifo.replace(pods, '100');
 * await fifo.pop(([event]) => apply(event));
 */
export class RealFIFO<T> implements Queue<T, RealFIFODeltas<T>> {
  readonly #keyFunc: KeyFunc<T>;
  readonly #known: KeyListerGetter<T> | undefined;
  readonly #transformer: ((obj: T) => T) | undefined;
  readonly #atomic: boolean;
  readonly #emitBookmark: boolean;
  readonly #batchSize: number;
  readonly #batchKeysUnique: boolean;
  readonly #events = new Ring<RealFIFODelta<T>>();
  /** The key of each queued event (parallel to `#events`); `undefined` for atomic events. */
  readonly #eventKeys = new Ring<string | undefined>();
  /** Keys with queued events (insertion order is not queue order once events are popped). */
  readonly #pending = new Map<string, PendingKey<T>>();
  readonly #pops = new PopRunner<RealFIFODeltas<T>>({
    source: this.#events,
    entriesOf: (events) => events.length,
  });
  /** Takes the head event off the queue as a one-element list (see `pop`). */
  readonly #takeNext = (): RealFIFODeltas<T> => [this.#shift()];
  /** Takes the longest run of head events a batch may hold (see `popBatch`). */
  readonly #takeBatch = (): RealFIFODeltas<T> => {
    const batch: RealFIFODeltas<T> = new Array(this.#batchLength());
    for (let i = 0; i < batch.length; i++) batch[i] = this.#shift();
    return batch;
  };

  constructor(options: RealFIFOOptions<T> = {}) {
    this.#atomic = options.atomicEvents ?? false;
    this.#emitBookmark = options.emitDeltaTypeBookmark ?? false;
    this.#batchSize = Math.max(1, options.batchSize ?? 1000);
    this.#batchKeysUnique = options.batchKeysUnique ?? true;
    if (this.#atomic && options.knownObjects !== undefined) {
      throw new TypeError('RealFIFO: atomicEvents does not take knownObjects');
    }
    if (!this.#atomic && options.knownObjects === undefined) {
      throw new TypeError('RealFIFO: knownObjects is required unless atomicEvents is set');
    }
    if (!this.#atomic && this.#emitBookmark) {
      throw new TypeError('RealFIFO: emitDeltaTypeBookmark needs atomicEvents');
    }
    this.#keyFunc = options.keyFunction ?? metaNamespaceKeyFunc;
    this.#known = options.knownObjects;
    this.#transformer = options.transformer;
  }

  /** Number of queued events. */
  get length(): number {
    return this.#events.length;
  }

  /** Queues `Added(obj)`. Throws `KeyError`/`TransformError` on bad input, queueing nothing. */
  add(obj: T): void {
    this.#enqueueObject('Added', obj);
  }

  /** Queues `Updated(obj)`. */
  update(obj: T): void {
    this.#enqueueObject('Updated', obj);
  }

  /** Queues `Deleted(obj)`, whether or not the key is known. */
  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    if (obj instanceof DeletedFinalStateUnknown) {
      this.#pops.noteWrite();
      this.#enqueue(obj.key, { type: 'Deleted', object: obj, key: obj.key });
      return;
    }
    this.#enqueueObject('Deleted', obj);
  }

  /**
   * Queues the events of a relist; see the contract. Objects it cannot key or transform are left out (as if
   * not listed) and named in a {@link SkippedObjectsError} thrown after the rest was queued.
   */
  replace(list: readonly T[], resourceVersion: string): void {
    const steps = this.#replaceSteps(list, resourceVersion);
    while (!steps.next().done) {}
  }

  /**
   * The same as {@link replace}, a slice of the event loop at a time (`sliceMs`, default 4 ms): keying and
   * transforming a 100k list does not stall timers and sockets. Returns `undefined` when it fit in one slice
   * (and throws as `replace` does), else a promise of the end. Nothing is queued before every object was
   * keyed and transformed. No other write may be made until it settles (the Reflector awaits it).
   */
  replaceSliced(list: readonly T[], resourceVersion: string, sliceMs = DEFAULT_SLICE_MS): void | Promise<void> {
    return runSliced(this.#replaceSteps(list, resourceVersion), sliceMs);
  }

  *#replaceSteps(list: readonly T[], resourceVersion: string): Generator<void, void> {
    const all: KeyedAndTransformed<T> = { keys: [], objects: [], skipped: [] };
    yield* keyAndTransformSteps(list, (obj) => keyWith(this.#keyFunc, obj), this.#transformer, all);
    const { keys, objects, skipped } = all;
    if (this.#atomic) {
      // The keys name the objects as given; a transformer may change what a key is made of.
      const known = this.#transformer === undefined ? keys : undefined;
      this.#enqueue(undefined, { type: 'ReplacedAll', resourceVersion, objects, keys: known });
    } else {
      this.#reconcile(keys, objects);
    }
    this.#pops.noteReplace(this.#events.length);
    if (skipped.length > 0) throw new SkippedObjectsError(skipped);
  }

  /** Atomic: queues `SyncAll`. Otherwise queues `Sync(known object)` for every known key with nothing queued. */
  resync(): void {
    if (this.#atomic) {
      this.#enqueue(undefined, { type: 'SyncAll' });
      return;
    }
    const known = this.#known as KeyListerGetter<T>;
    for (const key of known.listKeys()) {
      if (this.#pending.has(key)) continue;
      const obj = knownGet(known, key);
      if (obj !== undefined) this.#enqueue(key, { type: 'Sync', object: obj, key });
    }
  }

  /** Queues `Bookmark{resourceVersion}` when atomic with `emitDeltaTypeBookmark`; otherwise does nothing. */
  bookmark(resourceVersion: string): void {
    if (this.#emitBookmark) this.#enqueue(undefined, { type: 'Bookmark', resourceVersion });
  }

  /** Re-queues a popped event list if nothing is queued under its key (atomic events: always). */
  addIfNotPresent(deltas: RealFIFODeltas<T>): void {
    if (deltas.length === 0) throw new KeyError('object was a zero-length Deltas', deltas);
    const key = keyOfDelta(deltas[deltas.length - 1] as RealFIFODelta<T>, this.#keyFunc);
    this.#pops.noteWrite();
    if (key !== undefined && this.#hasQueued(key)) return;
    for (const delta of deltas) this.#enqueue('object' in delta ? key : undefined, delta);
  }

  /** Waits for the next event and hands it to `process` as a one-element list; see {@link Queue}. */
  pop(process: PopProcessFunc<RealFIFODeltas<T>>, signal?: AbortSignal): Promise<RealFIFODeltas<T>> {
    return this.#pops.run(this.#takeNext, process, signal);
  }

  /**
   * Like `pop`, but hands out a run of events at once (client-go's `PopBatch`): from the head, up to
   * `batchSize` per-object events with distinct keys (unless `batchKeysUnique` is off), never mixing events
   * of the first `replace` with later ones. A whole-store event, or a run of one, goes to `processSingle`
   * exactly as `pop` would; longer runs go to `processBatch`. Resolves with the events handed out.
   */
  popBatch(
    processBatch: PopProcessFunc<RealFIFODeltas<T>>,
    processSingle: PopProcessFunc<RealFIFODeltas<T>>,
    signal?: AbortSignal,
  ): Promise<RealFIFODeltas<T>> {
    return this.#pops.run(this.#takeBatch, processBatch, signal, processSingle);
  }

  /** Whether the first `replace` has been fully delivered (see {@link Queue}). */
  hasSynced(): boolean {
    return this.#pops.synced;
  }

  /** Wakes every waiting pop; once empty, pops reject with `FIFOClosedError`. Writes still work. */
  close(): void {
    this.#pops.close();
  }

  /** Whether `close` was called. */
  isClosed(): boolean {
    return this.#pops.closed;
  }

  /** The queued events in order, each as the one-element list `pop` would hand out. */
  list(): RealFIFODeltas<T>[] {
    return this.#events.toArray().map((delta) => [delta]);
  }

  /** The keys with queued events, in the order of their oldest still-queued event (scans the queue). */
  listKeys(): string[] {
    return this.#queuedKeys();
  }

  /** Every event queued under `obj`'s key, oldest first, or `undefined`. */
  get(obj: T): RealFIFODeltas<T> | undefined {
    return this.getByKey(keyWith(this.#keyFunc, obj));
  }

  /** Every event queued under `key`, oldest first, or `undefined` (scans the queue). */
  getByKey(key: string): RealFIFODeltas<T> | undefined {
    if (!this.#hasQueued(key)) return undefined;
    const out: RealFIFODeltas<T> = [];
    for (let i = 0; i < this.#events.length; i++) {
      if (this.#eventKeys.at(i) === key) out.push(this.#events.at(i) as RealFIFODelta<T>);
    }
    return out;
  }

  /**
   * The key of an object, a tombstone, a `Delta` or a `Deltas` (its newest event). Throws `KeyError` for an
   * empty list, an atomic event, or an object the key function rejects.
   */
  keyOf(obj: T | DeletedFinalStateUnknown<T> | RealFIFODelta<T> | RealFIFODeltas<T>): string {
    let target: unknown = obj;
    if (Array.isArray(target)) {
      if (target.length === 0) throw new KeyError('object was a zero-length Deltas', obj);
      target = target[target.length - 1];
    }
    if (isRealFIFODelta<T>(target)) {
      const key = keyOfDelta(target, this.#keyFunc);
      if (key === undefined) throw new KeyError(`a ${target.type} event has no key`, obj);
      return key;
    }
    if (target instanceof DeletedFinalStateUnknown) return target.key;
    return keyWith(this.#keyFunc, target as T);
  }

  /**
   * Distinct keys of the queued events in the order of each key's oldest still-queued event, as client-go's
   * `reconcileReplacement` walks its items. A popped event moves its key behind keys queued since.
   */
  #queuedKeys(): string[] {
    const seen = new Set<string>();
    for (let i = 0; i < this.#eventKeys.length; i++) {
      const key = this.#eventKeys.at(i);
      if (key !== undefined) seen.add(key);
    }
    return Array.from(seen);
  }

  /** How many head events the next batch takes (at least one). */
  #batchLength(): number {
    const initial = this.#pops.initialRemaining;
    const limit = Math.min(this.#events.length, this.#batchSize, initial > 0 ? initial : Number.POSITIVE_INFINITY);
    const keys = this.#batchKeysUnique ? new Set<string>() : undefined;
    let i = 0;
    for (; i < limit; i++) {
      const key = this.#eventKeys.at(i);
      // Only whole-store events are queued without a key: a batch never takes one.
      if (key === undefined) break;
      if (keys === undefined) continue;
      if (keys.has(key)) break;
      keys.add(key);
    }
    return Math.max(i, 1);
  }

  #enqueueObject(type: 'Added' | 'Updated' | 'Deleted', obj: T): void {
    // client-go marks the queue populated before keying, so even a refused write ends the wait for a list.
    this.#pops.noteWrite();
    const key = keyWith(this.#keyFunc, obj);
    if (this.#transformer === undefined) {
      this.#enqueue(key, { type, object: obj, key });
      return;
    }
    // The key names the object as given: a transformer may change what it is made of, so it is not passed on.
    this.#enqueue(key, { type, object: transformWith(this.#transformer, obj) });
  }

  /** Non-atomic relist: tombstones for queued, then known keys missing from the list; then the list. */
  #reconcile(keys: readonly string[], objects: readonly T[]): void {
    const listed = new Set(keys);
    for (const key of this.#queuedKeys()) {
      const state = this.#pending.get(key) as PendingKey<T>;
      if (listed.has(key) || state.last.type === 'Deleted') continue;
      const tombstone = new DeletedFinalStateUnknown<T>(key, state.last.object as T);
      this.#enqueue(key, { type: 'Deleted', object: tombstone, key });
    }
    const known = this.#known as KeyListerGetter<T>;
    for (const key of known.listKeys()) {
      if (listed.has(key) || this.#pending.has(key)) continue;
      this.#enqueue(key, { type: 'Deleted', object: new DeletedFinalStateUnknown<T>(key, knownGet(known, key)), key });
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const object = objects[i] as T;
      this.#enqueue(
        key,
        this.#transformer === undefined ? { type: 'Replaced', object, key } : { type: 'Replaced', object },
      );
    }
  }

  /** Appends `delta` (queued under `key`; `undefined` for a whole-store event) and wakes a pop. */
  #enqueue(key: string | undefined, delta: RealFIFODelta<T>): void {
    this.#events.push(delta);
    this.#eventKeys.push(key);
    if (key !== undefined && !this.#atomic) this.#remember(key, delta as Delta<T>);
    this.#pops.notify();
  }

  /** Removes the head event and returns it. */
  #shift(): RealFIFODelta<T> {
    const key = this.#eventKeys.shift();
    if (!this.#atomic) this.#forget(key);
    return this.#events.shift() as RealFIFODelta<T>;
  }

  /** Whether an event queued under `key` is waiting. */
  #hasQueued(key: string): boolean {
    if (!this.#atomic) return this.#pending.has(key);
    for (let i = 0; i < this.#eventKeys.length; i++) if (this.#eventKeys.at(i) === key) return true;
    return false;
  }

  /** One more queued event carries `key`, and it is the newest. */
  #remember(key: string, delta: Delta<T>): void {
    const state = this.#pending.get(key);
    if (state === undefined) this.#pending.set(key, { count: 1, last: delta });
    else {
      state.count++;
      state.last = delta;
    }
  }

  /** One queued event carrying `key` left the queue. */
  #forget(key: string | undefined): void {
    if (key === undefined) return;
    const state = this.#pending.get(key);
    if (state !== undefined && --state.count === 0) this.#pending.delete(key);
  }
}

/** Whether `value` is a queued event (a {@link Delta} or an {@link AtomicDelta}) rather than an object. */
export function isRealFIFODelta<T>(value: unknown): value is RealFIFODelta<T> {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return false;
  if (ATOMIC_DELTA_TYPES.has(type)) return true;
  return OBJECT_DELTA_TYPES.has(type) && 'object' in value && !('metadata' in value);
}

function keyOfDelta<T>(delta: RealFIFODelta<T>, keyFunc: KeyFunc<T>): string | undefined {
  if (!('object' in delta)) return undefined;
  const obj = delta.object;
  return obj instanceof DeletedFinalStateUnknown ? obj.key : keyWith(keyFunc, obj);
}
