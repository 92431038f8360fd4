/**
 * client-go's jittered exponential backoff (`wait.Backoff` with `DelayWithReset`), clock-injected.
 *
 * Each {@link ExponentialBackoff.step} returns the next delay: the current base plus up to `jitter × base`
 * of random jitter, then the base is multiplied by `factor` until it reaches `capMs`. When `resetAfterMs` ms
 * pass after the end of the last delay without a step (no failure for that long), the base starts over;
 * failures that keep coming never reset it. With the defaults the delays are [0.8, 1.6), [1.6, 3.2), … and
 * then [30, 60) seconds.
 */
import { type Clock, realClock } from '@kubecache/apimachinery';

/** Something that hands out successive retry delays. The Reflector takes any implementation. */
export interface BackoffManager {
  /** The next delay, in milliseconds. */
  step(): number;
  /** Starts over at the first delay (the Reflector calls it after progress). Optional. */
  reset?(): void;
}

/** Options of {@link ExponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** First base delay, in ms. Default 800. */
  initialMs?: number;
  /** Largest base delay, in ms (jitter comes on top). Default 30 000. 0 means no cap. */
  capMs?: number;
  /** Multiplier of the base after each step. Default 2. A factor of 0 or 1 keeps the base constant. */
  factor?: number;
  /** Jitter as a fraction of the base: each delay lies in [base, base × (1 + jitter)). Default 1. */
  jitter?: number;
  /**
   * The base starts over at `initial` when this long passed after the end of the last delay without a step,
   * in ms (client-go's `DelayWithReset`). Default 120 000. 0 never resets.
   */
  resetAfterMs?: number;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /** Source of randomness in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** client-go's default reflector backoff: 800 ms → 30 s, ×2, jitter 1, reset after 2 min without a failure. */
export const DEFAULT_BACKOFF: Readonly<Required<Omit<ExponentialBackoffOptions, 'clock' | 'random'>>> = {
  initialMs: 800,
  capMs: 30_000,
  factor: 2,
  jitter: 1,
  resetAfterMs: 120_000,
};

/**
 * The Reflector's own backoff (a departure from client-go, see DESIGN.md): a first delay in [1, 1.4) s —
 * client-go's average first wait (1.2 s) with less spread — then [1.6, 2.24) s while failures follow each
 * other. Progress starts it over. It stays short so that a retry is never far off when a fault storm ends;
 * the Reflector's `RetryBudget` holds a long outage to client-go's pace.
 */
export const REFLECTOR_BACKOFF: Readonly<Required<Omit<ExponentialBackoffOptions, 'clock' | 'random'>>> = {
  initialMs: 1000,
  capMs: 1600,
  factor: 2,
  jitter: 0.4,
  resetAfterMs: 0,
};

/**
 * Jittered exponential backoff with a reset window.
 *
 * @example
 * const backoff = new ExponentialBackoff({ clock: new FakeClock() , random: () => 0 });
 * backoff.step(); // 800
 * backoff.step(); // 1600
 */
export class ExponentialBackoff implements BackoffManager {
  readonly #initial: number;
  readonly #cap: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #resetAfter: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #base: number;
  /** Clock time after which the next step starts over; `undefined` before the first step. */
  #resetAt: number | undefined;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.#initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
    this.#cap = options.capMs ?? DEFAULT_BACKOFF.capMs;
    this.#factor = options.factor ?? DEFAULT_BACKOFF.factor;
    this.#jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
    this.#resetAfter = options.resetAfterMs ?? DEFAULT_BACKOFF.resetAfterMs;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#base = this.#initial;
  }

  step(): number {
    const now = this.#clock.now();
    if (this.#resetAfter > 0 && this.#resetAt !== undefined && now > this.#resetAt) this.reset();
    const base = this.#base;
    if (this.#factor > 0) {
      const next = this.#base * this.#factor;
      this.#base = this.#cap > 0 && next > this.#cap ? this.#cap : next;
    }
    const delay = this.#jitter > 0 ? base + this.#random() * this.#jitter * base : base;
    this.#resetAt = now + delay + this.#resetAfter;
    return delay;
  }

  /** Starts over at the initial delay. */
  reset(): void {
    this.#base = this.#initial;
  }
}
