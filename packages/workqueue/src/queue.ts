/**
 * client-go's workqueue (`util/workqueue/queue.go`): fair (FIFO), stingy (an item is processed by at most
 * one worker at a time, and repeated adds before processing collapse into one), with re-adds during
 * processing allowed and shutdown that optionally drains in-flight work.
 *
 * States of one item:
 * ```
 *   add ──> queued+dirty ──get──> processing ──done──> (gone)
 *                                   │  add                ▲
 *                                   ▼                     │
 *                           processing+dirty ──done──> queued+dirty
 * ```
 */
import { type Clock, realClock } from '@kubecache/apimachinery';
import { Ring } from '@kubecache/cache/internal';
import { QueueMetrics, type WorkQueueMetricsProvider } from './metrics.js';

/** What {@link WorkQueue.get} resolves to: an item to process, or the news that the queue shut down. */
export type GetResult<T> = { readonly shutdown: false; readonly item: T } | { readonly shutdown: true };

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Name reported to the metrics provider. Default `''`. */
  name?: string;
  /** Clock for metrics timestamps and (in subclasses) delays. Default the real clock. */
  clock?: Clock;
  /** Metrics sink; default none (no bookkeeping at all). */
  metricsProvider?: WorkQueueMetricsProvider;
  /** Period of the unfinished-work gauge update, in milliseconds. Default 500 (client-go's). */
  unfinishedWorkUpdatePeriodMs?: number;
}

const SHUTDOWN: GetResult<never> = Object.freeze({ shutdown: true });

/**
 * A deduplicating work queue. Items are compared with `Map` key semantics (`SameValueZero`), so use strings
 * (object keys) or other primitives, as client-go uses comparable values.
 *
 * Contract: `get` hands each item to one worker; the worker must call `done(item)` when finished. An item
 * added while it is processing is queued again only at `done`, so it is processed exactly once more.
 *
 * @example
 * const q = new WorkQueue<string>();
 * q.add('default/pod-a');
 * const next = await q.get();
 * if (!next.shutdown) { await reconcile(next.item); q.done(next.item); }
 */
export class WorkQueue<T> {
  protected readonly clock: Clock;
  readonly #queue = new Ring<T>(64);
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  readonly #waiters = new Ring<(r: GetResult<T>) => void>(4);
  readonly #metrics: QueueMetrics<T> | undefined;
  #shuttingDown = false;
  #drain: { resolve: () => void; promise: Promise<void> } | undefined;
  #metricsTimer: ReturnType<Clock['setTimeout']> | undefined;
  readonly #metricsPeriod: number;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.#metricsPeriod = options.unfinishedWorkUpdatePeriodMs ?? 500;
    if (options.metricsProvider) {
      this.#metrics = new QueueMetrics<T>(options.name ?? '', options.metricsProvider, this.clock);
      this.#scheduleMetrics();
    }
  }

  /** Marks `item` as needing processing. Ignored after shutdown; collapses with a waiting duplicate. */
  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#metrics?.add(item);
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    this.#enqueue(item);
  }

  /**
   * Resolves with the next item (marking it processing), or with `{ shutdown: true }` once the queue is shut
   * down and empty. Queued items are still handed out after shutdown.
   */
  get(): Promise<GetResult<T>> {
    if (this.#queue.length > 0) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(SHUTDOWN);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Marks `item` as finished; if it was re-added meanwhile it is queued again now. As in client-go, `done`
   * does not check that the item was handed out: `done` on a queued (dirty) item that was never fetched
   * queues it a second time. A drain in progress ends once nothing is processing, even if a re-added item
   * is queued.
   */
  done(item: T): void {
    this.#metrics?.done(item);
    this.#processing.delete(item);
    if (this.#dirty.has(item)) this.#enqueue(item);
    if (this.#processing.size === 0) this.#endDrain();
  }

  /** Items waiting to be handed out (processing items are not counted). */
  len(): number {
    return this.#queue.length;
  }

  /** Items currently handed out and not yet `done`. */
  processingCount(): number {
    return this.#processing.size;
  }

  /** Stops accepting adds and wakes every waiting `get`; does not wait for processing items. */
  shutDown(): void {
    this.#shuttingDown = true;
    this.#endDrain(); // a plain shutdown cancels a drain in progress
    this.#wakeAll();
    this.#stopMetrics();
  }

  /**
   * Stops accepting adds, then resolves once no item is processing (workers must call `done`). Items still
   * queued, such as one re-added while it was processing, do not hold the drain.
   */
  shutDownWithDrain(): Promise<void> {
    this.#shuttingDown = true;
    this.#wakeAll();
    if (this.#processing.size === 0) {
      this.#stopMetrics();
      return Promise.resolve();
    }
    if (!this.#drain) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#drain = { resolve, promise };
    }
    return this.#drain.promise.then(() => this.#stopMetrics());
  }

  /** Whether shutdown has begun. */
  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** For subclasses: records a delayed re-add in the retries metric. */
  protected countRetry(): void {
    this.#metrics?.retry();
  }

  /** Releases the callers of a drain in progress; a later drain waits afresh. */
  #endDrain(): void {
    this.#drain?.resolve();
    this.#drain = undefined;
  }

  #enqueue(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(this.#claim(item));
      return;
    }
    this.#queue.push(item);
  }

  #take(): GetResult<T> {
    return this.#claim(this.#queue.shift() as T);
  }

  #claim(item: T): GetResult<T> {
    this.#metrics?.get(item);
    this.#processing.add(item);
    this.#dirty.delete(item);
    return { shutdown: false, item };
  }

  #wakeAll(): void {
    // Only reached when the queue is empty (a waiter exists only then).
    for (let w = this.#waiters.shift(); w; w = this.#waiters.shift()) w(SHUTDOWN);
  }

  #scheduleMetrics(): void {
    this.#metricsTimer = this.clock.setTimeout(() => {
      this.#metrics?.updateUnfinishedWork();
      this.#scheduleMetrics();
    }, this.#metricsPeriod);
  }

  #stopMetrics(): void {
    if (this.#metricsTimer !== undefined) this.clock.clearTimeout(this.#metricsTimer);
    this.#metricsTimer = undefined;
  }
}
