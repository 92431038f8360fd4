/**
 * DeltaFIFO: a queue of per-key change lists (client-go's `cache.DeltaFIFO`), the classic informer queue.
 */
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

/** Items handled between two points where a sliced replace may pause (a power of two, minus one). */
const SLICE_MASK = 1023;

/** What happened to an object. `Replaced` and `Sync` come from a relist or resync, not from a watch event. */
export type DeltaType = 'Added' | 'Updated' | 'Deleted' | 'Replaced' | 'Sync';

/**
 * One change to one object, carrying the object's state after the change. A `Deleted` delta carries the
 * last known state, or a {@link DeletedFinalStateUnknown} tombstone when a relist found the object gone.
 * `key`, when present, is the key of the object carried, as the queue computed it: DeltaFIFO and the
 * in-order FIFO record it, unless a transformer could have changed what the key is made of (tombstones and
 * `Sync` deltas of known objects always carry theirs), so that their consumer does not key every object a
 * second time.
 */
export type Delta<T> =
  | { readonly type: Exclude<DeltaType, 'Deleted'>; readonly object: T; readonly key?: string }
  | { readonly type: 'Deleted'; readonly object: T | DeletedFinalStateUnknown<T>; readonly key?: string };

/** The changes queued for one key, oldest first; never empty when popped. */
export type Deltas<T> = Delta<T>[];

/** The newest delta of `deltas`, or `undefined` when empty. */
export function newestDelta<D>(deltas: readonly D[]): D | undefined {
  return deltas[deltas.length - 1];
}

/** The oldest delta of `deltas`, or `undefined` when empty. */
export function oldestDelta<D>(deltas: readonly D[]): D | undefined {
  return deltas[0];
}

/** Options of {@link DeltaFIFO}; every field is optional. */
export interface DeltaFIFOOptions<T> {
  /** Names the objects. Default `metaNamespaceKeyFunc` (`ns/name`). */
  keyFunction?: KeyFunc<T>;
  /**
   * The objects already delivered (in an informer: its indexer). With it, `replace` emits tombstones for
   * known keys missing from the list, `resync` re-delivers known objects as `Sync`, and `delete` of a key
   * that is neither known nor queued is still recorded. Default: none.
   */
  knownObjects?: KeyListerGetter<T>;
  /**
   * Emit `Replaced` instead of `Sync` for the items of `replace`, so a consumer can tell a relist from a
   * resync. Default `false` (client-go's compatible behaviour; informers set it to `true`).
   */
  emitDeltaTypeReplaced?: boolean;
  /**
   * Runs exactly once on every object given to `add`, `update`, `delete` and `replace`, before it is queued
   * (never on tombstones or `Sync` objects from `knownObjects`). A throw becomes a `TransformError` and
   * nothing is queued. Default: none.
   */
  transformer?: (obj: T) => T;
  /**
   * Removes redundant deltas of one key (the seed's `DeltaCompressor`): called with the key's deltas after
   * each change, it returns the deltas to keep, possibly none (the key then leaves the queue). It must not
   * keep a delta it was not given. A throw refuses the write that triggered it (a `DeltaCompressorError`),
   * leaving the queue as it was. Default: none.
   */
  compressor?: (deltas: Deltas<T>) => Deltas<T>;
}

/** The delta compressor threw; the write that called it was refused. */
export class DeltaCompressorError extends Error {
  override readonly name = 'DeltaCompressorError';
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(
      `delta compressor failed for ${JSON.stringify(key)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * The DeltaFIFO: each key is queued once, with every change since it was last popped.
 *
 * Contract (client-go's `DeltaFIFO`):
 * - A new delta for a queued key is appended to its list and does not move the key.
 * - Two consecutive `Deleted` deltas collapse into one: the newer, unless the newer is a tombstone.
 * - `delete` of a key with nothing queued is dropped when there are no known objects, or when the key is
 *   not known either.
 * - `replace(list)` queues `Sync` (or `Replaced`) for every item, then a tombstone `Deleted` for every
 *   queued key missing from the list and, with known objects, for every known key missing from the list
 *   that has nothing queued. An object it cannot key or transform is left out (as if not listed); the rest
 *   is queued, then a `SkippedObjectsError` names what was left out.
 * - `resync` queues `Sync(known object)` for every known key with nothing queued.
 * - `hasSynced` counts the first `replace`'s keys and the tombstones it made; a pop counts once `process`
 *   has settled, so a handler never sees `hasSynced` turn true and then false (client-go counts on take,
 *   but holds its lock while processing, so nobody can observe the difference).
 * - `pop` hands the key's whole `Deltas` to `process` (the list is the caller's from then on).
 * - Each delta carries its `key` unless a transformer ran on its object (see {@link Delta}).
 *
 * @example
 * const fifo = new DeltaFIFO<Pod>({ knownObjects: indexer, emitDeltaTypeReplaced: true });
 * fifo.replace(pods, '100');
 * await fifo.pop((deltas) => apply(deltas));
 */
export class DeltaFIFO<T> implements Queue<T, Deltas<T>> {
  readonly #keyFunc: KeyFunc<T>;
  readonly #known: KeyListerGetter<T> | undefined;
  readonly #listDeltaType: 'Replaced' | 'Sync';
  readonly #transformer: ((obj: T) => T) | undefined;
  readonly #compressor: ((deltas: Deltas<T>) => Deltas<T>) | undefined;
  readonly #items = new Map<string, Deltas<T>>();
  readonly #queue = new Ring<string>();
  readonly #pops = new PopRunner<Deltas<T>>({ source: this.#queue });
  /** Takes the head key's `Deltas` off the queue (see `pop`). */
  readonly #takeNext = (): Deltas<T> => {
    const key = this.#queue.shift() as string;
    const deltas = this.#items.get(key) as Deltas<T>;
    this.#items.delete(key);
    return deltas;
  };

  constructor(options: DeltaFIFOOptions<T> = {}) {
    this.#keyFunc = options.keyFunction ?? metaNamespaceKeyFunc;
    this.#known = options.knownObjects;
    this.#listDeltaType = options.emitDeltaTypeReplaced ? 'Replaced' : 'Sync';
    this.#transformer = options.transformer;
    this.#compressor = options.compressor;
  }

  /** Number of keys queued. */
  get length(): number {
    return this.#queue.length;
  }

  /**
   * Queues `Added(obj)`. Throws `KeyError`/`TransformError` on bad input, queueing nothing (the queue still
   * counts as written to, as client-go marks it populated first).
   */
  add(obj: T): void {
    this.#pops.noteWrite();
    const key = this.keyOf(obj);
    this.#append(key, this.#delta('Added', obj, key));
  }

  /** Queues `Updated(obj)`. */
  update(obj: T): void {
    this.#pops.noteWrite();
    const key = this.keyOf(obj);
    this.#append(key, this.#delta('Updated', obj, key));
  }

  /** Queues `Deleted(obj)` unless the key is neither queued nor known (see the contract). */
  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    const key = this.keyOf(obj);
    this.#pops.noteWrite();
    if (!this.#items.has(key) && !this.#knownHas(key)) return;
    if (obj instanceof DeletedFinalStateUnknown) this.#append(key, { type: 'Deleted', object: obj, key });
    else this.#append(key, this.#delta('Deleted', obj, key));
  }

  /** Re-queues a popped `Deltas` if nothing is queued under its key (legacy client-go behaviour). */
  addIfNotPresent(deltas: Deltas<T>): void {
    const key = this.keyOf(deltas);
    this.#pops.noteWrite();
    if (this.#items.has(key)) return;
    this.#items.set(key, deltas.slice());
    this.#queue.push(key);
    this.#pops.notify();
  }

  /**
   * Queues the list and the tombstones it implies; see the contract. `resourceVersion` is not used. Throws
   * {@link SkippedObjectsError} after queueing when some objects could not be keyed or transformed.
   */
  replace(list: readonly T[], _resourceVersion: string): void {
    const steps = this.#replaceSteps(list);
    while (!steps.next().done) {}
  }

  /**
   * The same as {@link replace}, a slice of the event loop at a time (`sliceMs`, default 4 ms): a 100k list
   * does not stall timers and sockets. Returns `undefined` when it fit in one slice (and throws as `replace`
   * does), else a promise of the end. Pops may take what is already queued meanwhile; no other write may be
   * made until it settles (the Reflector awaits it).
   */
  replaceSliced(list: readonly T[], _resourceVersion: string, sliceMs = DEFAULT_SLICE_MS): void | Promise<void> {
    return runSliced(this.#replaceSteps(list), sliceMs);
  }

  *#replaceSteps(list: readonly T[]): Generator<void, void> {
    const all: KeyedAndTransformed<T> = { keys: [], objects: [], skipped: [] };
    yield* keyAndTransformSteps(list, (obj) => this.keyOf(obj), this.#transformer, all);
    const { keys, objects, skipped } = all;
    const mayDelete = this.#items.size > 0 || this.#known !== undefined;
    const listed = mayDelete ? new Set<string>() : undefined;
    for (let i = 0; i < keys.length; i++) {
      if ((i & SLICE_MASK) === SLICE_MASK) yield;
      listed?.add(keys[i] as string);
    }
    // The keys name the objects as listed: a transformer may have changed what they are made of.
    const carryKeys = this.#transformer === undefined;
    for (let i = 0; i < keys.length; i++) {
      if ((i & SLICE_MASK) === SLICE_MASK) yield;
      const key = keys[i] as string;
      const object = objects[i] as T;
      this.#append(key, carryKeys ? { type: this.#listDeltaType, object, key } : { type: this.#listDeltaType, object });
    }
    if (listed !== undefined) {
      yield* this.#tombstoneQueued(listed);
      yield* this.#tombstoneKnown(listed);
    }
    // On the first write every queued key is a listed key or a tombstone: the initial list.
    this.#pops.noteReplace(this.#items.size);
    if (skipped.length > 0) throw new SkippedObjectsError(skipped);
  }

  /** Queues `Sync(known object)` for every known key with nothing queued; a no-op without known objects. */
  resync(): void {
    const known = this.#known;
    if (known === undefined) return;
    for (const key of known.listKeys()) {
      if (this.#items.has(key)) continue;
      const obj = knownGet(known, key);
      if (obj !== undefined) this.#append(key, { type: 'Sync', object: obj, key });
    }
  }

  /** Waits for the next key and hands its `Deltas` to `process`; see {@link Queue}. */
  pop(process: PopProcessFunc<Deltas<T>>, signal?: AbortSignal): Promise<Deltas<T>> {
    return this.#pops.run(this.#takeNext, process, signal);
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

  /** Copies of the queued `Deltas`, in queue order. */
  list(): Deltas<T>[] {
    return this.#queue.toArray().map((key) => (this.#items.get(key) as Deltas<T>).slice());
  }

  /** The queued keys, in queue order. */
  listKeys(): string[] {
    return this.#queue.toArray();
  }

  /** A copy of the `Deltas` queued under `obj`'s key, or `undefined`. */
  get(obj: T): Deltas<T> | undefined {
    return this.getByKey(this.keyOf(obj));
  }

  /** A copy of the `Deltas` queued under `key`, or `undefined`. */
  getByKey(key: string): Deltas<T> | undefined {
    return this.#items.get(key)?.slice();
  }

  /**
   * The key of an object, a tombstone (its key) or a `Deltas` (the key of its newest object). Throws
   * `KeyError` for an empty `Deltas` or an object the key function rejects.
   */
  keyOf(obj: T | DeletedFinalStateUnknown<T> | Deltas<T>): string {
    let target: unknown = obj;
    if (Array.isArray(target)) {
      const newest = newestDelta(target as Deltas<T>);
      if (newest === undefined) throw new KeyError('object was a zero-length Deltas', obj);
      target = newest.object;
    }
    if (target instanceof DeletedFinalStateUnknown) return target.key;
    return keyWith(this.#keyFunc, target as T);
  }

  /**
   * The delta of a write of `obj` (transformed). It carries `key` (the key of `obj` as given) only without a
   * transformer, which could change what the key is made of: its consumer then need not key it again.
   */
  #delta(type: 'Added' | 'Updated' | 'Deleted', obj: T, key: string): Delta<T> {
    if (this.#transformer === undefined) return { type, object: obj, key };
    return { type, object: transformWith(this.#transformer, obj) };
  }

  /** Appends `delta` to `key`'s list (collapsing a repeated delete) and queues the key if new. */
  #append(key: string, delta: Delta<T>): void {
    if (this.#compressor === undefined) {
      this.#appendRaw(key, delta);
      return;
    }
    const before = this.#items.get(key)?.slice();
    this.#appendRaw(key, delta);
    const after = this.#items.get(key) as Deltas<T>;
    let kept: Deltas<T>;
    try {
      kept = this.#compressor(after.slice());
    } catch (err) {
      if (before === undefined) this.#dropKey(key);
      else this.#items.set(key, before);
      throw new DeltaCompressorError(key, err);
    }
    if (kept.length === 0) this.#dropKey(key);
    else this.#items.set(key, kept.slice());
  }

  /** Forgets a queued key whose deltas a compressor removed (rare: rebuilds the queue without it). */
  #dropKey(key: string): void {
    this.#items.delete(key);
    const rest = this.#queue.toArray().filter((k) => k !== key);
    this.#queue.clear();
    for (const k of rest) this.#queue.push(k);
  }

  #appendRaw(key: string, delta: Delta<T>): void {
    const deltas = this.#items.get(key);
    if (deltas === undefined) {
      this.#items.set(key, [delta]);
      this.#queue.push(key);
      this.#pops.notify();
      return;
    }
    const last = deltas[deltas.length - 1] as Delta<T>;
    if (delta.type === 'Deleted' && last.type === 'Deleted') {
      // client-go's isDeletionDup keeps the newer delete unless it is a tombstone (it knows less).
      if (!(delta.object instanceof DeletedFinalStateUnknown)) deltas[deltas.length - 1] = delta;
      return;
    }
    deltas.push(delta);
  }

  /** Tombstones every queued key missing from `listed` (a repeated delete collapses, see `#append`). */
  *#tombstoneQueued(listed: ReadonlySet<string>): Generator<void, void> {
    let n = 0;
    for (const [key, deltas] of this.#items) {
      if ((++n & SLICE_MASK) === 0) yield;
      if (listed.has(key)) continue;
      const newest = newestDelta(deltas)?.object;
      const last = newest instanceof DeletedFinalStateUnknown ? newest.obj : newest;
      this.#append(key, { type: 'Deleted', object: new DeletedFinalStateUnknown<T>(key, last), key });
    }
  }

  /**
   * Tombstones every known key missing from `listed` with nothing queued. A sliced replace may pause between
   * keys, and a pop in between may deliver a queued delete of a key still in the known-keys snapshot: each key
   * is looked up again when its turn comes, and one no longer known is not tombstoned a second time.
   */
  *#tombstoneKnown(listed: ReadonlySet<string>): Generator<void, void> {
    const known = this.#known;
    if (known === undefined) return;
    const keys = known.listKeys();
    let paused = false;
    for (let i = 0; i < keys.length; i++) {
      if ((i & SLICE_MASK) === SLICE_MASK) {
        yield;
        paused = true;
      }
      const key = keys[i] as string;
      if (listed.has(key) || this.#items.has(key)) continue;
      const last = knownGet(known, key);
      if (last === undefined && paused) continue;
      this.#append(key, { type: 'Deleted', object: new DeletedFinalStateUnknown<T>(key, last), key });
    }
  }

  /** Whether `key` is known; a throwing lookup counts as known, so the delete is not lost. */
  #knownHas(key: string): boolean {
    if (this.#known === undefined) return false;
    try {
      return this.#known.getByKey(key) !== undefined;
    } catch {
      return true;
    }
  }
}
