/**
 * Heap: a keyed priority queue (client-go's `cache.Heap`), e.g. for items due at different times.
 */
import { type KeyFunc, metaNamespaceKeyFunc } from './keys.js';
import { keyWith, PopGate } from './queue.js';

/** The heap was closed: `pop` on a closed, empty heap, or a write after `close`. */
export class HeapClosedError extends Error {
  override readonly name = 'HeapClosedError';
  constructor(options?: { cause?: unknown }) {
    super('heap is closed', options);
  }
}

/** `delete` was given an object whose key is not in the heap; the heap is unchanged. */
export class HeapKeyNotFoundError extends Error {
  override readonly name = 'HeapKeyNotFoundError';
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
  }
}

/** Options of {@link Heap}. */
export interface HeapOptions<T> {
  /** Orders the heap: `less(a, b)` means `a` pops before `b`. Required. */
  less: (a: T, b: T) => boolean;
  /** Names the objects; one entry per key. Default `metaNamespaceKeyFunc` (`ns/name`). */
  keyFunction?: KeyFunc<T>;
}

/**
 * A binary heap of keyed objects ordered by `less`, one entry per key.
 *
 * Contract (client-go's `Heap`):
 * - `add`/`update` insert, or replace the object of an existing key and restore the order in place.
 *   `addIfNotPresent` leaves an existing key alone. `bulkAdd` inserts all, keying every object first (a
 *   `KeyError` changes nothing).
 * - `delete` is by key only; a missing key throws {@link HeapKeyNotFoundError}.
 * - `pop()` waits while empty and resolves with the least object; on a closed, empty heap it rejects with
 *   {@link HeapClosedError}, as do writes after `close`. An aborted signal rejects a waiting pop.
 * - Writes cost O(log n); `get`/`getByKey` O(1).
 * - It is not a {@link Queue}: `pop` takes no process function.
 *
 * @example
 * const heap = new Heap<Item>({ keyFunction: (i) => i.name, less: (a, b) => a.due < b.due });
 * heap.add({ name: 'b', due: 2 });
 * heap.add({ name: 'a', due: 1 });
 * await heap.pop(); // { name: 'a', due: 1 }
 */
export class Heap<T> {
  readonly #keyFunc: KeyFunc<T>;
  readonly #less: (a: T, b: T) => boolean;
  readonly #keys: string[] = [];
  readonly #objs: T[] = [];
  /** key → position in `#keys`/`#objs`. */
  readonly #index = new Map<string, number>();
  readonly #gate = new PopGate(this.#keys, () => new HeapClosedError());

  constructor(options: HeapOptions<T>) {
    this.#keyFunc = options.keyFunction ?? metaNamespaceKeyFunc;
    this.#less = options.less;
  }

  /** Number of objects in the heap. */
  get length(): number {
    return this.#keys.length;
  }

  /** Inserts `obj`, or replaces the object with its key and re-orders. */
  add(obj: T): void {
    this.#checkOpen();
    this.#upsert(keyWith(this.#keyFunc, obj), obj);
    this.#gate.notify();
  }

  /** Same as {@link add}. */
  update(obj: T): void {
    this.add(obj);
  }

  /** Inserts `obj` only if its key is absent. */
  addIfNotPresent(obj: T): void {
    this.#checkOpen();
    const key = keyWith(this.#keyFunc, obj);
    if (this.#index.has(key)) return;
    this.#upsert(key, obj);
    this.#gate.notify();
  }

  /** Inserts (or updates) every object of `list`; all are keyed first, so a `KeyError` changes nothing. */
  bulkAdd(list: readonly T[]): void {
    this.#checkOpen();
    const keys = list.map((obj) => keyWith(this.#keyFunc, obj));
    for (let i = 0; i < list.length; i++) this.#upsert(keys[i] as string, list[i] as T);
    this.#gate.notify();
  }

  /** Removes the object with `obj`'s key (the value is ignored). Throws {@link HeapKeyNotFoundError}. */
  delete(obj: T): void {
    const key = keyWith(this.#keyFunc, obj);
    const i = this.#index.get(key);
    if (i === undefined) throw new HeapKeyNotFoundError(key);
    this.#removeAt(i);
  }

  /** Waits for an object and removes and returns the least one; see the contract. */
  async pop(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    if (!this.#gate.tryEnter()) await this.#gate.enter(signal);
    const obj = this.#removeAt(0);
    this.#gate.leave();
    return obj;
  }

  /** The least object without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#objs[0];
  }

  /** Wakes every waiting pop; once empty they reject with {@link HeapClosedError}. */
  close(): void {
    this.#gate.close();
  }

  /** Whether `close` was called. */
  isClosed(): boolean {
    return this.#gate.closed;
  }

  /** A snapshot of the objects, in heap (not sorted) order. */
  list(): T[] {
    return this.#objs.slice();
  }

  /** A snapshot of the keys, in heap order. */
  listKeys(): string[] {
    return this.#keys.slice();
  }

  /** The object with `obj`'s key, or `undefined`. */
  get(obj: T): T | undefined {
    return this.getByKey(keyWith(this.#keyFunc, obj));
  }

  /** The object under `key`, or `undefined`. */
  getByKey(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#objs[i];
  }

  #checkOpen(): void {
    if (this.#gate.closed) throw new HeapClosedError();
  }

  #upsert(key: string, obj: T): void {
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#objs[i] = obj;
      if (!this.#down(i)) this.#up(i);
      return;
    }
    this.#keys.push(key);
    this.#objs.push(obj);
    this.#index.set(key, this.#keys.length - 1);
    this.#up(this.#keys.length - 1);
  }

  #removeAt(i: number): T {
    const last = this.#keys.length - 1;
    const obj = this.#objs[i] as T;
    if (i !== last) this.#swap(i, last);
    this.#index.delete(this.#keys.pop() as string);
    this.#objs.pop();
    if (i !== last && !this.#down(i)) this.#up(i);
    return obj;
  }

  #up(i: number): void {
    let child = i;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.#less(this.#objs[child] as T, this.#objs[parent] as T)) return;
      this.#swap(child, parent);
      child = parent;
    }
  }

  /** Sifts down from `i`; returns whether the entry moved. */
  #down(i: number): boolean {
    const n = this.#keys.length;
    let parent = i;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= n) break;
      const right = left + 1;
      const least = right < n && this.#less(this.#objs[right] as T, this.#objs[left] as T) ? right : left;
      if (!this.#less(this.#objs[least] as T, this.#objs[parent] as T)) break;
      this.#swap(parent, least);
      parent = least;
    }
    return parent !== i;
  }

  #swap(a: number, b: number): void {
    const ka = this.#keys[a] as string;
    const kb = this.#keys[b] as string;
    const oa = this.#objs[a] as T;
    this.#keys[a] = kb;
    this.#keys[b] = ka;
    this.#objs[a] = this.#objs[b] as T;
    this.#objs[b] = oa;
    this.#index.set(kb, a);
    this.#index.set(ka, b);
  }
}
