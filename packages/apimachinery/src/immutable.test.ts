import { describe, expect, it } from '@jest/globals';
import { deepFreeze } from './freeze.js';
import { produce } from './immutable.js';
import type { KubeObject } from './object.js';

describe('produce', () => {
  it('derives a frozen copy from a frozen cached object and leaves the original alone', () => {
    const cached = deepFreeze<KubeObject>({ metadata: { name: 'web', labels: { app: 'web' } } });
    const next = produce(cached, (d) => {
      d.metadata!.labels = { ...d.metadata!.labels, zone: 'a' };
    });
    expect(next).not.toBe(cached);
    expect(next.metadata?.labels).toEqual({ app: 'web', zone: 'a' });
    expect(cached.metadata?.labels).toEqual({ app: 'web' });
    expect(Object.isFrozen(next.metadata)).toBe(true);
  });

  it('returns the object itself when the recipe changes nothing', () => {
    const cached = deepFreeze<KubeObject>({ metadata: { name: 'web' } });
    expect(produce(cached, () => {})).toBe(cached);
  });
});
