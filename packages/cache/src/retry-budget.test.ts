import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { RetryBudget } from './retry-budget.js';

/** A reflector that fails at once on every attempt and retries as soon as the budget allows. */
function alwaysFailing(budget: RetryBudget, clock: FakeClock, ms: number): number[] {
  const at: number[] = [];
  const end = clock.now() + ms;
  for (;;) {
    budget.failed();
    const delay = budget.delayMs();
    if (clock.now() + delay > end) return at;
    clock.step(delay);
    budget.spend();
    at.push(clock.now());
  }
}

describe('RetryBudget', () => {
  it('lets a reflector that always fails retry once at once, then as often as client-go: never more', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock });
    // client-go retries at 800, 2400, 5600, 12 000, 24 800, 50 400 ms; the burst is the retry at 0.
    expect(alwaysFailing(budget, clock, 60_000)).toEqual([0, 800, 2400, 5600, 12_000, 24_800, 50_400]);
  });

  it('spreads the schedule by the jitter when asked: every step within [d, 2d)', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, random: () => 0.5, jitter: 1 });
    expect(alwaysFailing(budget, clock, 10_000)).toEqual([0, 1200, 3600, 8400]);
  });

  it('starts client-go’s steps over 2 minutes after its last reset, as client-go does', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock });
    // Its steps reset at the failure at 140.4 s; the reflector, one retry ahead, follows one behind.
    expect(alwaysFailing(budget, clock, 180_000).slice(-4)).toEqual([170_400, 171_200, 172_800, 176_000]);
  });

  it('follows failures spread out in time: each waits at most client-go’s delay after it', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock });
    budget.failed();
    budget.spend(); // the burst, at 0
    clock.step(5_000); // progress in between: client-go retried at 800 and would now step 1.6 s
    budget.failed();
    expect(budget.delayMs()).toBe(0); // the virtual retry at 800 left a credit
    budget.spend();
    budget.failed();
    expect(budget.delayMs()).toBe(1600);
  });

  it('does not let unused retries pile up into a burst', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock });
    for (let i = 0; i < 5; i++) budget.failed();
    clock.step(120_000);
    budget.spend();
    budget.spend();
    expect(budget.delayMs()).toBe(Number.POSITIVE_INFINITY);
  });
});
