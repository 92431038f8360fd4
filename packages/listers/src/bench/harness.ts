/**
 * The cache package's benchmark harness (`packages/cache/src/bench/harness.ts`) is not exported from
 * `@kubecache/cache`, and a project reference cannot reach into another package's sources, so the two
 * functions this benchmark needs are restated here with the same behaviour and output format.
 */
import { performance } from 'node:perf_hooks';

/** One measured case. */
export interface BenchResult {
  name: string;
  ops: number;
  totalMs: number;
  /** Microseconds per operation. */
  usPerOp: number;
}

/** Runs `fn` `repeat` times after one warm-up and keeps the fastest run. */
export function bench<I>(name: string, ops: number, setup: () => I, fn: (input: I) => void, repeat = 3): BenchResult {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r <= repeat; r++) {
    const input = setup();
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    fn(input);
    const dt = performance.now() - t0;
    if (r > 0) best = Math.min(best, dt);
  }
  return { name, ops, totalMs: best, usPerOp: (best * 1000) / ops };
}

/** Prints results as a table, each with its ratio to `baseline`. */
export function report(title: string, results: BenchResult[], baseline?: BenchResult): void {
  console.log(`\n${title}`);
  console.log('| case | ops | total ms | µs/op | × baseline |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const ratio = baseline ? (r.usPerOp / baseline.usPerOp).toFixed(2) : '';
    console.log(`| ${r.name} | ${r.ops} | ${r.totalMs.toFixed(1)} | ${r.usPerOp.toFixed(3)} | ${ratio} |`);
  }
}
