import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { Ready } from './ready.js';
import { TimeBudget } from './time-budget.js';

describe('TimeBudget', () => {
  it('starts empty, as the apiserver does, and is emptied by takeAvailable once filled', () => {
    const clock = new FakeClock();
    const budget = new TimeBudget({ clock });
    expect(budget.takeAvailable()).toBe(0);
    clock.step(2000);
    expect(budget.takeAvailable()).toBe(100);
    expect(budget.takeAvailable()).toBe(0);
  });

  it('refills 50 ms per second, capped at 100 ms', () => {
    const clock = new FakeClock();
    const budget = new TimeBudget({ clock });
    budget.takeAvailable();
    clock.step(1000);
    expect(budget.takeAvailable()).toBe(50);
    clock.step(10_000);
    expect(budget.takeAvailable()).toBe(100);
  });

  it('takes back unused time up to the cap', () => {
    const budget = new TimeBudget({ clock: new FakeClock() });
    budget.returnUnused(30);
    expect(budget.takeAvailable()).toBe(30);
    budget.returnUnused(500);
    expect(budget.takeAvailable()).toBe(100);
  });
});

describe('Ready', () => {
  it('goes Pending → Ready → Pending → Ready, counting generations', () => {
    const ready = new Ready(new FakeClock());
    expect(ready.state).toBe('Pending');
    ready.setReady();
    expect([ready.state, ready.generation]).toEqual(['Ready', 1]);
    ready.setError(new Error('relist'));
    expect(ready.state).toBe('Pending');
    ready.setReady();
    expect([ready.state, ready.generation]).toEqual(['Ready', 2]);
  });

  it('answers 429 with a Retry-After that grows with the downtime, capped at 30 s', () => {
    const clock = new FakeClock();
    const ready = new Ready(clock);
    ready.setReady();
    ready.setError(new Error('watch closed'));
    expect(ready.check()?.status).toMatchObject({
      code: 429,
      reason: 'TooManyRequests',
      message: 'storage is (re)initializing: watch closed',
      details: { retryAfterSeconds: 1 },
    });
    clock.step(30_000);
    expect(ready.check()?.retryAfterSeconds).toBe(6);
    clock.step(600_000);
    expect(ready.check()?.retryAfterSeconds).toBe(30);
  });

  it('stays Stopped for good', () => {
    const ready = new Ready(new FakeClock());
    ready.stop();
    ready.setReady();
    expect(ready.state).toBe('Stopped');
    expect(ready.check()?.message).toBe('apiserver cacher is stopped');
  });
});
