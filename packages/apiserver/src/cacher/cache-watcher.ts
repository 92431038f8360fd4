/**
 * One watch served from the cache (the apiserver's `cache_watcher.go`): replays its interval, then
 * forwards live events from a bounded buffer, filtered by key and predicate with ADDED/MODIFIED/DELETED
 * conversion when an object enters or leaves the selector.
 *
 * Consumers either subscribe to `events$` (push: delivered synchronously, never slow) or iterate with
 * `for await` (pull: the buffer fills while the consumer is busy, and the Cacher cuts it off after the
 * dispatch time budget, as the apiserver does with a client that does not read).
 */

import type { Clock, KubeObject, Status, TimerHandle } from '@kubecache/apimachinery';
import type { ObjectAttrs, SelectionPredicate } from '@kubecache/storage';
import { hasPathPrefix, matchesAttrs } from '@kubecache/storage/internal';
import { Observable, type Subscriber } from 'rxjs';
import { type CacheWatchEvent, type EventEncoder, errorEvent, type WatchCacheEvent } from './watch-cache-event.js';
import type { WatchCacheInterval } from './watch-cache-interval.js';

/** Options of {@link CacheWatcher}. */
export interface CacheWatcherOptions<T extends KubeObject> {
  /** The watched key, or prefix when `recursive`. */
  key: string;
  /** Whether `key` is a prefix. */
  recursive: boolean;
  /** Filter; unset passes everything. */
  predicate?: SelectionPredicate<T> | undefined;
  /** Buffer size for live events, in events. */
  capacity: number;
  /** Serializes outgoing events. */
  encoder: EventEncoder;
  /** Live events at or below this RV are covered by the interval and skipped. */
  startResourceVersion: number;
  /** Events to replay first. */
  interval?: WatchCacheInterval<T> | undefined;
  /** Sent right after the interval (the initial-events-end bookmark, or an ERROR). */
  afterInterval?: CacheWatchEvent<T> | undefined;
  /** Close after `afterInterval` (error watchers). Default false. */
  closeAfterInterval?: boolean;
  /** Whether bookmarks may be sent. Default false. */
  allowBookmarks?: boolean;
  /**
   * Clock time the client's watch ends, in ms: bookmarks go out 2 s before it, and at it the watcher
   * stops gracefully (needs `clock`). Default: none.
   */
  deadline?: number | undefined;
  /** Sets the deadline timer. Required with `deadline`. */
  clock?: Clock | undefined;
  /** Called once when the watcher stops, for whatever reason. */
  onStop?: (watcher: CacheWatcher<T>) => void;
}

/** How {@link CacheWatcher.stop} ends a watcher. */
export interface StopOptions {
  /**
   * Let the consumer still read what the watcher holds (the rest of its interval, the end bookmark and the
   * buffered live events) before it completes. Default false: everything pending is dropped.
   */
  graceful?: boolean;
  /**
   * End with an ERROR event carrying this Status, read after the pending events (graceful) or instead of
   * them, so the client knows why the stream ended (kube-apiserver's cut-off of a slow watcher). Default none.
   */
  error?: Status;
}

/** A watcher fed by the Cacher's dispatcher. */
export class CacheWatcher<T extends KubeObject> implements AsyncIterable<CacheWatchEvent<T>> {
  readonly allowBookmarks: boolean;
  readonly deadline: number | undefined;
  readonly #o: CacheWatcherOptions<T>;
  readonly #ring: (CacheWatchEvent<T> | undefined)[];
  #head = 0;
  #size = 0;
  #lastRV: number;
  #initial = true;
  #closed = false;
  #subscriber: Subscriber<CacheWatchEvent<T>> | undefined;
  #draining = false;
  #pull: ((r: IteratorResult<CacheWatchEvent<T>>) => void) | undefined;
  #space: (() => void)[] = [];
  #deadlineTimer: TimerHandle | undefined;

  constructor(options: CacheWatcherOptions<T>) {
    this.#o = options;
    this.#ring = new Array(Math.max(1, options.capacity));
    this.#lastRV = options.startResourceVersion;
    this.allowBookmarks = options.allowBookmarks ?? false;
    this.deadline = options.deadline;
    const { clock, deadline } = options;
    if (clock && deadline !== undefined) {
      this.#deadlineTimer = clock.setTimeout(() => this.stop({ graceful: true }), deadline - clock.now());
    }
  }

  /** Whether the watcher has stopped taking events (a graceful stop may still be draining). */
  get stopped(): boolean {
    return this.#closed;
  }

  /** Whether the initial-events-end bookmark is still to be read (a cut-off then drains gracefully). */
  get awaitingEndBookmark(): boolean {
    return this.#initial && this.#o.afterInterval?.type === 'BOOKMARK';
  }

  /** Buffered live events. */
  get buffered(): number {
    return this.#size;
  }

  /**
   * Offers a live event without blocking: `true` when taken (or filtered out, or already covered),
   * `false` when the buffer is full.
   */
  add(event: WatchCacheEvent<T>): boolean {
    if (this.#closed || event.resourceVersion <= this.#lastRV) return true;
    const out = this.#convert(event);
    if (out === undefined) {
      this.#lastRV = event.resourceVersion;
      return true;
    }
    if (this.#size === this.#ring.length) return false;
    this.#lastRV = event.resourceVersion;
    this.#push(out);
    return true;
  }

  /** Offers a bookmark at `rv`; dropped when full or behind what was sent. */
  addBookmark(event: CacheWatchEvent<T>, rv: number): void {
    if (this.#closed || !this.allowBookmarks || rv < this.#lastRV || this.#size === this.#ring.length) return;
    this.#lastRV = rv;
    this.#push(event);
  }

  /** Resolves when the buffer has room or the watcher stopped. */
  whenSpace(): Promise<void> {
    if (this.#closed || this.#size < this.#ring.length) return Promise.resolve();
    return new Promise((resolve) => this.#space.push(resolve));
  }

  /**
   * Stops the watcher: it takes no more events and its timers are released. Pending events are dropped,
   * or with `graceful` still delivered; consumers complete after the last one. Idempotent.
   */
  stop(options: StopOptions = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#deadlineTimer !== undefined) this.#o.clock?.clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    if (!options.graceful) this.#discard();
    if (options.error) this.#pushFinal(errorEvent<T>(options.error, this.#o.encoder));
    this.#wakeSpace();
    this.#o.onStop?.(this);
    this.#pull?.({ value: undefined, done: true });
    this.#pull = undefined;
    this.#drainPush();
  }

  /** Appends a last event past the capacity (the ring grows by one if it must). */
  #pushFinal(event: CacheWatchEvent<T>): void {
    if (this.#size === this.#ring.length) {
      const items: (CacheWatchEvent<T> | undefined)[] = [];
      for (let i = 0; i < this.#size; i++) items.push(this.#ring[(this.#head + i) % this.#ring.length]);
      this.#ring.length = 0;
      this.#ring.push(...items, undefined);
      this.#head = 0;
    }
    this.#ring[(this.#head + this.#size) % this.#ring.length] = event;
    this.#size++;
    const resolve = this.#pull;
    const next = resolve ? this.#take() : undefined;
    if (resolve && next) {
      this.#pull = undefined;
      resolve({ value: next, done: false });
    }
  }

  #discard(): void {
    this.#ring.fill(undefined);
    this.#size = 0;
    this.#initial = false;
  }

  /** The events as an Observable (one subscriber); unsubscribing stops the watcher. */
  readonly events$: Observable<CacheWatchEvent<T>> = new Observable((subscriber) => {
    if (this.#subscriber) {
      subscriber.error(new Error('CacheWatcher already has a consumer'));
      return undefined;
    }
    this.#subscriber = subscriber;
    this.#drainPush();
    return () => this.stop();
  });

  /** Pull-mode consumption: the buffer fills while the consumer does not ask. */
  [Symbol.asyncIterator](): AsyncIterator<CacheWatchEvent<T>> {
    return {
      next: () => this.#next(),
      return: async () => {
        this.stop();
        return { value: undefined, done: true };
      },
    };
  }

  #next(): Promise<IteratorResult<CacheWatchEvent<T>>> {
    const event = this.#take();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#pull = resolve;
    });
  }

  #push(out: CacheWatchEvent<T>): void {
    this.#ring[(this.#head + this.#size) % this.#ring.length] = out;
    this.#size++;
    if (this.#pull) {
      const event = this.#take();
      if (event) {
        const resolve = this.#pull;
        this.#pull = undefined;
        resolve({ value: event, done: false });
      }
    }
    this.#drainPush();
  }

  #drainPush(): void {
    const sub = this.#subscriber;
    if (!sub || this.#draining) return;
    this.#draining = true;
    try {
      for (let event = this.#take(); event; event = this.#take()) sub.next(event);
    } finally {
      this.#draining = false;
    }
    if (this.#closed) sub.complete();
  }

  #take(): CacheWatchEvent<T> | undefined {
    if (this.#initial) {
      const event = this.#takeInitial();
      if (event) return event;
    }
    if (this.#size === 0) return undefined;
    const event = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#size--;
    this.#wakeSpace();
    return event;
  }

  #takeInitial(): CacheWatchEvent<T> | undefined {
    try {
      for (let e = this.#o.interval?.next(); e; e = this.#o.interval?.next()) {
        const out = this.#convert(e);
        if (out) return out;
      }
    } catch {
      // The interval was invalidated (relist or overflow): close; the client re-watches and gets a 410.
      this.#discard();
      this.stop();
      return undefined;
    }
    this.#initial = false;
    const after = this.#o.afterInterval;
    if (this.#o.closeAfterInterval) queueMicrotask(() => this.stop());
    return after;
  }

  #wakeSpace(): void {
    if (this.#space.length === 0) return;
    const waiters = this.#space;
    this.#space = [];
    for (const wake of waiters) wake();
  }

  #passes(key: string, attrs: ObjectAttrs | undefined): boolean {
    const { key: k, recursive, predicate } = this.#o;
    if (recursive ? !hasPathPrefix(key, k) : key !== k) return false;
    if (predicate === undefined) return true;
    return attrs !== undefined && matchesAttrs(predicate, attrs);
  }

  #convert(e: WatchCacheEvent<T>): CacheWatchEvent<T> | undefined {
    const cur = e.type !== 'DELETED' && this.#passes(e.key, e.attrs);
    const prev = e.prevObject !== undefined && this.#passes(e.key, e.prevAttrs);
    if (cur) return e.outgoing(prev ? 'MODIFIED' : 'ADDED', this.#o.encoder);
    if (prev) return e.outgoing('DELETED', this.#o.encoder);
    if (e.type === 'DELETED' && e.prevObject === undefined && this.#passes(e.key, e.attrs)) {
      return e.outgoing('DELETED', this.#o.encoder);
    }
    return undefined;
  }
}

/**
 * When a watcher gets its next bookmark (`nextBookmarkTime`): `frequency` from now, but no later than
 * 2 s before its deadline; `undefined` when that is already past.
 */
export function nextBookmarkTime(now: number, frequency: number, deadline: number | undefined): number | undefined {
  let next = now + frequency;
  if (deadline === undefined) return next;
  next = Math.min(next, deadline - 2000);
  return next < now ? undefined : next;
}
