/**
 * FIFO: a queue of objects keyed by a key function, each key queued at most once (client-go's `cache.FIFO`).
 */
import { type KeyFunc, metaNamespaceKeyFunc } from './keys.js';
import { keyWith, type PopProcessFunc, PopRunner, type Queue } from './queue.js';
import { Ring } from './ring.js';

/** Options of {@link FIFO}. */
export interface FIFOOptions<T> {
  /** Names the queued objects. Default `metaNamespaceKeyFunc` (`ns/name`). */
  keyFunction?: KeyFunc<T>;
}

/**
 * A keyed first-in-first-out queue: the consumer sees the newest value of each key, once.
 *
 * Contract (client-go's `FIFO`):
 * - `add`/`update` queue the key at the tail if it is not queued yet and always store the newest value; a
 *   key already queued keeps its place, so `pop` returns the newest value at the old position.
 * - `delete` drops the value; the key's slot stays in the queue and `pop` skips it.
 * - `replace` swaps values and queue wholesale (order of the list, duplicates collapsed to the last value).
 * - `resync` re-queues any stored key missing from the queue (normally nothing).
 * - `hasSynced` turns true after a write that came before any `replace`, or once every item of the first
 *   `replace` has been popped and processed (`replace([])` first: at once); the slot of a deleted item counts
 *   when the pop that skipped it hands out a live item.
 * - `pop` as in {@link Queue}: the item is removed before `process` runs.
 * - Use it when only the latest state per key matters; informers use the in-order FIFO or DeltaFIFO.
 *
 * @example
 * const fifo = new FIFO<Pod>();
 * fifo.add(pod);
 * await fifo.pop((p) => console.log(p.metadata.name));
 */
export class FIFO<T> implements Queue<T, T> {
  readonly #keyFunc: KeyFunc<T>;
  #items = new Map<string, T>();
  readonly #queue = new Ring<string>();
  /** Stale slots skipped by the pop in progress; they count as delivered when it hands out a live item. */
  #skipped = 0;
  readonly #pops = new PopRunner<T>({ source: this.#queue, entriesOf: () => this.#takeSkipped() + 1 });
  /** Takes the value of the first live key off the queue (see `pop`). */
  readonly #takeNext = (): T | undefined => {
    const key = this.#nextLiveKey();
    if (key === undefined) return undefined;
    const item = this.#items.get(key) as T;
    this.#items.delete(key);
    return item;
  };

  constructor(options: FIFOOptions<T> = {}) {
    this.#keyFunc = options.keyFunction ?? metaNamespaceKeyFunc;
  }

  /** Number of objects queued (deleted keys not counted). */
  get length(): number {
    return this.#items.size;
  }

  /** Queues `obj` (or refreshes its value in place). Throws `KeyError` when it cannot be keyed. */
  add(obj: T): void {
    const key = keyWith(this.#keyFunc, obj);
    this.#pops.noteWrite();
    if (!this.#items.has(key)) this.#queue.push(key);
    this.#items.set(key, obj);
    this.#pops.notify();
  }

  /** Same as {@link add}. */
  update(obj: T): void {
    this.add(obj);
  }

  /** Drops the value queued under `obj`'s key; the key's slot is skipped by `pop`. */
  delete(obj: T): void {
    const key = keyWith(this.#keyFunc, obj);
    this.#pops.noteWrite();
    this.#items.delete(key);
  }

  /** Queues `obj` only if its key holds nothing yet. */
  addIfNotPresent(obj: T): void {
    const key = keyWith(this.#keyFunc, obj);
    this.#pops.noteWrite();
    if (this.#items.has(key)) return;
    this.#queue.push(key);
    this.#items.set(key, obj);
    this.#pops.notify();
  }

  /** Replaces values and queue with `list`. All or nothing: a `KeyError` changes nothing. */
  replace(list: readonly T[], _resourceVersion: string): void {
    const keys = list.map((obj) => keyWith(this.#keyFunc, obj));
    const items = new Map<string, T>();
    for (let i = 0; i < list.length; i++) items.set(keys[i] as string, list[i] as T);
    this.#pops.noteReplace(items.size);
    this.#items = items;
    this.#queue.clear();
    for (const key of items.keys()) this.#queue.push(key);
    this.#pops.notify();
  }

  /** Re-queues every stored key missing from the queue. */
  resync(): void {
    const queued = new Set(this.#queue.toArray());
    for (const key of this.#items.keys()) if (!queued.has(key)) this.#queue.push(key);
    this.#pops.notify();
  }

  /** Waits for the next live item and hands it to `process`; see {@link Queue}. */
  pop(process: PopProcessFunc<T>, signal?: AbortSignal): Promise<T> {
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

  /** The queued objects (a snapshot, in no promised order). */
  list(): T[] {
    return Array.from(this.#items.values());
  }

  /** The keys of the queued objects (a snapshot). */
  listKeys(): string[] {
    return Array.from(this.#items.keys());
  }

  /** The object queued under `obj`'s key, or `undefined`; throws `KeyError` when `obj` cannot be keyed. */
  get(obj: T): T | undefined {
    return this.#items.get(keyWith(this.#keyFunc, obj));
  }

  /** The object queued under `key`, or `undefined`. */
  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  /**
   * Shifts stale slots (deleted keys) off the head and returns the first live key. Stale slots count as
   * delivered only once the pop that skipped them has processed a live item: client-go defers each
   * decrement to the end of `Pop`, so a pop blocked after skipping a deleted initial item leaves `hasSynced`
   * false.
   */
  #nextLiveKey(): string | undefined {
    for (;;) {
      const key = this.#queue.shift();
      if (key === undefined || this.#items.has(key)) return key;
      this.#skipped++;
    }
  }

  #takeSkipped(): number {
    const n = this.#skipped;
    this.#skipped = 0;
    return n;
  }
}
