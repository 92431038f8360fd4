#!/usr/bin/env node
/**
 * `npm run test:chaos`: seeded fault storms through SharedIndexInformer + KubeListerWatcher against a
 * list/watch server in separate processes. Runs the same seeds with our retry policy and with client-go's
 * (simulated: its backoff stepped after every ListAndWatch, no reset on progress, no budget) and prints
 * both side by side: convergence after the storm and requests per second during it. Exits non-zero unless
 * every run of our policy converged.
 *
 * Flags: --runs N (100), --compare (default) / --no-compare, --storm-ms N (2000), --concurrency N (2),
 * --first-seed N (1), --seeds a,b,c (instead of --runs/--first-seed), --policy P (ours: kubecache),
 * --verbose (one line per run), --trace (what the informer did, per run; use with --concurrency 1).
 */
import { parseArgs } from 'node:util';
import type { ChaosRunResult, RetryPolicy } from '../chaos-run.js';
import { formatComparison, formatSummary, runChaosSuite } from '../chaos-suite.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    compare: { type: 'boolean', default: true },
    'no-compare': { type: 'boolean', default: false },
    'storm-ms': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '2' },
    'first-seed': { type: 'string', default: '1' },
    policy: { type: 'string', default: 'kubecache' },
    seeds: { type: 'string' },
    trace: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const stormMs = Number(values['storm-ms']);
const common = {
  stormMs,
  runs: Number(values.runs),
  concurrency: Number(values.concurrency),
  firstSeed: Number(values['first-seed']),
  ...(values.seeds ? { seeds: values.seeds.split(',').map(Number) } : {}),
  ...(values.trace ? { trace: (line: string) => console.log(line) } : {}),
};
const onRun = values.verbose
  ? (r: ChaosRunResult) =>
      console.log(
        `  ${r.policy} seed ${r.seed}: ${r.converged ? `${r.convergeMs?.toFixed(0)} ms` : 'NOT CONVERGED'}, ${r.requestsPerSecond.toFixed(1)} req/s (${r.requests.lists} lists, ${r.requests.watches} watches)${r.listTimedOutAfterStorm ? ', a list timed out after the storm' : ''}`,
      )
  : undefined;

const started = performance.now();
const ours = await runChaosSuite({ ...common, policy: values.policy as RetryPolicy, onRun });
console.log(formatSummary(ours, stormMs));
if (values.compare && !values['no-compare']) {
  const clientGo = await runChaosSuite({ ...common, policy: 'client-go', onRun });
  console.log(formatSummary(clientGo, stormMs));
  console.log(`\nthe same ${ours.runs} seeds, side by side:`);
  console.log(formatComparison(ours, clientGo));
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.exit(ours.converged === ours.runs ? 0 : 1);
