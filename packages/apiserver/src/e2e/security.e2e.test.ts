/**
 * Security over real sockets: bearer tokens (401 without a known one), TLS with a generated CA that
 * client-node trusts through the kubeconfig, the 127.0.0.1 default bind, and the CLI writing a kubeconfig.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { startTestServer } from '../testing/start-test-server.js';

describe('authentication and TLS', () => {
  it('answers 401 without a known bearer token and serves the kubeconfig user', async () => {
    const logged: string[] = [];
    const ts = await startTestServer({ server: { tokens: ['s3cret-token'], log: (line) => logged.push(line) } });
    try {
      expect(ts.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const none = await fetch(`${ts.url}/api/v1/namespaces`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { reason: string }).reason).toBe('Unauthorized');
      const wrong = await fetch(`${ts.url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      expect((await fetch(`${ts.url}/healthz`)).status).toBe(200);
      const core = ts.kubeConfig.makeApiClient(CoreV1Api);
      const list = await core.listNamespace();
      expect(list.items.map((n) => n.metadata?.name)).toEqual([
        'default',
        'kube-node-lease',
        'kube-public',
        'kube-system',
      ]);
      expect(logged.join('\n')).not.toContain('s3cret-token');
    } finally {
      await ts.stop();
    }
  });

  it('serves HTTPS with a generated CA that the kubeconfig carries', async () => {
    const ts = await startTestServer({ server: { tls: true } });
    try {
      expect(ts.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(ts.kubeconfigYaml).toContain('certificate-authority-data: ');
      const core = ts.kubeConfig.makeApiClient(CoreV1Api);
      const ns = await core.readNamespace({ name: 'default' });
      expect(ns.status?.phase).toBe('Active');
      await expect(fetch(`${ts.url}/healthz`)).rejects.toThrow();
    } finally {
      await ts.stop();
    }
  });
});

describe('the kubecache-apiserver CLI', () => {
  it('starts, writes a kubeconfig with the token, serves, and exits 0 on SIGTERM', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const bin = join(here, '..', '..', 'dist', 'bin', 'kubecache-apiserver.js');
    const dir = mkdtempSync(join(tmpdir(), 'kubecache-cli-'));
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, 'cli-token,admin,1,"system:masters"\n');
    const out = join(dir, 'kubeconfig');
    const child = spawn(process.execPath, [bin, '--port', '0', '--kubeconfig-out', out, '--token-file', tokenFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no start line: ${text}`)), 10_000);
        child.stderr.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('\n')) {
            clearTimeout(timer);
            resolve(text);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
      });
      const url = /serving on (\S+);/.exec(line)?.[1] as string;
      expect(line).not.toContain('cli-token');
      const kubeconfig = readFileSync(out, 'utf8');
      expect(kubeconfig).toContain(`server: ${url}`);
      expect(kubeconfig).toContain('token: "cli-token"');
      expect(
        (await fetch(`${url}/api/v1/namespaces/default`, { headers: { Authorization: 'Bearer cli-token' } })).status,
      ).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
