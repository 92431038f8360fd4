/**
 * The README's two commands on a fresh clone of the current commit, in a temporary folder: the main command
 * must end with the example's summary line and the test command with a summary of no failures; and every
 * example's `npx kubecache-<name> --help` must work there. Slow (two full `npm ci`s and a test run), so it
 * is registered only with KUBECACHE_FRESH_CLONE=1: `npm run test:fresh-clone`. Uncommitted changes are not
 * in the clone.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MINUTES = 60_000;

/** The commands of the README's "Set up a fresh machine" block, comments removed. */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Set up a fresh machine'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

function sh(command: string, cwd: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // No KUBECACHE_FRESH_CLONE: the clone's own test run must not clone again.
    const env = { ...process.env, KUBECACHE_FRESH_CLONE: '', npm_config_prefer_offline: 'true' };
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`"${command}" did not finish in ${timeoutMs / MINUTES} min; output:\n${out.slice(-4000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const lastLine = (out: string) => out.trim().split('\n').at(-1) ?? '';

let dir: string;
let clone: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubecache-fresh-'));
  clone = path.join(dir, 'kubecache');
  const branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--branch', branch, ROOT, clone]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the README on a fresh clone', () => {
  it('clones the commit under test', () => {
    const head = (cwd: string) => execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    expect(head(clone)).toBe(head(ROOT));
  });

  it('has the two commands: the main example and the test suite', () => {
    expect(readmeCommands()).toEqual(['npm ci && npx kubecache-zone-labeler', 'npm ci && npm test']);
  });

  it(
    'runs the main command to the example summary line, and every example answers --help through npx',
    async () => {
      const [main] = readmeCommands();
      const r = await sh(main ?? '', clone, 15 * MINUTES);
      expect({ code: r.code, last: lastLine(r.out) }).toEqual({
        code: 0,
        last: expect.stringMatching(/^done: 12 pods on 6 nodes labelled \(zone-a 3, zone-b 2, zone-c 7\); /),
      });
      for (const name of ['zone-labeler', 'configmap-mirror', 'podset', 'crontab', 'node-pods']) {
        const help = await sh(`npx --offline kubecache-${name} --help`, clone, 2 * MINUTES);
        expect({ code: help.code, first: help.out.split('\n')[0] }).toEqual({
          code: 0,
          first: `usage: kubecache-${name} [options]`,
        });
      }
    },
    20 * MINUTES,
  );

  it(
    'runs the test command to a summary line with no failures',
    async () => {
      const [, test] = readmeCommands();
      const r = await sh(test ?? '', clone, 40 * MINUTES);
      // The output's tail rides along, so a failure shows what the clone's run printed last.
      expect({ code: r.code, last: lastLine(r.out), tail: r.out.slice(-3000) }).toEqual({
        code: 0,
        last: expect.stringMatching(/^[1-9]\d* passed, 0 failed$/),
        tail: expect.any(String),
      });
    },
    45 * MINUTES,
  );
});
