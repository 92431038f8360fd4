import { describe, expect, it } from '@jest/globals';
import { runEmbeddedDemo } from './embedded-demo.js';

describe('the embedded zone-labeler demo', () => {
  it('labels every pod, follows churn, and counts pods by zone through a label selector', async () => {
    const lines: string[] = [];
    const result = await runEmbeddedDemo({ pods: 9, log: (line) => lines.push(line) });
    expect(result.pods).toBe(9); // 9 seeded + 1 created - 1 deleted
    expect(Object.values(result.byZone).reduce((a, b) => a + b, 0)).toBe(9);
    expect(result.labelled).toBeGreaterThanOrEqual(10); // the seeded pods, the new one and the moved one
    expect(lines).toContain('deleted ns-1/app-1-9e3779b1-1 (object)');
  });
});
