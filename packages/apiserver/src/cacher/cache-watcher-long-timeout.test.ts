import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_DELAY_MS, realClock } from '@kubecache/apimachinery';
import { recordNodeTimers } from '@kubecache/apimachinery/testing';
import { CacheWatcher } from './cache-watcher.js';
import type { TestPod } from './cacher-test-kit.js';
import { jsonLineEncoder } from './watch-cache-event.js';

describe('CacheWatcher on the real clock', () => {
  it('keeps a watch with a timeout over 24.8 days open until its deadline, never ending it at once', () => {
    const timers = recordNodeTimers();
    try {
      const watcher = new CacheWatcher<TestPod>({
        key: '/pods/',
        recursive: true,
        capacity: 10,
        encoder: jsonLineEncoder,
        startResourceVersion: 1,
        clock: realClock,
        deadline: realClock.now() + 40 * 86_400_000,
      });
      expect(timers.timers.every((t) => t.delayMs <= MAX_TIMER_DELAY_MS)).toBe(true);
      timers.fireNext();
      expect(watcher.stopped).toBe(false);
      while (timers.fireNext());
      expect(watcher.stopped).toBe(true);
    } finally {
      timers.restore();
    }
  });
});
