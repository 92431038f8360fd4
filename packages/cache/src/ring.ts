/**
 * A growable circular buffer: O(1) push at the tail and shift at the head, without `Array.shift`'s O(n)
 * copying on big queues. Every queue in kubecache holds its entries in one (FIFO, DeltaFIFO, the in-order
 * FIFO, the workqueue, per-handler buffers).
 *
 * @example
 * const ring = new Ring<string>();
 * ring.push('a');
 * ring.push('b');
 * ring.shift(); // 'a'
 */
export class Ring<T> {
  #buf: (T | undefined)[];
  #head = 0;
  #size = 0;

  /** @param capacity - initial slot count (rounded up to a power of two); the ring doubles when full. */
  constructor(capacity = 16) {
    let c = 1;
    while (c < capacity) c *= 2;
    this.#buf = new Array<T | undefined>(c);
  }

  /** Number of items held. */
  get length(): number {
    return this.#size;
  }

  /** Appends `item` at the tail. */
  push(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#size) & (this.#buf.length - 1)] = item;
    this.#size++;
  }

  /** Removes and returns the head item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#buf[this.#head];
    this.#buf[this.#head] = undefined; // drop the reference so the item can be collected
    this.#head = (this.#head + 1) & (this.#buf.length - 1);
    this.#size--;
    return item;
  }

  /** The head item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#buf[this.#head];
  }

  /** The item at position `i` from the head (0 is the head), or `undefined` when out of range. */
  at(i: number): T | undefined {
    return i < 0 || i >= this.#size ? undefined : this.#buf[(this.#head + i) & (this.#buf.length - 1)];
  }

  /** A copy of the items, head first. */
  toArray(): T[] {
    const out = new Array<T>(this.#size);
    for (let i = 0; i < this.#size; i++) out[i] = this.#buf[(this.#head + i) & (this.#buf.length - 1)] as T;
    return out;
  }

  /** Removes every item. */
  clear(): void {
    this.#buf.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const next = new Array<T | undefined>(this.#buf.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#buf[(this.#head + i) & (this.#buf.length - 1)];
    this.#buf = next;
    this.#head = 0;
  }
}
