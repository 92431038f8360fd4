import { describe, expect, it } from '@jest/globals';
import { runChaosSuite } from './chaos-suite.js';

// The short version of `npm run test:chaos` (which runs 100 seeds and compares with client-go's policy).
// It needs the compiled server (`tsc -b`, which `npm test` runs first): the server is a separate process.
describe('chaos', () => {
  it('converges after every seeded storm of drops, resets, half-open connections, 410s, compactions, 429/500 lists, delays and churn', async () => {
    const summary = await runChaosSuite({ runs: 5, firstSeed: 1001, stormMs: 2000, concurrency: 2 });
    expect(summary.failures).toEqual([]);
    expect(summary.converged).toBe(5);
    // The storms really were storms: every kind of fault was injected at least once across the seeds.
    expect(Object.keys(summary.faults).sort()).toEqual(
      ['close', 'compact', 'delay', 'expire', 'half-open', 'list-429', 'list-500', 'reset'].sort(),
    );
  }, 60_000);
});
