import { describe, expect, it } from '@jest/globals';
import { FakeClock } from './clock.js';

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
