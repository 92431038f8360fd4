import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import type { StorageListOptions } from '@kubecache/storage';
import { parseResourceVersion } from '@kubecache/storage';
import { shouldDelegateList, suggestedBufferSize } from './watch-support.js';

describe('shouldDelegateList', () => {
  const cases: [string, StorageListOptions<KubeObject>, boolean, boolean][] = [
    ['a consistent read goes to the cache when progress is reliable', { recursive: true }, true, false],
    ['a consistent read goes to storage when progress is unreliable', { recursive: true }, false, true],
    ['RV 0 is served from the cache, limit or not', { resourceVersion: '0', predicate: { limit: 5 } }, true, false],
    ['RV N without a limit waits in the cache', { resourceVersion: '7', recursive: true }, true, false],
    [
      'RV N with a limit is the legacy exact read: storage',
      { resourceVersion: '7', recursive: true, predicate: { limit: 5 } },
      true,
      true,
    ],
    [
      'RV N with a limit and NotOlderThan stays in the cache',
      { resourceVersion: '7', resourceVersionMatch: 'NotOlderThan', recursive: true, predicate: { limit: 5 } },
      true,
      false,
    ],
    ['Exact goes to storage (no snapshots)', { resourceVersion: '7', resourceVersionMatch: 'Exact' }, true, true],
    ['a continue token goes to storage', { recursive: true, predicate: { limit: 5, continue: 'x' } }, true, true],
    [
      'a single-object LIST with RV N and a limit stays in the cache',
      { resourceVersion: '7', recursive: false, predicate: { limit: 5 } },
      true,
      false,
    ],
  ];
  it.each(cases)('%s', (_name, options, consistent, delegated) => {
    expect(shouldDelegateList(options, parseResourceVersion(options.resourceVersion), consistent)).toBe(delegated);
  });
});

describe('suggestedBufferSize', () => {
  it.each([
    [100, false, false, 10],
    [102_400, false, false, 100],
    [102_400, true, false, 1000],
    [102_400, true, true, 10],
    [7500, false, false, 100],
  ])('is %i events of history, trigger %s, used %s → %i', (capacity, hasTrigger, used, size) => {
    expect(suggestedBufferSize(capacity, 75_000, hasTrigger, used)).toBe(size);
  });

  it('divides the capacity by the configured history window, not the default 75 s', () => {
    expect(suggestedBufferSize(1500, 150_000, false, false)).toBe(10);
    expect(suggestedBufferSize(1500, 75_000, false, false)).toBe(20);
  });
});
