/**
 * A cap on how often a Reflector may retry, shaped like client-go's own schedule, so that a reflector that
 * retries early (at once after progress, see the Reflector) never sends more requests during a fault storm
 * than client-go's would.
 *
 * The budget is a client-go reflector failing on every attempt, run in the background: by time t after its
 * anchor (the first failure that asks), it has retried once per step of client-go's backoff passed (800 ms doubling to
 * 30 s; without jitter by default, i.e. client-go at its fastest). The budget allows as many retries as that, but at least `burst`: the
 * burst borrows the schedule's first steps, so the count of retries never exceeds client-go's except by
 * the burst before those steps. Like client-go's `DelayWithReset`, the schedule starts over once
 * `resetAfterMs` has passed since the anchor.
 *
 * ```
 *  time from the anchor:  0      d1      d1+d2    d1+d2+d3  …  (resetAfterMs: start over)
 *  client-go retries:     0      1       2        3
 *  allowed (burst 1):     1      1       2        3
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
  /** The schedule starts over this long after its anchor, in ms (client-go's reset). Default 120 000. */
  resetAfterMs?: number;
  /** Retries allowed at once at the anchor (the first retry of a schedule), before its first step; at least 1. Default 1. */
  burst?: number;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /** Source of randomness in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * Retries allowed over time, at most client-go's schedule plus a burst.
 *
 * @example
 * const budget = new RetryBudget({ clock, random: () => 0 });
 * budget.delayMs(); // 0: the burst
 * budget.spend();
 * budget.delayMs(); // 2400: the schedule's second step (the burst took the first)
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
  /** Clock time the schedule started; `undefined` before the first retry. */
  #anchor: number | undefined;
  /** Cumulative step times of the schedule from the anchor, computed as needed. */
  #steps: number[] = [];
  #base = 0;
  #spent = 0;

  constructor(options: RetryBudgetOptions = {}) {
    this.#initial = options.initialMs ?? DEFAULT_BACKOFF.initial;
    this.#cap = options.capMs ?? DEFAULT_BACKOFF.cap;
    this.#factor = options.factor ?? DEFAULT_BACKOFF.factor;
    this.#jitter = options.jitter ?? 0;
    this.#resetAfter = options.resetAfterMs ?? DEFAULT_BACKOFF.resetAfter;
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
  }

  /**
   * How long until one more retry is allowed, in ms; 0 when it is allowed now. The first call (or the first
   * after the schedule expired) starts the schedule: ask when the failure happens, as client-go steps its
   * backoff then.
   */
  delayMs(): number {
    const now = this.#clock.now();
    this.#startIfDue(now);
    if (this.#spent < this.#burst) return 0;
    const anchor = this.#anchor as number;
    // Retries allowed by t: max(burst, steps of the schedule passed by t). The burst borrows the schedule's
    // first steps, so the count never runs ahead of client-go's by more than the burst, and only early on.
    const at = anchor + this.#stepAt(this.#spent);
    const restart = anchor + this.#resetAfter + 1;
    return Math.max(0, Math.min(at, restart) - now);
  }

  /** Records one retry made now. */
  spend(): void {
    this.#startIfDue(this.#clock.now());
    this.#spent++;
  }

  #startIfDue(now: number): void {
    if (this.#anchor !== undefined && now - this.#anchor <= this.#resetAfter) return;
    this.#anchor = now;
    this.#steps = [];
    this.#base = this.#initial;
    this.#spent = 0;
  }

  /** Time of the schedule's step `i` (0-based) after the anchor, in ms. */
  #stepAt(i: number): number {
    while (this.#steps.length <= i) {
      const base = this.#base;
      const next = base * this.#factor;
      this.#base = this.#cap > 0 && next > this.#cap ? this.#cap : next;
      const step = base + this.#random() * this.#jitter * base;
      this.#steps.push((this.#steps.at(-1) ?? 0) + step);
    }
    return this.#steps[i] as number;
  }
}
