/**
 * The dispatcher's budget for waiting on blocked watchers (the apiserver's `time_budget.go`): it refills at
 * 50 ms per second of wall time up to 100 ms, so a slow watcher can delay the others by at most that much.
 */
import type { Clock } from '@kubecache/apimachinery';

/** Options of {@link TimeBudget}. */
export interface TimeBudgetOptions {
  /** Source of time. */
  clock: Clock;
  /** Budget gained per second of wall time, in ms. Default 50. */
  refreshPerSecond?: number;
  /** Cap of the budget, in ms. Default 100. */
  maxBudgetMs?: number;
}

/**
 * A refilling budget of waiting time. It starts empty, as the apiserver's does, so the first 2 s of a
 * Cacher's life grant less patience. Refill is computed from the clock when the budget is read, so it
 * needs no timer.
 *
 * @example
 * const budget = new TimeBudget({ clock });
 * const wait = budget.takeAvailable(); // up to 100 ms
 * budget.returnUnused(wait - used);
 */
export class TimeBudget {
  readonly #clock: Clock;
  readonly #refresh: number;
  readonly #max: number;
  #budget: number;
  #last: number;

  constructor(options: TimeBudgetOptions) {
    this.#clock = options.clock;
    this.#refresh = options.refreshPerSecond ?? 50;
    this.#max = options.maxBudgetMs ?? 100;
    this.#budget = 0;
    this.#last = this.#clock.now();
  }

  /** Takes the whole available budget, in ms, leaving zero. */
  takeAvailable(): number {
    this.#refill();
    const taken = this.#budget;
    this.#budget = 0;
    return taken;
  }

  /** Gives back unused ms, up to the cap. */
  returnUnused(ms: number): void {
    this.#refill();
    if (ms > 0) this.#budget = Math.min(this.#max, this.#budget + ms);
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#last;
    this.#last = now;
    if (elapsed > 0) this.#budget = Math.min(this.#max, this.#budget + (elapsed / 1000) * this.#refresh);
  }
}
