/**
 * A cap on how often a Reflector may retry, shaped like client-go's own schedule, so that a reflector that
 * retries early (at once after progress, see the Reflector) never sends more requests during a fault storm
 * than client-go's would.
 *
 * The budget runs a virtual client-go reflector alongside: told of every failure, it sleeps client-go's
 * backoff before its retry (800 ms doubling to 30 s per failure whatever happened in between, without
 * jitter by default, i.e. client-go at its fastest, starting over 2 min after its last reset), and a failure
 * seen while it still sleeps waits for that sleep to end first. The real reflector may have made at most
 * `burst` more retries than the virtual one at any time: it may retry earlier, never more often. Retries it
 * left unused while the virtual one made them do not pile up (one is kept).
 *
 * ```
 *  failures:          f1        f2                         f3
 *  virtual client-go: f1 ─0.8 s─▶ r1 ─1.6 s─▶ r2            f3 ─3.2 s─▶ r3
 *  allowed retries:   1 (burst)   2          3                          4
 * ```
 */
import { type Clock, realClock } from '@kubecache/apimachinery';
import { DEFAULT_BACKOFF } from './backoff.js';

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** First step of the schedule, in ms. Default 800 (client-go's). */
  initialMs?: number;
  /** Largest step before jitter, in ms. Default 30 000. */
  capMs?: number;
  /** Multiplier per step. Default 2. */
  factor?: number;
  /**
   * Jitter as a fraction of each step: a step lies in [d, d × (1 + jitter)). Default 0: the budget follows
   * client-go's schedule at its fastest, so it never holds back a retry client-go could have made.
   */
  jitter?: number;
  /** The schedule starts over this long after its last reset, in ms (client-go's reset). Default 120 000. */
  resetAfterMs?: number;
  /** How many retries the reflector may be ahead of the virtual client-go; at least 1. Default 1. */
  burst?: number;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /** Source of randomness in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * Retries allowed over time: no more than a client-go reflector facing the same failures, plus `burst`.
 *
 * @example
 * const budget = new RetryBudget({ clock });
 * budget.failed(); // at 0: client-go would retry at 800
 * budget.delayMs(); // 0: the burst
 * budget.spend();
 * budget.failed(); // client-go's second retry: 800 + 1600
 * budget.delayMs(); // 800: the reflector waits for client-go's first retry
 */
export class RetryBudget {
  readonly #initial: number;
  readonly #cap: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #resetAfter: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  /** Clock times of the virtual client-go's retries not yet counted, ascending. */
  readonly #pending: number[] = [];
  #base: number;
  #lastReset: number | undefined;
  #lastRetry = Number.NEGATIVE_INFINITY;
  /** Retries allowed so far minus retries made: `burst` plus the virtual retries done, minus spent. */
  #credit: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.#initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
    this.#cap = options.capMs ?? DEFAULT_BACKOFF.capMs;
    this.#factor = options.factor ?? DEFAULT_BACKOFF.factor;
    this.#jitter = options.jitter ?? 0;
    this.#resetAfter = options.resetAfterMs ?? DEFAULT_BACKOFF.resetAfterMs;
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#base = this.#initial;
    this.#credit = this.#burst;
  }

  /** Tells the virtual client-go of a failure now: it schedules its retry after its next backoff step. */
  failed(): void {
    const now = this.#clock.now();
    if (this.#lastReset === undefined || now - this.#lastReset > this.#resetAfter) {
      this.#base = this.#initial;
      this.#lastReset = now;
    }
    const step = this.#base + this.#random() * this.#jitter * this.#base;
    const next = this.#base * this.#factor;
    this.#base = this.#cap > 0 && next > this.#cap ? this.#cap : next;
    this.#lastRetry = Math.max(now, this.#lastRetry) + step;
    this.#pending.push(this.#lastRetry);
  }

  /** How long until one more retry is allowed, in ms; 0 when it is allowed now. */
  delayMs(): number {
    const now = this.#clock.now();
    this.#count(now);
    if (this.#credit > 0) return 0;
    const at = this.#pending[-this.#credit];
    return at === undefined ? Number.POSITIVE_INFINITY : at - now;
  }

  /** Records one retry made now. */
  spend(): void {
    this.#count(this.#clock.now());
    this.#credit--;
  }

  /** Counts the virtual retries done by `now`. */
  #count(now: number): void {
    while (this.#pending.length > 0 && (this.#pending[0] as number) <= now) {
      this.#pending.shift();
      // Retries the reflector did not make when client-go would have do not pile up: one is kept.
      this.#credit = Math.min(this.#burst + 1, this.#credit + 1);
    }
  }
}
