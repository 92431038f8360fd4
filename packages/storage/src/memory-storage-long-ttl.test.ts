import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_DELAY_MS } from '@kubecache/apimachinery';
import { recordNodeTimers } from '@kubecache/apimachinery/testing';
import { MemoryStorage } from './memory-storage.js';
import { type ContractPod, contractPod } from './testing/contract-kit.js';

describe('MemoryStorage on the real clock', () => {
  it('keeps an object with a TTL over 24.8 days until the TTL has passed, never expiring it at once', async () => {
    const timers = recordNodeTimers();
    try {
      const storage = new MemoryStorage<ContractPod>();
      await storage.create('/pods/a/x', contractPod('a', 'x'), { ttlSeconds: 30 * 86_400 });
      expect(timers.timers.every((t) => t.delayMs <= MAX_TIMER_DELAY_MS)).toBe(true);
      expect(timers.timers.every((t) => t.unrefed)).toBe(true);
      timers.fireNext();
      expect(await storage.count('/pods')).toBe(1);
      timers.fireNext();
      expect(await storage.count('/pods')).toBe(0);
    } finally {
      timers.restore();
    }
  });
});
