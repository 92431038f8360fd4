import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { RetryBudget } from './retry-budget.js';

/** Retries a greedy caller makes in `ms`, spending each as soon as it is allowed. */
function greedyRetries(budget: RetryBudget, clock: FakeClock, ms: number): number[] {
  const at: number[] = [];
  const end = clock.now() + ms;
  for (;;) {
    const delay = budget.delayMs();
    if (clock.now() + delay > end) return at;
    clock.step(delay);
    budget.spend();
    at.push(clock.now());
  }
}

describe('RetryBudget', () => {
  it('allows the burst at once, then never more retries than client-go’s schedule', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, random: () => 0 });
    // client-go retries at 800, 2400, 5600, 12 000, 24 800 and 50 400 ms; the burst took the first at 0.
    expect(greedyRetries(budget, clock, 60_000)).toEqual([0, 2400, 5600, 12_000, 24_800, 50_400]);
  });

  it('spreads the schedule by the jitter: every step within [d, 2d)', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, random: () => 0.5, jitter: 1 });
    expect(greedyRetries(budget, clock, 10_000)).toEqual([0, 3600, 8400]);
  });

  it('starts the schedule over once 2 minutes passed since its anchor, as client-go’s backoff does', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, random: () => 0 });
    const first = greedyRetries(budget, clock, 130_000);
    expect(first.slice(-4)).toEqual([110_400, 120_001, 122_401, 125_601]);
  });

  it('keeps unspent retries: a caller that waited may retry at once', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, random: () => 0 });
    budget.spend();
    clock.step(5_000);
    expect([budget.delayMs(), (budget.spend(), budget.delayMs()), (budget.spend(), budget.delayMs())]).toEqual([
      0, 600, 7000,
    ]);
  });
});
