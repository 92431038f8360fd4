import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
  WithMaxWaitRateLimiter,
} from './rate-limiters.js';
import { RateLimitingQueue } from './rate-limiting-queue.js';

function whens<T>(l: RateLimiter<T>, item: T, n: number): number[] {
  return Array.from({ length: n }, () => l.when(item));
}

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles per item from the base delay and forgets on request', () => {
    const l = new ItemExponentialFailureRateLimiter<string>({ baseDelayMs: 1, maxDelayMs: 1000 });
    expect(whens(l, 'one', 5)).toEqual([1, 2, 4, 8, 16]);
    expect(l.numRequeues('one')).toBe(5);
    expect(whens(l, 'two', 2)).toEqual([1, 2]);
    l.forget('one');
    expect(l.numRequeues('one')).toBe(0);
    expect(l.when('one')).toBe(1);
  });

  it('caps at the maximum without overflowing', () => {
    const l = new ItemExponentialFailureRateLimiter<string>({ baseDelayMs: 1, maxDelayMs: 1_000_000 });
    whens(l, 'one', 5);
    expect(l.when('one')).toBe(32);
    whens(l, 'one', 1000);
    expect(l.when('one')).toBe(1_000_000);
    const big = new ItemExponentialFailureRateLimiter<string>({ baseDelayMs: 60_000, maxDelayMs: 3_600_000_000 });
    expect(whens(big, 'x', 3)[2]).toBe(240_000);
    whens(big, 'x', 1000);
    expect(big.when('x')).toBe(3_600_000_000);
  });

  it('defaults to client-go numbers, 5 ms to 1000 s', () => {
    const l = new ItemExponentialFailureRateLimiter<string>();
    expect(l.when('a')).toBe(5);
    whens(l, 'a', 100);
    expect(l.when('a')).toBe(1_000_000);
  });
});

describe('ItemFastSlowRateLimiter', () => {
  it('gives the fast delay for the first attempts then the slow one', () => {
    const l = new ItemFastSlowRateLimiter<string>({ fastDelayMs: 5, slowDelayMs: 10_000, maxFastAttempts: 3 });
    expect(whens(l, 'one', 5)).toEqual([5, 5, 5, 10_000, 10_000]);
    expect(l.numRequeues('one')).toBe(5);
    l.forget('one');
    expect(l.numRequeues('one')).toBe(0);
    expect(l.when('one')).toBe(5);
  });
});

describe('MaxOfRateLimiter', () => {
  it('takes the largest delay and the largest requeue count', () => {
    const l = new MaxOfRateLimiter<string>(
      new ItemFastSlowRateLimiter({ fastDelayMs: 5, slowDelayMs: 3000, maxFastAttempts: 3 }),
      new ItemExponentialFailureRateLimiter({ baseDelayMs: 1, maxDelayMs: 1000 }),
    );
    expect(whens(l, 'one', 5)).toEqual([5, 5, 5, 3000, 3000]);
    expect(l.numRequeues('one')).toBe(5);
    l.forget('one');
    expect(l.numRequeues('one')).toBe(0);
  });
});

describe('WithMaxWaitRateLimiter', () => {
  it('caps the wrapped limiter delay', () => {
    const l = new WithMaxWaitRateLimiter<string>(
      new ItemFastSlowRateLimiter({ fastDelayMs: 5, slowDelayMs: 1_000_000, maxFastAttempts: 100 }),
      500_000,
    );
    const got = whens(l, 'a', 200);
    expect(got.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(got.slice(100).every((d) => d === 500_000)).toBe(true);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through then spaces items at the rate, refilling with time', () => {
    const clock = new FakeClock(0);
    const l = new BucketRateLimiter<string>({ qps: 10, burst: 100, clock });
    expect(whens(l, 'x', 100).every((d) => d === 0)).toBe(true);
    expect(l.when('x')).toBeCloseTo(100);
    expect(l.when('y')).toBeCloseTo(200);
    expect(l.numRequeues('x')).toBe(0);
    clock.step(1000);
    // 10 tokens refilled, 2 already borrowed: 8 more go through at once
    expect(whens(l, 'z', 8).every((d) => d === 0)).toBe(true);
    expect(l.when('z')).toBeCloseTo(100);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('combines the per-item exponential with the overall bucket', () => {
    const clock = new FakeClock(0);
    const l = defaultControllerRateLimiter<string>(clock);
    expect(whens(l, 'a', 3)).toEqual([5, 10, 20]);
    for (let i = 0; i < 97; i++) l.when(`k${i}`);
    expect(l.when('fresh')).toBeCloseTo(100); // bucket exhausted: 10 qps
  });
});

describe('RateLimitingQueue', () => {
  it('delays per item by the limiter and resets on forget (TestRateLimitingQueue)', () => {
    const clock = new FakeClock(0);
    const q = new RateLimitingQueue<string>({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter({ baseDelayMs: 1, maxDelayMs: 1000 }),
    });
    q.addRateLimited('one');
    q.addRateLimited('one');
    expect(q.numRequeues('one')).toBe(2);
    expect(clock.nextTimerAt()).toBe(1);
    q.addRateLimited('two');
    q.addRateLimited('two');
    expect(q.numRequeues('two')).toBe(2);
    clock.step(1);
    expect(q.len()).toBe(2);
    q.forget('one');
    expect(q.numRequeues('one')).toBe(0);
    q.addRateLimited('one');
    expect(q.numRequeues('one')).toBe(1);
  });
});
