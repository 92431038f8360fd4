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
    const budget = new RetryBudget({ clock, jitter: 0 });
    // client-go retries at 800, 2400, 5600, 12 000, 24 800, 50 400 ms; the burst is the retry at 0.
    expect(alwaysFailing(budget, clock, 60_000)).toEqual([0, 800, 2400, 5600, 12_000, 24_800, 50_400]);
  });

  it('spreads the schedule by the jitter when asked: every step within [d, 2d)', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, random: () => 0.5, jitter: 1 });
    expect(alwaysFailing(budget, clock, 10_000)).toEqual([0, 1200, 3600, 8400]);
  });

  it('never starts client-go’s steps over while failures keep coming, as client-go’s DelayWithReset', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, jitter: 0 });
    const at = alwaysFailing(budget, clock, 300_000);
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    expect(Math.min(...gaps.slice(6))).toBe(30_000);
  });

  it('starts client-go’s steps over once 2 minutes passed after its last retry without a failure', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, burst: 1, jitter: 0 });
    alwaysFailing(budget, clock, 10_000); // the failures queued client-go's retries up to 24.8 s; next step 25.6 s
    clock.step(24_800 + 120_001 - clock.now());
    budget.failed();
    budget.spend();
    budget.spend(); // the one retry kept from the quiet time
    budget.failed();
    expect(budget.delayMs()).toBe(800); // not 12.8 s: the steps started over
  });

  it('follows failures spread out in time: each waits at most client-go’s delay after it', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, jitter: 0 });
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
    const budget = new RetryBudget({ clock, jitter: 0 });
    for (let i = 0; i < 5; i++) budget.failed();
    clock.step(120_000);
    budget.spend();
    budget.spend();
    expect(budget.delayMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('follows client-go’s average schedule by default: 1.2, 2.4, 4.8 s (jitter 1 at its mean)', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock });
    expect(alwaysFailing(budget, clock, 20_000)).toEqual([0, 1200, 3600, 8400, 18_000]);
  });

  it('counts the failures met while client-go would still be asleep as one, at the end of its sleep', () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, jitter: 0 });
    budget.failed(); // client-go fails at 0 and retries at 800
    budget.spend(); // the burst
    for (let i = 0; i < 5; i++) {
      clock.step(100);
      budget.failed(); // client-go, asleep, would not have seen these
      expect(budget.delayMs()).toBe(800 - clock.now());
    }
    clock.step(800 - clock.now());
    budget.spend(); // client-go's retry at 800 meets the trouble: one more failure, retry at 800 + 1600
    budget.failed();
    expect(budget.delayMs()).toBe(1600);
  });
});
