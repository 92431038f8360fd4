import { describe, expect, it } from '@jest/globals';
import { ageOf, humanDuration } from './human-duration.js';

describe('humanDuration', () => {
  it.each([
    [-5000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [200_000, '3m20s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [10 * 3600_000, '10h'],
    [50 * 3600_000, '2d2h'],
    [400 * 86_400_000, '400d'],
    [3 * 365 * 86_400_000, '3y'],
  ])('%i ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('ages an object from its creation timestamp', () => {
    expect(ageOf('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:01:05Z'))).toBe('65s');
    expect(ageOf(undefined, 0)).toBe('<unknown>');
  });
});
