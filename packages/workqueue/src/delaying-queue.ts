/**
 * client-go's delaying queue (`util/workqueue/delaying_queue.go`): `addAfter(item, ms)` adds the item once
 * the delay has passed. An item already waiting keeps the *earlier* of its two ready times. One clock timer
 * is armed, for the earliest waiting item, however many items wait.
 */
import type { TimerHandle } from '@kubecache/apimachinery';
import { WorkQueue, type WorkQueueOptions } from './queue.js';

interface Waiting<T> {
  item: T;
  readyAt: number;
  /** Position in the heap array, kept current for O(log n) decrease-key. */
  index: number;
}

/** Options of {@link DelayingQueue}: those of {@link WorkQueue}. */
export type DelayingQueueOptions = WorkQueueOptions;

/**
 * A {@link WorkQueue} with delayed adds.
 *
 * @example
 * const q = new DelayingQueue<string>({ clock });
 * q.addAfter('ns/a', 50); // len() is 0 until 50 ms have passed on `clock`
 */
export class DelayingQueue<T> extends WorkQueue<T> {
  readonly #heap: Waiting<T>[] = [];
  readonly #byItem = new Map<T, Waiting<T>>();
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  /** Adds `item` after `delayMs` milliseconds (at once when `delayMs <= 0`); ignored after shutdown. */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown()) return;
    this.countRetry();
    if (!(delayMs > 0)) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.#byItem.get(item);
    if (existing) {
      if (readyAt >= existing.readyAt) return; // the earlier request wins
      existing.readyAt = readyAt;
      this.#up(existing.index);
    } else {
      const entry: Waiting<T> = { item, readyAt, index: this.#heap.length };
      this.#heap.push(entry);
      this.#byItem.set(item, entry);
      this.#up(entry.index);
    }
    this.#arm();
  }

  /** Items waiting for their delay to pass. */
  waitingCount(): number {
    return this.#heap.length;
  }

  override shutDown(): void {
    this.#disarm();
    super.shutDown();
  }

  override shutDownWithDrain(): Promise<void> {
    this.#disarm();
    return super.shutDownWithDrain();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (let top = this.#heap[0]; top && top.readyAt <= now; top = this.#heap[0]) {
      this.#pop();
      this.add(top.item);
    }
    this.#arm();
  }

  #arm(): void {
    const top = this.#heap[0];
    if (!top || this.shuttingDown() || top.readyAt >= this.#timerAt) return;
    this.#disarm();
    this.#timerAt = top.readyAt;
    this.#timer = this.clock.setTimeout(() => this.#fire(), top.readyAt - this.clock.now());
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #pop(): void {
    const heap = this.#heap;
    const top = heap[0] as Waiting<T>;
    const last = heap.pop() as Waiting<T>;
    this.#byItem.delete(top.item);
    if (last !== top) {
      heap[0] = last;
      last.index = 0;
      this.#down(0);
    }
  }

  #up(i: number): void {
    const heap = this.#heap;
    const entry = heap[i] as Waiting<T>;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as Waiting<T>;
      if (parent.readyAt <= entry.readyAt) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = entry;
    entry.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const entry = heap[i] as Waiting<T>;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= heap.length) break;
      const right = heap[c + 1];
      if (right && right.readyAt < (heap[c] as Waiting<T>).readyAt) c++;
      const child = heap[c] as Waiting<T>;
      if (child.readyAt >= entry.readyAt) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
