import { describe, expect, it } from '@jest/globals';
import { Ring } from './ring.js';

describe('Ring', () => {
  it('hands items out in order while it grows and wraps around', () => {
    const ring = new Ring<number>(4);
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 3000; i++) ring.push(next++);
      for (let i = 0; i < 2500; i++) out.push(ring.shift() as number);
      expect(ring.length).toBe(next - out.length);
      expect(ring.at(0)).toBe(out.length);
      expect(ring.peek()).toBe(out.length);
    }
    while (ring.length > 0) out.push(ring.shift() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(ring.shift()).toBeUndefined();
  });

  it('reads by position and copies head first, across the wrap point', () => {
    const ring = new Ring<string>(4);
    for (const s of ['a', 'b', 'c', 'd']) ring.push(s);
    ring.shift();
    ring.shift();
    ring.push('e');
    ring.push('f'); // wraps: the slots now hold e f c d
    expect(ring.toArray()).toEqual(['c', 'd', 'e', 'f']);
    expect([ring.at(0), ring.at(3), ring.at(4), ring.at(-1)]).toEqual(['c', 'f', undefined, undefined]);
    const copy = ring.toArray();
    copy.push('x');
    expect(ring.length).toBe(4);
  });

  it('empties on clear', () => {
    const ring = new Ring<number>();
    ring.push(1);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.shift()).toBeUndefined();
  });
});
