import { describe, expect, it } from '@jest/globals';
import { FakeClock, MAX_TIMER_DELAY_MS, RealClock } from './clock.js';
import { recordNodeTimers } from './testing/node-timers.js';

describe('FakeClock', () => {
  it('fires timers in due order, ties in the order they were set', () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('c'), 20);
    clock.step(15);
    expect(fired).toEqual(['a']);
    expect(clock.now()).toBe(115);
    clock.step(5);
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('fires a timer set by a firing timer in the same step when due', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.step(10);
    expect(fired).toEqual([5, 10]);
  });

  it('cancels a cleared timer', () => {
    const clock = new FakeClock();
    let fired = false;
    const h = clock.setTimeout(() => {
      fired = true;
    }, 1);
    clock.clearTimeout(h);
    clock.step(10);
    expect(fired).toBe(false);
    expect(clock.hasWaiters()).toBe(false);
  });

  it('sleep rejects with the abort reason and releases its timer', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.hasWaiters()).toBe(false);
  });
});

describe('RealClock', () => {
  const day = 86_400_000;

  it('never asks Node for a delay over 2^31-1 ms: a 30-day timer waits its full length in steps', () => {
    const timers = recordNodeTimers();
    let fired = 0;
    try {
      new RealClock().setTimeout(() => fired++, 30 * day);
      expect(timers.timers.map((t) => t.delayMs)).toEqual([MAX_TIMER_DELAY_MS]);
      timers.fireNext();
      expect(fired).toBe(0);
      expect(timers.timers.map((t) => t.delayMs)).toEqual([MAX_TIMER_DELAY_MS, 30 * day - MAX_TIMER_DELAY_MS]);
      timers.fireNext();
      expect(fired).toBe(1);
      expect(timers.pending()).toHaveLength(0);
    } finally {
      timers.restore();
    }
  });

  it('cancels a long timer between steps, and carries unref over to each step', () => {
    const timers = recordNodeTimers();
    const clock = new RealClock();
    let fired = false;
    try {
      const handle = clock.setTimeout(() => {
        fired = true;
      }, 3 * MAX_TIMER_DELAY_MS);
      (handle as unknown as { unref(): void }).unref();
      timers.fireNext();
      expect(timers.timers.every((t) => t.unrefed)).toBe(true);
      clock.clearTimeout(handle);
      expect(timers.fireNext()).toBe(false);
      expect(fired).toBe(false);
    } finally {
      timers.restore();
    }
  });

  it.each([
    { label: 'a NaN delay', ms: Number.NaN, expected: 0 },
    { label: 'a negative delay', ms: -5, expected: 0 },
    { label: 'the limit itself', ms: MAX_TIMER_DELAY_MS, expected: MAX_TIMER_DELAY_MS },
  ])('passes $label to Node as $expected ms', ({ ms, expected }) => {
    const timers = recordNodeTimers();
    try {
      new RealClock().setTimeout(() => {}, ms);
      expect(timers.timers.map((t) => t.delayMs)).toEqual([expected]);
    } finally {
      timers.restore();
    }
  });

  it('waits forever (in steps) for an infinite delay', () => {
    const timers = recordNodeTimers();
    let fired = false;
    try {
      new RealClock().setTimeout(() => {
        fired = true;
      }, Number.POSITIVE_INFINITY);
      for (let i = 0; i < 3; i++) timers.fireNext();
      expect(fired).toBe(false);
      expect(timers.timers.every((t) => t.delayMs === MAX_TIMER_DELAY_MS)).toBe(true);
    } finally {
      timers.restore();
    }
  });
});
