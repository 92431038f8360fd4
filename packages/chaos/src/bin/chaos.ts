#!/usr/bin/env node
/**
 * `npm run test:chaos`: seeded fault storms through SharedIndexInformer + KubeListerWatcher against a
 * list/watch server in separate processes; prints convergence and request rates, and, for comparison, the
 * same storms with client-go's retry policy. Exits non-zero unless every run of our policy converged.
 *
 * Flags: --runs N (100), --compare N (runs with client-go's policy, 20), --storm-ms N (2000),
 * --concurrency N (2), --first-seed N (1), --verbose.
 */
import { parseArgs } from 'node:util';
import type { RetryPolicy } from '../chaos-run.js';
import { formatSummary, runChaosSuite } from '../chaos-suite.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    compare: { type: 'string', default: '20' },
    'storm-ms': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '2' },
    'first-seed': { type: 'string', default: '1' },
    policy: { type: 'string', default: 'kubecache' },
    verbose: { type: 'boolean', default: false },
  },
});
const stormMs = Number(values['storm-ms']);
const common = { stormMs, concurrency: Number(values.concurrency), firstSeed: Number(values['first-seed']) };
const onRun = values.verbose
  ? (r: { seed: number; policy: string; convergeMs?: number; requestsPerSecond: number; converged: boolean }) =>
      console.log(
        `  ${r.policy} seed ${r.seed}: ${r.converged ? `${r.convergeMs?.toFixed(0)} ms` : 'NOT CONVERGED'}, ${r.requestsPerSecond.toFixed(1)} req/s`,
      )
  : undefined;

const started = performance.now();
const ours = await runChaosSuite({ ...common, runs: Number(values.runs), policy: values.policy as RetryPolicy, onRun });
console.log(formatSummary(ours, stormMs));
const compareRuns = Number(values.compare);
if (compareRuns > 0) {
  const clientGo = await runChaosSuite({ ...common, runs: compareRuns, policy: 'client-go', onRun });
  console.log(formatSummary(clientGo, stormMs));
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.exit(ours.converged === ours.runs ? 0 : 1);
