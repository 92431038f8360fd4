/**
 * client-go's rate limiters (`util/workqueue/default_rate_limiters.go`), with its numbers. All delays are in
 * milliseconds; the token bucket reads time from an injected clock.
 */
import { type Clock, realClock } from '@kubecache/apimachinery';

/** Decides how long an item waits before it is retried. */
export interface RateLimiter<T> {
  /** The delay (ms) before `item` may be retried; records one more failure for it. */
  when(item: T): number;
  /** Clears `item`'s failure history (call it after a success). */
  forget(item: T): void;
  /** How many failures `item` has recorded since it was last forgotten. */
  numRequeues(item: T): number;
}

/** Options of {@link ItemExponentialFailureRateLimiter}. */
export interface ItemExponentialOptions {
  /** Delay after the first failure, in ms. Default 5. */
  baseDelayMs?: number;
  /** Largest delay, in ms. Default 1 000 000 (1000 s). */
  maxDelayMs?: number;
}

/** Per-item exponential backoff: `min(max, base · 2^failures)`; overflow-safe (capped at max). */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  readonly #base: number;
  readonly #max: number;
  readonly #failures = new Map<T, number>();

  constructor(options: ItemExponentialOptions = {}) {
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 1_000_000;
  }

  when(item: T): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    const delay = this.#base * 2 ** exp;
    return Number.isFinite(delay) && delay < this.#max ? delay : this.#max;
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/** Options of {@link ItemFastSlowRateLimiter}. */
export interface ItemFastSlowOptions {
  /** Delay (ms) for the first `maxFastAttempts` failures. */
  fastDelayMs: number;
  /** Delay (ms) after that. */
  slowDelayMs: number;
  /** How many failures get the fast delay. */
  maxFastAttempts: number;
}

/** A fast delay for the first few failures of an item, then a slow one. */
export class ItemFastSlowRateLimiter<T> implements RateLimiter<T> {
  readonly #options: ItemFastSlowOptions;
  readonly #failures = new Map<T, number>();

  constructor(options: ItemFastSlowOptions) {
    this.#options = options;
  }

  when(item: T): number {
    const n = (this.#failures.get(item) ?? 0) + 1;
    this.#failures.set(item, n);
    return n <= this.#options.maxFastAttempts ? this.#options.fastDelayMs : this.#options.slowDelayMs;
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/** Options of {@link BucketRateLimiter}. */
export interface BucketOptions {
  /** Tokens added per second. Default 10. */
  qps?: number;
  /** Bucket size (and initial tokens). Default 100. */
  burst?: number;
  /** Time source. Default the real clock. */
  clock?: Clock;
}

/**
 * An overall token bucket (Go's `rate.Limiter` `Reserve().Delay()`): no per-item memory, so
 * `numRequeues` is always 0. Each `when` reserves a token, possibly one in the future.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(options: BucketOptions = {}) {
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    this.#clock = options.clock ?? realClock;
    this.#tokens = this.#burst;
    this.#last = this.#clock.now();
  }

  when(_item: T): number {
    const now = this.#clock.now();
    if (now > this.#last) {
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#qps) / 1000);
      this.#last = now;
    }
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.#qps;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The largest delay of several limiters; `forget` goes to all, `numRequeues` is the largest. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly #limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.#limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** Caps another limiter's delay at `maxDelayMs`. */
export class WithMaxWaitRateLimiter<T> implements RateLimiter<T> {
  constructor(
    readonly limiter: RateLimiter<T>,
    readonly maxDelayMs: number,
  ) {}

  when(item: T): number {
    return Math.min(this.limiter.when(item), this.maxDelayMs);
  }

  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }
}

/**
 * client-go's `DefaultTypedControllerRateLimiter`: the max of per-item exponential (5 ms → 1000 s) and an
 * overall token bucket (10 qps, burst 100).
 */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    new BucketRateLimiter<T>({ qps: 10, burst: 100, clock }),
  );
}

/** client-go's `DefaultItemBasedRateLimiter`: per-item exponential, 1 ms → 1000 s. */
export function defaultItemBasedRateLimiter<T>(): RateLimiter<T> {
  return new ItemExponentialFailureRateLimiter<T>({ baseDelayMs: 1, maxDelayMs: 1_000_000 });
}
