/**
 * Each example run to its end, in-process, against the embedded API server over HTTP (client-node's
 * KubeConfig, real sockets on 127.0.0.1), exactly as `npx kubecache-<name>` runs it; and the exit codes of
 * the shared command harness for bad flags, an unreadable kubeconfig, a server that refuses the
 * credentials, an unreachable server and Ctrl-C.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer } from '@kubecache/apiserver';
import { configMapMirrorExample } from './configmap-mirror-example.js';
import { cronTabExample } from './crontab-example.js';
import { type ExampleDefinition, runExample } from './example-cli.js';
import { nodePodsExample } from './node-pods-example.js';
import { podSetExample } from './podset-example.js';
import { zoneLabelerExample } from './zone-labeler-example.js';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(
  def: ExampleDefinition,
  argv: string[] = [],
  signal?: AbortSignal,
  raw?: (text: string) => void,
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runExample(def, argv, {
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    signal: signal ?? new AbortController().signal,
    ...(raw && { raw }),
  });
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubecache-examples-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the examples on the embedded API server', () => {
  it('zone-labeler labels pods with their node zone and follows a node moving to another zone', async () => {
    const r = await run(zoneLabelerExample, ['--pods', '9']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('labelled shop/web-4 topology.kubecache.io/zone=zone-b');
    expect(r.out).toContain('node node-1 moved zone-b → zone-c: requeued 2 pods'); // web-1 and web-7
    expect(r.out).toContain('labelled shop/web-7 topology.kubecache.io/zone=zone-c');
    expect(r.out).toContain('labelled shop/web-9 topology.kubecache.io/zone=zone-c');
    expect(r.out.at(-1)).toMatch(/^done: 9 pods on 6 nodes labelled \(zone-a 2, zone-b 1, zone-c 6\); /);
  });

  it('configmap-mirror copies, updates, deletes and repairs Secrets across namespaces', async () => {
    const r = await run(configMapMirrorExample);
    expect(r.code).toBe(0);
    for (const ns of ['team-a', 'team-b', 'team-c']) {
      expect(r.out).toContain(`created secret ${ns}/feature-flags from mirror-source/feature-flags`);
      expect(r.out).toContain(`deleted secret ${ns}/feature-flags (source mirror-source/feature-flags gone)`);
    }
    expect(r.out).toContain('created secret team-d/app-config from mirror-source/app-config');
    expect(r.out.some((l) => l.startsWith('created secret team-b/app-config'))).toBe(true);
    expect(r.out.at(-1)).toMatch(
      /^done: app-config mirrored to 4 namespaces \(team-a\/app-config, team-b\/app-config, team-c\/app-config, team-d\/app-config\); secrets 8 created, 2 updated, 3 deleted/,
    );
  });

  it('podset keeps N owned pods per PodSet and reports them through /status', async () => {
    const r = await run(podSetExample);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('registered CRD podsets.examples.kubecache.io');
    expect(r.out.filter((l) => /^ {2}(web|api) /.test(l)).slice(-2)).toEqual([
      '  api                1     1                1               2/2',
      '  web                5     5                5               2/2',
    ]);
    expect(r.out.at(-1)).toMatch(
      /^done: web has 5 pods, api 1 \(status written through \/status\); 8 pods created, 1 deleted, /,
    );
  });

  it('crontab reports validity, next run and runs in the status of a CRD it registers', async () => {
    const r = await run(cronTabExample);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('crontab default/broken: invalid: spec.cronSpec: minute: 61 is outside 0-59');
    expect(r.out.some((l) => /^crontab default\/heartbeat: ran \(#2\) at /.test(l))).toBe(true);
    expect(
      r.out.some((l) => /^crontab default\/broken: valid; next \d{4}-\d\d-\d\dT\d\d:\d[05]:00\.000Z$/.test(l)),
    ).toBe(true);
    expect(r.out.at(-1)).toMatch(/^done: 3 CronTabs valid, heartbeat ran [2-9] times; /);
  });

  it('node-pods keeps a pods-per-node table from the listers and the node-name index', async () => {
    const r = await run(nodePodsExample);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const tables = r.out.filter((l) => l.startsWith('  NODE'));
    expect(tables.at(-1)?.split('\n')).toEqual([
      '  NODE    ZONE    PODS  RUNNING  PENDING  OTHER',
      '  node-0  zone-a     3        3        0      0',
      '  node-1  zone-b     2        0        2      0',
      '  node-2  zone-c     4        0        4      0',
      '  node-3  zone-a     0        0        0      0',
      '  9 pods on 4 nodes',
    ]);
    expect(r.out.at(-1)).toMatch(/^done: 9 pods on 4 nodes, 3 running; \d+ events shown$/);
  });

  it('node-pods redraws the table in place on a terminal', async () => {
    const frames: string[] = [];
    const r = await run(nodePodsExample, [], undefined, (text) => void frames.push(text));
    expect(r.code).toBe(0);
    expect(r.out.some((l) => l.startsWith('  NODE'))).toBe(false); // tables go to the terminal, not the log
    // A frame right after another moves the cursor up over the previous one (6 lines) and clears below.
    expect(frames.some((f) => f.startsWith('\x1b[6A\x1b[0J  NODE'))).toBe(true);
    expect(frames.at(-1)).toContain('9 pods on 4 nodes');
  });
});

describe('the command harness', () => {
  it('answers a bad flag, a bad value and an unreadable kubeconfig with one line and exit code 2', async () => {
    expect(await run(zoneLabelerExample, ['--nope'])).toEqual({
      code: 2,
      out: [],
      err: ["kubecache-zone-labeler: Unknown option '--nope' (see --help)"],
    });
    expect((await run(zoneLabelerExample, ['--pods', 'many'])).err).toEqual([
      'kubecache-zone-labeler: --pods must be an integer from 2 to 10000, got many (see --help)',
    ]);
    const missing = await run(zoneLabelerExample, ['--kubeconfig', path.join(dir, 'absent')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toHaveLength(1);
    expect(missing.err[0]).toMatch(/^kubecache-zone-labeler: cannot read kubeconfig .*absent: ENOENT/);
    const garbage = path.join(dir, 'garbage');
    writeFileSync(garbage, 'clusters: [');
    const bad = await run(zoneLabelerExample, ['--kubeconfig', garbage]);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/^kubecache-zone-labeler: cannot parse kubeconfig /);
  });

  it('prints the usage for --help and exits 0', async () => {
    const r = await run(podSetExample, ['--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]?.split('\n')[0]).toBe('usage: kubecache-podset [options]');
  });

  it('reports a server that rejects the credentials with its message and exit code 1, without the usage', async () => {
    const ts = await startTestServer({ server: { tokens: ['right-token'], log: () => undefined } });
    try {
      const file = path.join(dir, 'wrong-token');
      writeFileSync(file, ts.kubeconfigYaml.replace(/token: .*/, 'token: wrong-token'));
      const r = await run(zoneLabelerExample, ['--kubeconfig', file]);
      expect(r.code).toBe(1);
      expect(r.err.join('\n')).not.toContain('usage');
      expect(r.err.at(-1)).toMatch(/^kubecache-zone-labeler: .*Unauthorized/i);
    } finally {
      await ts.stop();
    }
  });

  it('reports an unreachable server with exit code 1 instead of retrying forever', async () => {
    const file = path.join(dir, 'unreachable');
    const ts = await startTestServer();
    const yaml = ts.kubeconfigYaml;
    await ts.stop(); // its port is now closed
    writeFileSync(file, yaml);
    const r = await run(configMapMirrorExample, ['--kubeconfig', file]);
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toMatch(/^kubecache-configmap-mirror: .*ECONNREFUSED/);
  });

  it('stops cleanly with exit code 0 when interrupted in the middle of a run', async () => {
    const stop = new AbortController();
    const running = run(cronTabExample, [], stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.out).toContain('stopping (Ctrl-C): draining the workqueue, stopping informers');
  });
});
