import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_DELAY_MS } from '@kubecache/apimachinery';
import { recordNodeTimers } from '@kubecache/apimachinery/testing';
import { DelayingQueue } from './delaying-queue.js';

describe('DelayingQueue on the real clock', () => {
  it('never asks Node for a timer over 2^31-1 ms and keeps waiting after the first step of a 30-day delay', () => {
    const timers = recordNodeTimers();
    try {
      const q = new DelayingQueue<string>();
      q.addAfter('ns/a', 30 * 86_400_000);
      expect(timers.timers.every((t) => t.delayMs <= MAX_TIMER_DELAY_MS)).toBe(true);
      timers.fireNext();
      expect(q.len()).toBe(0);
      expect(q.waitingCount()).toBe(1);
      q.shutDown();
    } finally {
      timers.restore();
    }
  });
});
