/**
 * Intervals: what a new watcher replays before live events (the apiserver's `watch_cache_interval.go`).
 * Either a range of the history buffer (events after an RV) or a snapshot of the store (the current state
 * as ADDED events, in key order).
 */
import type { KubeObject } from '@kubecache/apimachinery';
import type { WatchCacheEvent } from './watch-cache-event.js';
import type { WatchCacheHistory } from './watch-cache-history.js';

/** Thrown when a history interval's events were dropped (a relist or overflow) before it was read. */
export class IntervalInvalidatedError extends Error {
  override readonly name = 'IntervalInvalidatedError';
  constructor() {
    super('cache interval invalidated');
  }
}

/** A lazy sequence of cache events. */
export interface WatchCacheInterval<T extends KubeObject> {
  /** The next event, or `undefined` at the end. Throws {@link IntervalInvalidatedError}. */
  next(): WatchCacheEvent<T> | undefined;
}

/** Events [start, end) of the history, read lazily; fails if they leave the buffer first. */
export class HistoryInterval<T extends KubeObject> implements WatchCacheInterval<T> {
  readonly #history: WatchCacheHistory<T>;
  #index: number;
  readonly #end: number;

  constructor(history: WatchCacheHistory<T>, start: number, end: number) {
    this.#history = history;
    this.#index = start;
    this.#end = end;
  }

  next(): WatchCacheEvent<T> | undefined {
    if (this.#index >= this.#end) return undefined;
    const event = this.#history.at(this.#index);
    if (event === undefined) throw new IntervalInvalidatedError();
    this.#index++;
    return event;
  }
}

/** The store's contents at one moment, as ADDED events in key order. */
export class SnapshotInterval<T extends KubeObject> implements WatchCacheInterval<T> {
  readonly #events: readonly WatchCacheEvent<T>[];
  #index = 0;

  constructor(events: readonly WatchCacheEvent<T>[]) {
    this.#events = events;
  }

  next(): WatchCacheEvent<T> | undefined {
    return this.#events[this.#index++];
  }
}
