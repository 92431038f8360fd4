/**
 * A cap on how often a Reflector may retry, shaped like client-go's own schedule, so that a reflector whose
 * backoff starts over after progress and stays short (see the Reflector) never retries more often than
 * client-go's would in a long outage.
 *
 * The budget runs a virtual client-go reflector alongside: told of every failure, it sleeps client-go's
 * backoff before its retry (800 ms doubling to 30 s per failure whatever happened in between, each step
 * client-go's average by default (1.5 times the base with its jitter of 1), starting over only after 2 min without a failure). A
 * failure the reflector meets while the virtual one still sleeps is one client-go would not have seen
 * (it was not connected): the virtual retry at the end of the sleep fails instead, once, however many
 * failures the reflector met in the meantime. The real reflector may have made at most
 * `burst` more retries than the virtual one at any time: it may retry earlier, never more often. Retries it
 * left unused while the virtual one made them do not pile up (one is kept).
 *
 * ```
 *  failures:          f1        f2                         f3
 *  virtual client-go: f1 ─1.2 s─▶ r1 ─2.4 s─▶ r2            f3 ─4.8 s─▶ r3
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
   * Jitter as a fraction of each step: a step lies in [d, d × (1 + jitter)). Default 1, client-go's.
   */
  jitter?: number;
  /**
   * The schedule starts over when this long passed after the virtual client-go's last retry without a
   * failure, in ms (client-go's `DelayWithReset`). Default 120 000.
   */
  resetAfterMs?: number;
  /** How many retries the reflector may be ahead of the virtual client-go; at least 1. Default 1. */
  burst?: number;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /**
   * Source of randomness in [0, 1) for the jitter. Default `() => 0.5`: every step is client-go's average
   * (1.5 d with jitter 1), so the reflector retries no more often than client-go does on average.
   */
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
  #lastRetry = Number.NEGATIVE_INFINITY;
  /** The reflector failed while the virtual client-go slept: its next retry fails too. */
  #owed = false;
  /** Retries allowed so far minus retries made: `burst` plus the virtual retries done, minus spent. */
  #credit: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.#initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
    this.#cap = options.capMs ?? DEFAULT_BACKOFF.capMs;
    this.#factor = options.factor ?? DEFAULT_BACKOFF.factor;
    this.#jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
    this.#resetAfter = options.resetAfterMs ?? DEFAULT_BACKOFF.resetAfterMs;
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? (() => 0.5);
    this.#base = this.#initial;
    this.#credit = this.#burst;
  }

  /** Tells the virtual client-go of a failure now: it schedules its retry after its next backoff step. */
  failed(): void {
    const now = this.#clock.now();
    this.#count(now);
    // Asleep, client-go would not have seen this failure; it meets the trouble when it wakes.
    if (now < this.#lastRetry) this.#owed = true;
    else this.#fail(now);
  }

  /** The virtual client-go fails at `at` and schedules its retry one step later. */
  #fail(at: number): void {
    // client-go's DelayWithReset: the steps start over once a whole reset window passed after its last
    // retry without a failure; failures that keep coming never reset them.
    if (at > this.#lastRetry + this.#resetAfter) this.#base = this.#initial;
    const step = this.#base + this.#random() * this.#jitter * this.#base;
    const next = this.#base * this.#factor;
    this.#base = this.#cap > 0 && next > this.#cap ? this.#cap : next;
    this.#lastRetry = at + step;
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
      const at = this.#pending.shift() as number;
      // Retries the reflector did not make when client-go would have do not pile up: one is kept.
      this.#credit = Math.min(this.#burst + 1, this.#credit + 1);
      // Failures it slept through: its retry meets them and fails again.
      if (this.#owed && this.#pending.length === 0) {
        this.#owed = false;
        this.#fail(at);
      }
    }
  }
}
