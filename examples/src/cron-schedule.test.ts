import { describe, expect, it } from '@jest/globals';
import { CronSchedule, CronSyntaxError } from './cron-schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('CronSchedule', () => {
  it('finds the next minute of a five-field schedule, strictly after the given time', () => {
    expect(iso(new CronSchedule('*/15 * * * *').next(at('2026-01-01T10:07:30Z')))).toBe('2026-01-01T10:15:00.000Z');
    expect(iso(new CronSchedule('*/15 * * * *').next(at('2026-01-01T10:15:00Z')))).toBe('2026-01-01T10:30:00.000Z');
  });

  it('supports a seconds field, ranges, lists and days of the week', () => {
    expect(iso(new CronSchedule('*/2 * * * * *').next(at('2026-01-01T00:00:01.500Z')))).toBe(
      '2026-01-01T00:00:02.000Z',
    );
    // 2026-01-01 is a Thursday (4); the next Monday 09:30 is 2026-01-05.
    expect(iso(new CronSchedule('30 9 * * 1').next(at('2026-01-01T00:00:00Z')))).toBe('2026-01-05T09:30:00.000Z');
    expect(iso(new CronSchedule('0 8-10,20 * * *').next(at('2026-01-01T10:00:00Z')))).toBe('2026-01-01T20:00:00.000Z');
  });

  it('rejects malformed and out-of-range fields with a message naming the field', () => {
    expect(() => new CronSchedule('61 * * * *')).toThrow(new CronSyntaxError('minute: 61 is outside 0-59'));
    expect(() => new CronSchedule('* * *')).toThrow(CronSyntaxError);
    expect(() => new CronSchedule('*/0 * * * *')).toThrow('minute: step must be at least 1 in "*/0"');
    expect(() => new CronSchedule('a * * * *')).toThrow('minute: cannot parse "a"');
  });

  it('answers undefined for a date that never comes (February 31st)', () => {
    expect(new CronSchedule('0 0 31 2 *').next(at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});
