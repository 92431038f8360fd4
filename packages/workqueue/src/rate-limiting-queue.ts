/**
 * client-go's rate-limiting queue (`util/workqueue/rate_limiting_queue.go`): a delaying queue whose
 * `addRateLimited` asks a {@link RateLimiter} how long the item must wait.
 */
import { DelayingQueue } from './delaying-queue.js';
import type { WorkQueueOptions } from './queue.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiters.js';

/** Options of {@link RateLimitingQueue}. */
export interface RateLimitingQueueOptions<T> extends WorkQueueOptions {
  /** The limiter. Default {@link defaultControllerRateLimiter} on the queue's clock. */
  rateLimiter?: RateLimiter<T>;
}

/**
 * The queue controllers use: failures go back with `addRateLimited`, successes call `forget`.
 *
 * @example
 * const q = new RateLimitingQueue<string>({ name: 'pods' });
 * // in a worker, after a failed reconcile:
 * q.addRateLimited(key); q.done(key);
 */
export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;

  constructor(options: RateLimitingQueueOptions<T> = {}) {
    super(options);
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Adds `item` after the limiter's delay for it (and records a failure). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Clears `item`'s failure history; it does not remove the item from the queue. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  /** How many times `item` has been rate-limited since it was last forgotten. */
  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
