/**
 * The Queue contract shared by FIFO, DeltaFIFO and the in-order FIFO (client-go's `cache.Queue`), plus the
 * small machinery they share: a backlog with O(1) removal at the head, the gate that parks and serialises
 * `pop` calls, the runner that performs a pop and tracks `hasSynced`, and the key/transform helpers their
 * writes use. The pop contract's tests are in `queue.contract.ts`.
 */
import { KeyError, type KeyFunc } from './keys.js';
import type { ReflectorStore } from './store.js';
import { TransformError } from './thread-safe-store.js';

/**
 * Handles one popped item. `isInInitialList` is true while the queue has not yet synced, i.e. the item came
 * from (or was queued before the end of) the first `replace`. May be async: `pop` awaits it.
 */
export type PopProcessFunc<Item> = (item: Item, isInInitialList: boolean) => void | Promise<void>;

/**
 * `pop` was called on (or was waiting on) a queue that is closed and has nothing left to hand out.
 * client-go's `ErrFIFOClosed`.
 */
export class FIFOClosedError extends Error {
  override readonly name = 'FIFOClosedError';
  constructor(message = 'queue is closed', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An object of a relist that a queue left out: its key when it had one, and why. */
export interface SkippedObject {
  /** The store key, or `undefined` when the key function rejected the object. */
  readonly key: string | undefined;
  /** The object as listed. */
  readonly object: unknown;
  /** A `KeyError` or `TransformError`. */
  readonly cause: Error;
}

/**
 * `replace` left out objects it could not key or transform; every other object was queued and the relist
 * counts as delivered (so one bad object cannot keep an informer from syncing). Thrown after the queueing.
 */
export class SkippedObjectsError extends Error {
  override readonly name = 'SkippedObjectsError';
  constructor(readonly skipped: readonly SkippedObject[]) {
    const shown = skipped
      .slice(0, 5)
      .map((s) => `${s.key ?? '<no key>'}: ${s.cause.name}: ${s.cause.message}`)
      .join('; ');
    const more = skipped.length > 5 ? `; and ${skipped.length - 5} more` : '';
    super(`${skipped.length} object(s) left out of the relist: ${shown}${more}`, { cause: skipped[0]?.cause });
  }
}

/**
 * The objects a queue already knows were delivered (client-go's `KeyListerGetter`); in an informer this is
 * the indexer the popped items are applied to. DeltaFIFO and the non-atomic in-order FIFO read it to detect
 * deletions on `replace` and to re-deliver objects on `resync`.
 */
export interface KeyListerGetter<T> {
  /** The keys of every known object. */
  listKeys(): string[];
  /** The known object under `key`, or `undefined`. */
  getByKey(key: string): T | undefined;
}

/**
 * A queue a Reflector writes into and a single consumer pops from.
 *
 * Contract:
 * - The writes (`add`, `update`, `delete`, `replace`, `resync`) never block and never throw except for bad
 *   input (a `KeyError` or a transform error), in which case nothing changes.
 * - `pop` waits for an item, removes it, then calls `process(item, isInInitialList)` and awaits it. If
 *   `process` throws, the returned promise rejects with that error; the item is gone (re-queue it with
 *   `addIfNotPresent`) and nothing else that was queued is lost.
 * - Pops are served one at a time: while one `process` runs, other pops wait (client-go runs `process` under
 *   the queue's lock), so an item is never processed twice at once. A `process` must not itself await `pop`
 *   on the same queue.
 * - `close()` wakes every waiting pop, which rejects with {@link FIFOClosedError} once nothing is left; a
 *   closed queue still hands out what it holds and still accepts writes.
 * - An aborted `signal` rejects a waiting pop with the signal's reason and takes nothing from the queue.
 * - `hasSynced()` turns true once the first `replace`'s items have all been popped (and processed, for
 *   FIFO and the in-order FIFO), or at once when a write came before any `replace`.
 *
 * `Item` is what `pop` hands out: the object for FIFO, a `Deltas` list for DeltaFIFO and the in-order FIFO.
 */
export interface Queue<T, Item> extends ReflectorStore<T> {
  /** Waits for the next item, hands it to `process` and resolves with it. See the contract above. */
  pop(process: PopProcessFunc<Item>, signal?: AbortSignal): Promise<Item>;
  /**
   * Optional (the in-order FIFO has it): like `pop`, but hands out a run of items at once to `processBatch`,
   * or a single item to `processSingle` with exactly `pop`'s semantics. Resolves with what it handed out.
   */
  popBatch?(
    processBatch: PopProcessFunc<Item>,
    processSingle: PopProcessFunc<Item>,
    signal?: AbortSignal,
  ): Promise<Item>;
  /** Queues `item` only if nothing is queued under its key (re-queues an item whose processing failed). */
  addIfNotPresent(item: Item): void;
  /** Whether the items of the first `replace` have all been popped; see the contract. */
  hasSynced(): boolean;
  /** Wakes all waiting pops; once empty, pops reject with {@link FIFOClosedError}. Idempotent. */
  close(): void;
  /** Whether `close` was called. */
  isClosed(): boolean;
  /** What is queued, one entry per queued item, in no promised order (a snapshot). */
  list(): Item[];
  /** The keys with something queued (a snapshot). */
  listKeys(): string[];
  /** What is queued under `obj`'s key, or `undefined`. Throws `KeyError` when `obj` cannot be keyed. */
  get(obj: T): Item | undefined;
  /** What is queued under `key`, or `undefined`. */
  getByKey(key: string): Item | undefined;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** What a {@link PopGate} needs to know about its queue. @internal */
export interface PopSource {
  /** How many entries are queued (stale entries included). */
  readonly length: number;
}

/**
 * Parks `pop` calls until there is something to take and no other pop is processing, and wakes them on
 * writes and on close. Internal to the queues.
 * @internal
 */
export class PopGate {
  readonly #source: PopSource;
  readonly #closedError: () => Error;
  readonly #waiters = new Set<Waiter>();
  #busy = false;
  #closed = false;

  constructor(source: PopSource, closedError: () => Error = () => new FIFOClosedError()) {
    this.#source = source;
    this.#closedError = closedError;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Takes the gate at once if an entry is ready and no pop is processing; the caller must `leave()`. */
  tryEnter(): boolean {
    if (this.#busy || this.#source.length === 0) return false;
    this.#busy = true;
    return true;
  }

  /**
   * Waits until the gate can be taken. Rejects with the closed error when closed and empty, or with the
   * signal's reason when it aborts first.
   */
  async enter(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) {
        // This pop may have been woken for an entry it will not take now: pass the wake-up on.
        if (!this.#busy && this.#source.length > 0) this.#wakeOne();
        throw signal.reason;
      }
      if (this.tryEnter()) return;
      if (this.#closed && this.#source.length === 0 && !this.#busy) throw this.#closedError();
      await this.#wait(signal);
    }
  }

  /** Releases the gate taken by `tryEnter`/`enter` and wakes the next pop if it can proceed. */
  leave(): void {
    this.#busy = false;
    if (this.#closed) this.#wakeAll();
    else if (this.#source.length > 0) this.#wakeOne();
  }

  /** An entry was queued: wake one waiting pop. */
  notify(): void {
    if (!this.#busy && this.#waiters.size > 0) this.#wakeOne();
  }

  /** Marks the queue closed and wakes every waiting pop. */
  close(): void {
    this.#closed = true;
    this.#wakeAll();
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#waiters.delete(waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.add(waiter);
    });
  }

  #release(waiter: Waiter): void {
    this.#waiters.delete(waiter);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve();
  }

  #wakeOne(): void {
    for (const waiter of this.#waiters) {
      this.#release(waiter);
      return;
    }
  }

  #wakeAll(): void {
    for (const waiter of Array.from(this.#waiters)) this.#release(waiter);
  }
}

/** Options of {@link PopRunner}. @internal */
export interface PopRunnerOptions<Item> {
  /** What the pop gate watches: the queue's backlog, stale entries included. */
  source: PopSource;
  /** How many queued entries an item stands for (a batch: its length). Default: one per item. */
  entriesOf?: (item: Item) => number;
}

/**
 * The consumer side shared by FIFO, DeltaFIFO and the in-order FIFO: it owns the pop gate, tracks the first
 * `replace` for `hasSynced`, and runs a pop from wait to release. Internal to the queues.
 *
 * A pop: wait at the gate; take the head item (the queue's own step); note whether it belongs to the initial
 * list; hand it to `process` and await it; count it; release the gate, even when `process` throws.
 * @internal
 */
export class PopRunner<Item> {
  readonly #gate: PopGate;
  readonly #entriesOf: (item: Item) => number;
  #populated = false;
  #initialRemaining = 0;

  constructor(options: PopRunnerOptions<Item>) {
    this.#gate = new PopGate(options.source);
    this.#entriesOf = options.entriesOf ?? oneEntry;
  }

  /** Whether the first `replace` has been fully delivered, or a write came before any `replace`. */
  get synced(): boolean {
    return this.#populated && this.#initialRemaining === 0;
  }

  /** How many entries of the first `replace` are still to be delivered. */
  get initialRemaining(): number {
    return this.#initialRemaining;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#gate.closed;
  }

  /** A write other than `replace` happened: if it is the first, there is no initial list to wait for. */
  noteWrite(): void {
    this.#populated = true;
  }

  /** A `replace` left `queued` entries in the queue: if it is the first write, they are the initial list. */
  noteReplace(queued: number): void {
    if (this.#populated) return;
    this.#populated = true;
    this.#initialRemaining = queued;
  }

  /** `entries` queued entries left the queue (delivered, or skipped as stale). */
  countDelivered(entries: number): void {
    if (this.#initialRemaining > 0) this.#initialRemaining = Math.max(0, this.#initialRemaining - entries);
  }

  /** An entry was queued: wake a waiting pop. */
  notify(): void {
    this.#gate.notify();
  }

  /** Wakes every waiting pop; once the queue is empty they reject with {@link FIFOClosedError}. */
  close(): void {
    this.#gate.close();
  }

  /**
   * Runs one pop (see {@link Queue}). `take` removes the head item while the gate is held, or returns
   * `undefined` when only stale entries were left, and the pop waits again. With `single`, an item of exactly
   * one entry goes to `single` instead of `process`.
   */
  async run(
    take: () => Item | undefined,
    process: PopProcessFunc<Item>,
    signal?: AbortSignal,
    single?: PopProcessFunc<Item>,
  ): Promise<Item> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (!this.#gate.tryEnter()) await this.#gate.enter(signal);
      const item = take();
      if (item === undefined) {
        this.#gate.leave();
        continue;
      }
      const isInInitialList = !this.synced;
      const entries = this.#entriesOf(item);
      try {
        const pending = (single !== undefined && entries === 1 ? single : process)(item, isInInitialList);
        if (pending !== undefined) await pending;
      } finally {
        // Counted once `process` has settled, so `hasSynced` never reads true while it still runs.
        this.countDelivered(entries);
        this.#gate.leave();
      }
      return item;
    }
  }
}

function oneEntry(): number {
  return 1;
}

/**
 * Runs `keyFunc` on `obj`; anything it throws that is not a {@link KeyError} is wrapped in one.
 * @internal
 */
export function keyWith<T>(keyFunc: KeyFunc<T>, obj: T): string {
  try {
    return keyFunc(obj);
  } catch (err) {
    if (err instanceof KeyError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new KeyError(`couldn't create key for object: ${reason}`, obj, { cause: err });
  }
}

/**
 * Runs the optional `transformer` on `obj`; a throw becomes a {@link TransformError} with the cause.
 * @internal
 */
export function transformWith<T>(transformer: ((obj: T) => T) | undefined, obj: T): T {
  if (transformer === undefined) return obj;
  try {
    return transformer(obj);
  } catch (err) {
    throw new TransformError(obj, { cause: err });
  }
}

/**
 * Keys and transforms every object of `list` before anything is queued. An object the key function or the
 * transformer rejects is left out and listed in `skipped` (the relist goes on without it, as client-go's
 * does). `keys[i]` names `objects[i]`, the transformed value of a kept object, in list order.
 * @internal
 */
export function keyAndTransformAll<T>(
  list: readonly T[],
  keyOf: (obj: T) => string,
  transformer: ((obj: T) => T) | undefined,
): { keys: string[]; objects: T[]; skipped: SkippedObject[] } {
  const keys: string[] = [];
  const objects: T[] = [];
  const skipped: SkippedObject[] = [];
  for (const obj of list) {
    let key: string | undefined;
    try {
      key = keyOf(obj);
      objects.push(transformWith(transformer, obj));
      keys.push(key);
    } catch (err) {
      skipped.push({ key, object: obj, cause: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return { keys, objects, skipped };
}

/** What {@link keyAndTransformSteps} fills: as {@link keyAndTransformAll} returns. @internal */
export interface KeyedAndTransformed<T> {
  keys: string[];
  objects: T[];
  skipped: SkippedObject[];
}

/**
 * {@link keyAndTransformAll} as steps a sliced replace can pause between (every 1024 objects), filling `out`.
 * @internal
 */
export function* keyAndTransformSteps<T>(
  list: readonly T[],
  keyOf: (obj: T) => string,
  transformer: ((obj: T) => T) | undefined,
  out: KeyedAndTransformed<T>,
): Generator<void, void> {
  for (let i = 0; i < list.length; i++) {
    if ((i & 1023) === 1023) yield;
    const obj = list[i] as T;
    let key: string | undefined;
    try {
      key = keyOf(obj);
      out.objects.push(transformWith(transformer, obj));
      out.keys.push(key);
    } catch (err) {
      out.skipped.push({ key, object: obj, cause: err instanceof Error ? err : new Error(String(err)) });
    }
  }
}

/**
 * `known.getByKey(key)`, with a throwing lookup read as "not there" (a relist or resync must not fail on it).
 * @internal
 */
export function knownGet<T>(known: KeyListerGetter<T> | undefined, key: string): T | undefined {
  try {
    return known?.getByKey(key);
  } catch {
    return undefined;
  }
}
