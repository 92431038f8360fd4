#!/usr/bin/env node
// Runs the whole jest suite and ends with the plain summary line CI counts: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const jestBin = path.join(path.dirname(require.resolve('jest/package.json')), 'bin', 'jest.js');
const results = path.resolve('.jest-results.json');
rmSync(results, { force: true });

const run = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    jestBin,
    '--json',
    `--outputFile=${results}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
if (existsSync(results)) {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  passed = summary.numPassedTests;
  // A suite that fails to load has no failed tests of its own; count it so it cannot pass silently.
  failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
} else {
  console.log(`0 passed, 1 failed`);
}
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
