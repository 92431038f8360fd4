#!/usr/bin/env node
// Runs every compiled benchmark (packages/*/dist/bench/*.bench.js), each in its own process with --expose-gc,
// so one benchmark's garbage never bills another. Pass name fragments to run a subset: npm run bench -- fifo
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const filters = process.argv.slice(2);
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
