/**
 * The cyclic event buffer of the watch cache (the apiserver's `watch_cache_history.go`): a ring whose
 * capacity doubles while every buffered event is fresh and halves when its last quarter is stale, with
 * indexes that only grow, so intervals built before a relist are detectably invalid.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { expiredError, internalError } from '@kubecache/apimachinery';
import type { WatchCacheEvent } from './watch-cache-event.js';

/** Options of {@link WatchCacheHistory}. */
export interface WatchCacheHistoryOptions {
  /** Smallest (and initial) capacity, in events. Default 100. */
  lowerBoundCapacity?: number;
  /** Largest capacity, in events. Default 102 400. */
  upperBoundCapacity?: number;
  /** How long an event counts as fresh, in ms. Default 75 000. */
  eventFreshDurationMs?: number;
}

/** The event ring. Indexes `start`/`end` are monotonic; live events are [start, end). */
export class WatchCacheHistory<T extends KubeObject> {
  readonly lowerBound: number;
  readonly upperBound: number;
  /** How long an event counts as fresh (the history window), in ms. */
  readonly eventFreshDurationMs: number;
  #ring: (WatchCacheEvent<T> | undefined)[];
  #start = 0;
  #end = 0;
  #removedSinceRelist = false;

  constructor(options: WatchCacheHistoryOptions = {}) {
    this.lowerBound = options.lowerBoundCapacity ?? 100;
    this.upperBound = Math.max(this.lowerBound, options.upperBoundCapacity ?? 100 * 1024);
    this.eventFreshDurationMs = options.eventFreshDurationMs ?? 75_000;
    this.#ring = new Array(this.lowerBound);
  }

  get capacity(): number {
    return this.#ring.length;
  }
  get start(): number {
    return this.#start;
  }
  get end(): number {
    return this.#end;
  }
  get size(): number {
    return this.#end - this.#start;
  }

  /** The event at absolute index `i`, or `undefined` once it has left the buffer. */
  at(i: number): WatchCacheEvent<T> | undefined {
    return i >= this.#start && i < this.#end ? this.#ring[i % this.#ring.length] : undefined;
  }

  /** Appends, resizing first when full, then dropping the oldest when still full. */
  insert(event: WatchCacheEvent<T>): void {
    this.#resize(event.recordTime);
    if (this.size === this.capacity) {
      this.#ring[this.#start % this.capacity] = undefined;
      this.#start++;
      this.#removedSinceRelist = true;
    }
    this.#ring[this.#end % this.capacity] = event;
    this.#end++;
  }

  /** Forgets every event (a relist); indexes keep growing. */
  reset(): void {
    this.#start = this.#end;
    this.#ring = new Array(this.capacity);
    this.#removedSinceRelist = false;
  }

  /**
   * The absolute index of the first event after `rv`, given the list RV of the last relist. Throws 410
   * `too old resource version: <rv> (<oldest-1>)` when events after `rv` are gone.
   */
  indexAfter(rv: number, listResourceVersion: number): number {
    const oldest = this.#oldestServable(listResourceVersion);
    if (rv < oldest - 1) throw expiredError(`too old resource version: ${rv} (${oldest - 1})`);
    let [lo, hi] = [this.#start, this.#end];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.at(mid) as WatchCacheEvent<T>).resourceVersion <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #oldestServable(listRV: number): number {
    if (listRV > 0 && !this.#removedSinceRelist) return listRV + 1;
    const first = this.at(this.#start);
    if (first) return first.resourceVersion;
    throw internalError("watch cache isn't correctly initialized");
  }

  #resize(now: number): void {
    if (this.size !== this.capacity) return;
    const oldest = this.at(this.#start) as WatchCacheEvent<T>;
    if (now - oldest.recordTime < this.eventFreshDurationMs) {
      const bigger = Math.min(this.capacity * 2, this.upperBound);
      if (bigger > this.capacity) this.#resizeTo(bigger);
      return;
    }
    const quarterBack = this.at(this.#end - Math.floor(this.capacity / 4)) as WatchCacheEvent<T>;
    if (now - quarterBack.recordTime > this.eventFreshDurationMs) {
      const smaller = Math.max(Math.floor(this.capacity / 2), this.lowerBound);
      if (smaller < this.capacity) this.#resizeTo(smaller);
    }
  }

  #resizeTo(capacity: number): void {
    const ring: (WatchCacheEvent<T> | undefined)[] = new Array(capacity);
    if (capacity < this.size) {
      this.#start = this.#end - capacity;
      this.#removedSinceRelist = true;
    }
    for (let i = this.#start; i < this.#end; i++) ring[i % capacity] = this.#ring[i % this.#ring.length];
    this.#ring = ring;
  }
}

/** Scales the upper bound for a history window longer than 75 s: ×2^ceil(log2(window / 75 s)). */
export function upperBoundForWindow(windowMs: number, base = 100 * 1024, freshMs = 75_000): number {
  if (windowMs <= freshMs) return base;
  const k = Math.ceil(Math.log2(windowMs / freshMs));
  return Math.min(base * 2 ** k, 2 ** 31 - 1);
}
