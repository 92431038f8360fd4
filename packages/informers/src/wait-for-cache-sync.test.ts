import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { waitForCacheSync } from './wait-for-cache-sync.js';

describe('waitForCacheSync', () => {
  it('polls on the clock until every check is synced', async () => {
    const clock = new FakeClock(0);
    let a = false;
    const result = waitForCacheSync([() => a, { hasSynced: () => true }], { clock });
    await clock.stepAsync(250);
    a = true;
    await clock.stepAsync(100);
    await expect(result).resolves.toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('resolves false when the signal aborts first, and releases its timer', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const result = waitForCacheSync([() => false], { clock, signal: ac.signal });
    ac.abort();
    await expect(result).resolves.toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects with the error the fail-fast hook returns', async () => {
    const clock = new FakeClock(0);
    const err = new Error('forbidden');
    let failing: Error | undefined;
    const result = waitForCacheSync([() => false], { clock, failFast: () => failing }).catch((e: unknown) => e);
    await clock.stepAsync(100);
    failing = err;
    await clock.stepAsync(100);
    expect(await result).toBe(err);
    expect(clock.pendingTimers()).toBe(0);
  });
});
