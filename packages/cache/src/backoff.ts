/**
 * client-go's jittered exponential backoff (`wait.Backoff` with `DelayWithReset`), clock-injected.
 *
 * Each {@link ExponentialBackoff.step} returns the next delay: the current base plus up to `jitter × base`
 * of random jitter, then the base is multiplied by `factor` until it reaches `capMs`. After `resetAfterMs` ms
 * since the last reset the base starts over. With the defaults the delays are [0.8, 1.6), [1.6, 3.2), … and
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
  /** Time after which the base starts over at `initial`, in ms, measured from the last reset. Default 120 000. 0 never resets. */
  resetAfterMs?: number;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /** Source of randomness in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** client-go's default reflector backoff: 800 ms → 30 s, ×2, jitter 1, reset after 2 min. */
export const DEFAULT_BACKOFF: Readonly<Required<Omit<ExponentialBackoffOptions, 'clock' | 'random'>>> = {
  initialMs: 800,
  capMs: 30_000,
  factor: 2,
  jitter: 1,
  resetAfterMs: 120_000,
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
  #lastReset: number;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.#initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
    this.#cap = options.capMs ?? DEFAULT_BACKOFF.capMs;
    this.#factor = options.factor ?? DEFAULT_BACKOFF.factor;
    this.#jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
    this.#resetAfter = options.resetAfterMs ?? DEFAULT_BACKOFF.resetAfterMs;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#base = this.#initial;
    this.#lastReset = this.#clock.now();
  }

  step(): number {
    const now = this.#clock.now();
    if (this.#resetAfter > 0 && now - this.#lastReset > this.#resetAfter) this.reset();
    const base = this.#base;
    if (this.#factor > 0) {
      const next = this.#base * this.#factor;
      this.#base = this.#cap > 0 && next > this.#cap ? this.#cap : next;
    }
    return this.#jitter > 0 ? base + this.#random() * this.#jitter * base : base;
  }

  /** Starts over at the initial delay now. */
  reset(): void {
    this.#base = this.#initial;
    this.#lastReset = this.#clock.now();
  }
}
