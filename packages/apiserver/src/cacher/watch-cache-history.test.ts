import { describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import type { TestPod } from './cacher-test-kit.js';
import { WatchCacheEvent } from './watch-cache-event.js';
import { upperBoundForWindow, WatchCacheHistory } from './watch-cache-history.js';

function event(rv: number, recordTime: number): WatchCacheEvent<TestPod> {
  const object: TestPod = { metadata: { name: `p${rv}`, resourceVersion: String(rv) }, spec: {} };
  return new WatchCacheEvent<TestPod>({
    type: 'ADDED',
    key: `/pods/p${rv}`,
    object,
    attrs: undefined,
    prevObject: undefined,
    prevAttrs: undefined,
    resourceVersion: rv,
    recordTime,
  });
}

function fill(h: WatchCacheHistory<TestPod>, from: number, n: number, timeOf: (rv: number) => number) {
  for (let rv = from; rv < from + n; rv++) h.insert(event(rv, timeOf(rv)));
}

describe('WatchCacheHistory', () => {
  it('doubles its capacity while every buffered event is fresh', () => {
    const h = new WatchCacheHistory<TestPod>({ lowerBoundCapacity: 4, upperBoundCapacity: 16 });
    fill(h, 1, 20, () => 0);
    expect(h.capacity).toBe(16);
    expect(h.size).toBe(16);
  });

  it('stops growing at the upper bound and drops the oldest event', () => {
    const h = new WatchCacheHistory<TestPod>({ lowerBoundCapacity: 4, upperBoundCapacity: 8 });
    fill(h, 1, 10, () => 0);
    expect(h.capacity).toBe(8);
    expect(h.at(h.start)?.resourceVersion).toBe(3);
  });

  it('keeps its capacity when the oldest event is stale but the last quarter is fresh', () => {
    const h = new WatchCacheHistory<TestPod>({ lowerBoundCapacity: 4, upperBoundCapacity: 64 });
    fill(h, 1, 4, () => 0);
    fill(h, 5, 1, () => 100_000);
    expect(h.capacity).toBe(4);
  });

  it('halves its capacity when the event a quarter back is stale', () => {
    const h = new WatchCacheHistory<TestPod>({ lowerBoundCapacity: 4, upperBoundCapacity: 64 });
    fill(h, 1, 16, () => 0);
    expect(h.capacity).toBe(16);
    fill(h, 17, 1, () => 80_000);
    expect(h.capacity).toBe(8);
    expect(h.at(h.end - 1)?.resourceVersion).toBe(17);
    expect(h.size).toBe(8);
  });

  it('serves events after a resource version, and from the list RV while nothing was dropped', () => {
    const h = new WatchCacheHistory<TestPod>({ lowerBoundCapacity: 8 });
    fill(h, 11, 5, () => 0);
    expect(h.indexAfter(10, 10)).toBe(h.start);
    expect(h.at(h.indexAfter(13, 10))?.resourceVersion).toBe(14);
    expect(h.indexAfter(99, 10)).toBe(h.end);
  });

  it('answers 410 with the exact message for a version older than the window', () => {
    const h = new WatchCacheHistory<TestPod>({ lowerBoundCapacity: 4, upperBoundCapacity: 4 });
    fill(h, 11, 6, () => 0);
    const err = (() => {
      try {
        h.indexAfter(11, 10);
      } catch (e) {
        return e as StatusError;
      }
    })();
    expect(err).toBeInstanceOf(StatusError);
    expect(err?.status).toMatchObject({ code: 410, reason: 'Expired', message: 'too old resource version: 11 (12)' });
  });

  it('invalidates old indexes on reset: they never come back', () => {
    const h = new WatchCacheHistory<TestPod>({ lowerBoundCapacity: 8 });
    fill(h, 1, 3, () => 0);
    const old = h.start;
    h.reset();
    fill(h, 4, 3, () => 0);
    expect(h.at(old)).toBeUndefined();
    expect(h.start).toBe(3);
  });

  it.each([
    [75_000, 102_400],
    [150_000, 204_800],
    [600_000, 819_200],
  ])('scales the upper bound for a %d ms window to %d', (window, bound) => {
    expect(upperBoundForWindow(window)).toBe(bound);
  });
});
