#!/usr/bin/env node
// Runs every compiled benchmark (packages/*/dist/bench/*.bench.js), each in its own process with --expose-gc,
// so one benchmark's garbage never bills another. Pass name fragments to run a subset: npm run bench -- fifo
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

// `--json <dir>`: benchmarks that support it also write their figures to <dir>/<name>.json (see
// scripts/bench-chart.mjs, which draws docs/benchmarks.svg from them).
const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
if (jsonAt >= 0) {
  process.env.KUBECACHE_BENCH_JSON = path.resolve(args[jsonAt + 1] ?? 'bench-results');
  args.splice(jsonAt, 2);
}
const filters = args;
const files = [];
for (const pkg of readdirSync('packages')) {
  const dir = path.join('packages', pkg, 'dist', 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.bench.js') && (filters.length === 0 || filters.some((x) => f.includes(x)))) {
      files.push(path.join(dir, f));
    }
  }
}
let failed = 0;
for (const file of files) {
  console.log(`\n### ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (files.length === 0) console.log('no benchmarks built; run `npm run build` first');
process.exit(failed ? 1 : 0);
