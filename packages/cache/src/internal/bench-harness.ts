/**
 * A tiny benchmark harness: time a function over a fixed input, report per-operation cost, and compare
 * against a baseline measured in the same process and run.
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

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Runs `fn` `repeat` times (after one warm-up) and keeps the fastest run: the least disturbed by GC and
 * the other core. `setup` builds fresh input for each run outside the timing.
 */
export function bench<I>(name: string, ops: number, setup: () => I, fn: (input: I) => void, repeat = 3): BenchResult {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r <= repeat; r++) {
    const input = setup();
    gc();
    const t0 = performance.now();
    fn(input);
    const dt = performance.now() - t0;
    if (r > 0) best = Math.min(best, dt);
  }
  return { name, ops, totalMs: best, usPerOp: (best * 1000) / ops };
}

/** Async variant of {@link bench}. */
export async function benchAsync<I>(
  name: string,
  ops: number,
  setup: () => I | Promise<I>,
  fn: (input: I) => Promise<void>,
  repeat = 3,
): Promise<BenchResult> {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r <= repeat; r++) {
    const input = await setup();
    gc();
    const t0 = performance.now();
    await fn(input);
    const dt = performance.now() - t0;
    if (r > 0) best = Math.min(best, dt);
  }
  return { name, ops, totalMs: best, usPerOp: (best * 1000) / ops };
}

/** Prints results as a table, each with its ratio to `baseline` (measured in the same run). */
export function report(title: string, results: BenchResult[], baseline?: BenchResult): void {
  console.log(`\n${title}`);
  console.log('| case | ops | total ms | µs/op | × baseline |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const ratio = baseline ? (r.usPerOp / baseline.usPerOp).toFixed(2) : '';
    console.log(`| ${r.name} | ${r.ops} | ${r.totalMs.toFixed(1)} | ${r.usPerOp.toFixed(3)} | ${ratio} |`);
  }
}

/**
 * Writes a benchmark's figures as JSON to `<KUBECACHE_BENCH_JSON>/<name>.json` when that environment
 * variable names a directory (`npm run bench -- --json <dir>` sets it); does nothing otherwise. Charts and
 * docs are generated from these files, never from copied numbers.
 */
export async function writeBenchJson(name: string, data: unknown): Promise<void> {
  const dir = process.env.KUBECACHE_BENCH_JSON;
  if (!dir) return;
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  const machine = { node: process.version, platform: process.platform, arch: process.arch };
  await writeFile(
    join(dir, `${name}.json`),
    `${JSON.stringify({ name, at: new Date().toISOString(), machine, data }, null, 2)}\n`,
  );
}
