/**
 * The commands as a person runs them, as separate processes: `npx kubecache-<name> --help` resolves to this
 * workspace's own bin with the registry unreachable, and `kubecache-zone-labeler --kubeconfig` works against
 * `kubecache-apiserver` started as its own process, following a node's zone change, until SIGINT (exit 0).
 * Needs the build (`npm test` runs `tsc -b` first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMMANDS = ['zone-labeler', 'configmap-mirror', 'podset', 'crontab', 'node-pods'];
/** npx may only use what is installed: a registry request would fail (nothing listens on port 9). */
const OFFLINE_ENV = { ...process.env, npm_config_registry: 'http://127.0.0.1:9', npm_config_offline: 'true' };

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function start(cmd: string, args: string[]): { child: ChildProcess; exited: Promise<Exited>; out: () => string } {
  const child = spawn(cmd, args, { cwd: ROOT, env: OFFLINE_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<Exited>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, exited, out: () => stdout + stderr };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, detail: () => string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npx kubecache-<name>', () => {
  it.each(COMMANDS)(
    'npx --offline kubecache-%s --help runs the local bin with the registry unreachable',
    async (name) => {
      const r = await start('npx', ['--offline', `kubecache-${name}`, '--help']).exited;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`usage: kubecache-${name} [options]`);
      expect(r.stdout).toContain('--kubeconfig <file>');
    },
  );
});

describe('kubecache-zone-labeler --kubeconfig against kubecache-apiserver in another process', () => {
  it('labels the pods, follows a zone change, and exits 0 on SIGINT', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubecache-cli-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const server = start(process.execPath, [
      'packages/apiserver/bin/kubecache-apiserver.js',
      '--port',
      '0',
      '--kubeconfig-out',
      kubeconfig,
    ]);
    try {
      await waitFor('the server', () => /serving on/.test(server.out()), server.out);
      const url = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.out())?.[1] ?? '';
      const send = async (method: string, p: string, body?: object) => {
        const res = await fetch(url + p, {
          method,
          headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<{ items?: { metadata: { name: string; labels?: Record<string, string> } }[] }>;
      };
      for (const [node, zone] of [
        ['node-a', 'eu-1a'],
        ['node-b', 'eu-1b'],
      ]) {
        await send('POST', '/api/v1/nodes', {
          metadata: { name: node, labels: { 'topology.kubernetes.io/zone': zone } },
        });
      }
      for (let i = 0; i < 4; i++) {
        await send('POST', '/api/v1/namespaces/default/pods', {
          metadata: { name: `p-${i}` },
          spec: { nodeName: i % 2 ? 'node-b' : 'node-a', containers: [{ name: 'c', image: 'i' }] },
        });
      }
      expect(readFileSync(kubeconfig, 'utf8')).toContain(url);
      const labeler = start(process.execPath, ['examples/bin/kubecache-zone-labeler.js', '--kubeconfig', kubeconfig]);
      const zones = async () => {
        const list = await send('GET', '/api/v1/namespaces/default/pods');
        return (list.items ?? []).map((p) => `${p.metadata.name}=${p.metadata.labels?.['topology.kubecache.io/zone']}`);
      };
      const want = (b: string) => ['p-0=eu-1a', `p-1=${b}`, 'p-2=eu-1a', `p-3=${b}`];
      await waitFor('the pods labelled', async () => (await zones()).join() === want('eu-1b').join(), labeler.out);
      await send('PATCH', '/api/v1/nodes/node-b', { metadata: { labels: { 'topology.kubernetes.io/zone': 'eu-1c' } } });
      await waitFor(
        'the labels to follow node-b',
        async () => (await zones()).join() === want('eu-1c').join(),
        labeler.out,
      );
      expect(labeler.out()).toContain('node node-b moved eu-1b → eu-1c: requeued 2 pods');
      labeler.child.kill('SIGINT');
      const r = await labeler.exited;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^stopped: 6 labels written in \d+ reconciles$/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
