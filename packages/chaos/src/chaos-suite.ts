/**
 * Many seeded chaos runs over a few server processes, and their summary: how many converged, the time to
 * converge after the storm (p50/p90/max) and the request rate during the storm.
 */
import { ChaosLane } from './chaos-lane.js';
import { type ChaosRunOptions, type ChaosRunResult, type RetryPolicy, runChaos } from './chaos-run.js';
import type { FaultKind } from './storm.js';

/** Options of {@link runChaosSuite}. */
export interface ChaosSuiteOptions extends Omit<ChaosRunOptions, 'seed'> {
  /** Seeds to run: `firstSeed`, `firstSeed + 1`, … Count. */
  runs: number;
  /** Default 1. */
  firstSeed?: number;
  /** Run exactly these seeds instead (then `runs` and `firstSeed` are ignored). */
  seeds?: readonly number[];
  /** Server processes (and runs) at once. Default 2. */
  concurrency?: number;
  /** Called after each run (progress output). */
  onRun?: (result: ChaosRunResult) => void;
}

/** The summary of a suite. */
export interface ChaosSummary {
  policy: RetryPolicy;
  runs: number;
  converged: number;
  /** Milliseconds from the end of the storm to convergence, over converged runs. */
  convergeMs: { p50: number; p90: number; max: number };
  /** Converged runs whose convergence included a list timing out on a half-open connection after the storm. */
  listTimedOutAfterStorm: number;
  /** Requests per second during the storm: mean and max over runs. */
  requestsPerSecond: { mean: number; max: number };
  faults: Partial<Record<FaultKind, number>>;
  failures: ChaosRunResult[];
}

/** The `q`-quantile (nearest rank) of ascending `sorted`; 0 when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Summarises results of one policy. */
export function summarise(policy: RetryPolicy, results: readonly ChaosRunResult[]): ChaosSummary {
  const times = results.flatMap((r) => (r.convergeMs === undefined ? [] : [r.convergeMs])).sort((a, b) => a - b);
  const rates = results.map((r) => r.requestsPerSecond);
  const faults: Partial<Record<FaultKind, number>> = {};
  for (const r of results) {
    for (const [k, n] of Object.entries(r.faults)) faults[k as FaultKind] = (faults[k as FaultKind] ?? 0) + n;
  }
  return {
    policy,
    runs: results.length,
    converged: times.length,
    convergeMs: { p50: quantile(times, 0.5), p90: quantile(times, 0.9), max: times.at(-1) ?? 0 },
    listTimedOutAfterStorm: results.filter((r) => r.converged && r.listTimedOutAfterStorm).length,
    requestsPerSecond: {
      mean: rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length),
      max: Math.max(0, ...rates),
    },
    faults,
    failures: results.filter((r) => !r.converged),
  };
}

/** Runs the seeds over `concurrency` server processes; always ends the processes it started. */
export async function runChaosSuite(options: ChaosSuiteOptions): Promise<ChaosSummary> {
  const first = options.firstSeed ?? 1;
  const seeds = options.seeds ? [...options.seeds] : Array.from({ length: options.runs }, (_, i) => first + i);
  const lanes: ChaosLane[] = [];
  const results: ChaosRunResult[] = [];
  try {
    for (let i = 0; i < Math.min(options.concurrency ?? 2, seeds.length); i++) lanes.push(await ChaosLane.start());
    await Promise.all(
      lanes.map(async (lane) => {
        for (let seed = seeds.shift(); seed !== undefined; seed = seeds.shift()) {
          const result = await runChaos(lane, { ...options, seed });
          results.push(result);
          options.onRun?.(result);
        }
      }),
    );
  } finally {
    await Promise.all(lanes.map((l) => l.close()));
  }
  return summarise(
    options.policy ?? 'kubecache',
    results.sort((a, b) => a.seed - b.seed),
  );
}

/** The summary as a few lines of text. */
export function formatSummary(s: ChaosSummary, stormMs: number): string {
  const ms = (x: number): string => `${(x / 1000).toFixed(3)} s`;
  const faults = Object.entries(s.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    `policy ${s.policy}: ${s.converged}/${s.runs} converged (storms of ${ms(stormMs)})`,
    `  time to converge after the storm: p50 ${ms(s.convergeMs.p50)}, p90 ${ms(s.convergeMs.p90)}, max ${ms(s.convergeMs.max)}`,
    `  runs where a list after the storm waited out its timeout on a half-open connection: ${s.listTimedOutAfterStorm}`,
    `  requests during the storm: mean ${s.requestsPerSecond.mean.toFixed(2)}/s, max ${s.requestsPerSecond.max.toFixed(2)}/s`,
    `  faults injected: ${faults}`,
  ];
  for (const f of s.failures) lines.push(`  seed ${f.seed} did not converge: ${f.diff}`);
  return lines.join('\n');
}

/** Two summaries of the same seeds side by side (ours first), one line per figure. */
export function formatComparison(a: ChaosSummary, b: ChaosSummary): string {
  const s = (x: number): string => `${(x / 1000).toFixed(3)} s`;
  const rows: [string, string, string][] = [
    ['policy', a.policy, b.policy],
    ['converged', `${a.converged}/${a.runs}`, `${b.converged}/${b.runs}`],
    ['converge p50', s(a.convergeMs.p50), s(b.convergeMs.p50)],
    ['converge p90', s(a.convergeMs.p90), s(b.convergeMs.p90)],
    ['converge max', s(a.convergeMs.max), s(b.convergeMs.max)],
    ['list timeouts after storm', String(a.listTimedOutAfterStorm), String(b.listTimedOutAfterStorm)],
    ['requests/s in storm, mean', a.requestsPerSecond.mean.toFixed(2), b.requestsPerSecond.mean.toFixed(2)],
    ['requests/s in storm, max', a.requestsPerSecond.max.toFixed(2), b.requestsPerSecond.max.toFixed(2)],
  ];
  return rows.map(([k, x, y]) => `${k.padEnd(27)}${x.padStart(12)}${y.padStart(12)}`).join('\n');
}
