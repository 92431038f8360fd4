import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { DEFAULT_BACKOFF, ExponentialBackoff, REFLECTOR_BACKOFF } from './backoff.js';

describe('ExponentialBackoff', () => {
  it('doubles from 800 ms up to the 30 s cap without jitter', () => {
    const backoff = new ExponentialBackoff({ clock: new FakeClock(), jitter: 0 });
    const delays = Array.from({ length: 8 }, () => backoff.step());
    expect(delays).toEqual([800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  });

  it('adds jitter in [base, 2 × base) by default', () => {
    const low = new ExponentialBackoff({ clock: new FakeClock(), random: () => 0 });
    const high = new ExponentialBackoff({ clock: new FakeClock(), random: () => 0.999 });
    expect(low.step()).toBe(800);
    expect(high.step()).toBeCloseTo(1599.2);
    for (let i = 0; i < 10; i++) high.step();
    expect(high.step()).toBeCloseTo(59_970);
  });

  it('sums to 250 ms over five steps of the custom 10 ms, ×2, cap 100 ms policy', () => {
    const backoff = new ExponentialBackoff({ clock: new FakeClock(), initialMs: 10, capMs: 100, jitter: 0 });
    const total = Array.from({ length: 5 }, () => backoff.step()).reduce((a, b) => a + b, 0);
    expect(total).toBe(250);
  });

  it('starts over once 2 minutes passed without a step after the last delay ended', () => {
    const clock = new FakeClock();
    const backoff = new ExponentialBackoff({ clock, jitter: 0 });
    expect(backoff.step()).toBe(800);
    expect(backoff.step()).toBe(1600);
    clock.step(1600 + 120_000);
    expect(backoff.step()).toBe(3200);
    clock.step(3200 + 120_001);
    expect(backoff.step()).toBe(800);
  });

  it('never starts over while failures keep coming, however long the outage', () => {
    const clock = new FakeClock();
    const backoff = new ExponentialBackoff({ clock, jitter: 0 });
    const delays: number[] = [];
    for (let i = 0; i < 40; i++) {
      const d = backoff.step();
      delays.push(d);
      clock.step(d);
    }
    expect(Math.min(...delays.slice(6))).toBe(30_000);
  });

  it('never resets when resetAfter is 0', () => {
    const clock = new FakeClock();
    const backoff = new ExponentialBackoff({ clock, jitter: 0, resetAfterMs: 0 });
    backoff.step();
    clock.step(10 * 60_000);
    expect(backoff.step()).toBe(1600);
  });

  it('gives the Reflector a first wait of 1–1.4 s, client-go’s average first wait, then 1.6–2.24 s', () => {
    const at = (r: number): number[] => {
      const backoff = new ExponentialBackoff({ ...REFLECTOR_BACKOFF, clock: new FakeClock(), random: () => r });
      return [backoff.step(), backoff.step(), backoff.step()];
    };
    expect(at(0)).toEqual([1000, 1600, 1600]);
    expect(at(0.5)).toEqual([1200, 1920, 1920]);
    expect(at(0.999).map(Math.round)).toEqual([1400, 2239, 2239]);
    // client-go's first wait, drawn from [800, 1600), averages the same 1.2 s: a storm costs as many retries.
    expect(DEFAULT_BACKOFF.initialMs * (1 + DEFAULT_BACKOFF.jitter / 2)).toBe(at(0.5)[0]);
  });
});
