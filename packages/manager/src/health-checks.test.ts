import { describe, expect, it } from '@jest/globals';
import { HealthChecks } from './health-checks.js';

describe('HealthChecks', () => {
  it('passes when every check passes and reports each failure by name', async () => {
    const h = new HealthChecks('readyz');
    h.add({ name: 'a', check: () => {} });
    h.add({
      name: 'b',
      check: async () => {
        throw new Error('not yet');
      },
    });
    const report = await h.run();
    expect(report.ok).toBe(false);
    expect(h.format(report, false)).toBe('[+]a ok\n[-]b failed: reason withheld\nreadyz check failed\n');
    expect(h.format(report, true)).toBe('[+]a ok\n[-]b failed: not yet\nreadyz check failed\n');
    expect((await h.run({ exclude: ['b'] })).ok).toBe(true);
    expect(h.format(await h.run({ only: 'a' }), false)).toBe('ok');
    expect((await h.run({ only: 'zzz' })).ok).toBe(false);
  });

  it('refuses duplicate and malformed names', () => {
    const h = new HealthChecks('healthz');
    h.add({ name: 'ping', check: () => {} });
    expect(() => h.add({ name: 'ping', check: () => {} })).toThrow(/exists/);
    expect(() => h.add({ name: 'Bad Name', check: () => {} })).toThrow(TypeError);
  });
});
