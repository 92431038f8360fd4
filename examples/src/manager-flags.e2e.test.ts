/**
 * The commands' `--metrics-port` and `--leader-elect` against the embedded API server over HTTP: `/metrics`
 * read with a text-format parser and compared with what the zone labeler itself counted; an exact scripted
 * workload (the bin as its own process, `--kubeconfig`); two processes electing over one Lease, one working
 * while the other waits, and the other taking over after the first is SIGKILLed; and bad flag values.
 * Needs the build (`npm test` runs `tsc -b` first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '@kubecache/apiserver';
import { type PromSample, parsePromText, sampleValue } from '@kubecache/manager/testing';
import { runExample } from './example-cli.js';
import { zoneLabelerExample } from './zone-labeler-example.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'examples/bin/kubecache-zone-labeler.js');
const ZONE = 'topology.kubernetes.io/zone';
const LABEL = 'topology.kubecache.io/zone';
/** Short election timings so a takeover fits in a test: 1.5 s lease, 1 s renew deadline, 0.2 s retry. */
const FAST_ELECTION = [
  '--leader-elect-lease-duration',
  '1.5s',
  '--leader-elect-renew-deadline',
  '1s',
  '--leader-elect-retry-period',
  '200ms',
];

const children = new Set<ChildProcess>();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubecache-manager-flags-'));
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Proc {
  child: ChildProcess;
  out: () => string;
  lines: () => string[];
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, out: () => stdout + stderr, lines: () => stdout.split('\n'), exited };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, detail: () => string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const urlIn = (text: string): string | undefined => /metrics and probes on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];

async function scrape(url: string): Promise<PromSample[]> {
  return parsePromText(await (await fetch(`${url}/metrics`)).text());
}

/** The zone labeler's counters, read from parsed samples (0 when a series is absent). */
function counters(samples: PromSample[]) {
  const v = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels) ?? 0;
  const c = { controller: 'zone-labeler' };
  const q = { name: 'zone-labeler' };
  return {
    success: v('controller_runtime_reconcile_total', { ...c, result: 'success' }),
    requeue: v('controller_runtime_reconcile_total', { ...c, result: 'requeue' }),
    error: v('controller_runtime_reconcile_total', { ...c, result: 'error' }),
    errors: v('controller_runtime_reconcile_errors_total', c),
    adds: v('workqueue_adds_total', q),
    retries: v('workqueue_retries_total', q),
    depth: v('workqueue_depth', q),
    podLists: v('reflector_lists_total', { name: 'v1/pods' }),
    nodeLists: v('reflector_lists_total', { name: 'v1/nodes' }),
  };
}

type Counters = ReturnType<typeof counters>;
const reconciles = (c: Counters) => c.success + c.requeue + c.error;

class Api {
  constructor(readonly url: string) {}
  async send(method: string, p: string, body?: object): Promise<{ items?: Pod[] }> {
    const res = await fetch(this.url + p, {
      method,
      headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { items?: Pod[] };
  }
  node(name: string, zone: string) {
    return this.send('POST', '/api/v1/nodes', { metadata: { name, labels: { [ZONE]: zone } } });
  }
  pod(ns: string, name: string, node: string) {
    return this.send('POST', `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }] },
    });
  }
  async zones(ns: string): Promise<string> {
    const list = await this.send('GET', `/api/v1/namespaces/${ns}/pods`);
    return (list.items ?? []).map((p) => `${p.metadata.name}=${p.metadata.labels?.[LABEL]}`).join(',');
  }
}
interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
}

/** A fresh API server for one test (each example process watches every namespace), and its kubeconfig file. */
async function withServer(name: string, test: (api: Api, kubeconfig: string) => Promise<void>): Promise<void> {
  const ts: TestServer = await startTestServer();
  const kubeconfig = path.join(dir, `${name}.kubeconfig`);
  writeFileSync(kubeconfig, ts.kubeconfigYaml);
  try {
    await test(new Api(ts.url), kubeconfig);
  } finally {
    await ts.stop();
  }
}

describe('--metrics-port and --leader-elect', () => {
  it('on the embedded server it leads at once, and /metrics counts exactly what the summary reports', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let final: PromSample[] = [];
    let ready = 0;
    const code = await runExample(zoneLabelerExample, ['--pods', '9', '--metrics-port', '0', '--leader-elect'], {
      out: (l) => void out.push(l),
      err: (l) => void err.push(l),
      signal: new AbortController().signal,
      afterRun: async () => {
        const url = urlIn(out.join('\n')) as string;
        final = await scrape(url);
        ready = (await fetch(`${url}/readyz`)).status;
      },
    });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toContainEqual(
      expect.stringMatching(/^leader election: waiting to lead Lease default\/kubecache-zone-labeler as .+_\d+$/),
    );
    expect(out.some((l) => /^manager: .* started leading default\/kubecache-zone-labeler$/.test(l))).toBe(true);
    const summary = out.find((l) => l.startsWith('done: ')) as string;
    const m = /; (\d+) labels written in (\d+) reconciles, (\d+) conflicts$/.exec(summary);
    expect(m).not.toBeNull();
    const [written, reconciled, conflicts] = (m as RegExpExecArray).slice(1).map(Number) as [number, number, number];
    expect(written).toBe(12); // 9 pods + the 2 on node-1 after its zone changed + the new web-9
    const c = counters(final);
    expect(reconciles(c)).toBe(reconciled);
    expect(c.requeue).toBe(conflicts); // a 409 is requeued with backoff …
    expect(c.retries).toBe(conflicts); // … which the queue counts as a retry
    expect(c.error).toBe(0);
    expect(c.errors).toBe(0);
    // Every add was reconciled, except those still queued when the controller stopped.
    expect(c.adds).toBe(reconciled + c.depth);
    expect(c.podLists).toBe(1);
    expect(c.nodeLists).toBe(1);
    expect(sampleValue(final, 'leader_election_master_status', { name: 'kubecache-zone-labeler' })).toBe(1);
    expect(ready).toBe(200);
  });

  it('the bin with --kubeconfig: a scripted zone change adds exactly 4 keys and 4 successful reconciles', () =>
    withServer('metrics', async (api, kubeconfig) => {
      const ns = 'metrics';
      await api.send('POST', '/api/v1/namespaces', { metadata: { name: ns } });
      await api.node('m-node-a', 'eu-1a');
      await api.node('m-node-b', 'eu-1b');
      for (let i = 0; i < 4; i++) await api.pod(ns, `p-${i}`, i % 2 ? 'm-node-b' : 'm-node-a');
      const p = start(['--kubeconfig', kubeconfig, '--metrics-port', '0']);
      try {
        await waitFor('the metrics URL', () => urlIn(p.out()) !== undefined, p.out);
        const url = urlIn(p.out()) as string;
        /** Labels as wanted, and every add reconciled (nothing queued or in flight), twice 200 ms apart. */
        const settled = async (want: string): Promise<Counters> => {
          let last = '';
          let result: Counters | undefined;
          await waitFor(
            `labels ${want} and an idle queue`,
            async () => {
              const c = counters(await scrape(url));
              const now = JSON.stringify(c);
              const idle = (await api.zones(ns)) === want && c.depth === 0 && c.adds === reconciles(c) && now === last;
              last = now;
              result = c;
              if (!idle) await new Promise((r) => setTimeout(r, 150));
              return idle;
            },
            p.out,
          );
          return result as Counters;
        };
        const want = (b: string) => `p-0=eu-1a,p-1=${b},p-2=eu-1a,p-3=${b}`;
        const before = await settled(want('eu-1b'));
        expect(before.success).toBeGreaterThanOrEqual(4);
        expect(before.podLists).toBe(1);
        await api.send('PATCH', '/api/v1/nodes/m-node-b', { metadata: { labels: { [ZONE]: 'eu-1c' } } });
        const after = await settled(want('eu-1c'));
        // The node's update requeues its 2 pods (2 adds, 2 reconciles writing the label); each write comes
        // back as a pod update (2 adds, 2 reconciles finding the label right). Nothing else.
        expect({
          adds: after.adds - before.adds,
          success: after.success - before.success,
          requeue: after.requeue - before.requeue,
          error: after.error - before.error,
          retries: after.retries - before.retries,
        }).toEqual({ adds: 4, success: 4, requeue: 0, error: 0, retries: 0 });
        p.child.kill('SIGINT');
        const r = await p.exited;
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout.trim().split('\n').at(-1)).toBe(`stopped: 6 labels written in ${reconciles(after)} reconciles`);
        expect(r.stdout).toContain('manager: shutdown: informers stopped');
      } finally {
        p.child.kill('SIGKILL');
      }
    }));

  it('two processes with --leader-elect: one labels while the other waits; SIGKILL → the other takes over and finishes', () =>
    withServer('elect', async (api, kubeconfig) => {
      const ns = 'elect';
      await api.send('POST', '/api/v1/namespaces', { metadata: { name: ns } });
      await api.node('e-node-a', 'us-1a');
      await api.node('e-node-b', 'us-1b');
      for (let i = 0; i < 4; i++) await api.pod(ns, `q-${i}`, i % 2 ? 'e-node-b' : 'e-node-a');
      const common = ['--kubeconfig', kubeconfig, '--metrics-port', '0', '--leader-elect', ...FAST_ELECTION];
      const a = start([...common, '--leader-elect-identity', 'replica-a']);
      await waitFor('replica-a to lead', () => /replica-a started leading/.test(a.out()), a.out);
      const b = start([...common, '--leader-elect-identity', 'replica-b']);
      try {
        const want = (zoneB: string) => `q-0=us-1a,q-1=${zoneB},q-2=us-1a,q-3=${zoneB}`;
        await waitFor('replica-a to label the pods', async () => (await api.zones(ns)) === want('us-1b'), a.out);
        await waitFor('replica-b to see replica-a lead', () => /new leader of .*: replica-a/.test(b.out()), b.out);
        await waitFor('replica-b metrics', () => urlIn(b.out()) !== undefined, b.out);
        const urlB = urlIn(b.out()) as string;
        // replica-b has synced its caches and queued every pod (once each: keys are deduplicated), and waits.
        await waitFor('replica-b to queue the pods', async () => counters(await scrape(urlB)).depth === 4, b.out);
        const waiting = await scrape(urlB);
        expect(counters(waiting)).toMatchObject({ adds: 4, depth: 4, success: 0, requeue: 0, error: 0 });
        expect(sampleValue(waiting, 'leader_election_master_status', { name: 'kubecache-zone-labeler' })).not.toBe(1);
        expect(b.out()).not.toMatch(/labelled|started leading/);
        expect(a.lines().filter((l) => l.startsWith('labelled '))).toHaveLength(4);

        a.child.kill('SIGKILL');
        const killedAt = Date.now();
        await a.exited;
        await api.send('PATCH', '/api/v1/nodes/e-node-b', { metadata: { labels: { [ZONE]: 'us-1c' } } });
        await waitFor('replica-b to take over', () => /replica-b started leading/.test(b.out()), b.out, 10_000);
        const tookOverMs = Date.now() - killedAt;
        await waitFor('replica-b to label the moved pods', async () => (await api.zones(ns)) === want('us-1c'), b.out);
        const labelled = () => b.lines().filter((l) => l.startsWith('labelled '));
        await waitFor('replica-b to log its labels', () => labelled().length >= 2, b.out);
        // Not before the lease replica-b last saw renewed has expired (the kill came at most a retry period
        // after a renewal); within lease + retry of it, plus process output read every 50 ms on a busy machine.
        expect(tookOverMs).toBeGreaterThanOrEqual(1_000);
        expect(tookOverMs).toBeLessThan(3_000);
        expect(labelled().sort()).toEqual([`labelled ${ns}/q-1 ${LABEL}=us-1c`, `labelled ${ns}/q-3 ${LABEL}=us-1c`]);
        b.child.kill('SIGINT');
        const r = await b.exited;
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('manager: shutdown: lease released');
        expect(
          r.stdout
            .trim()
            .split('\n')
            .filter((l) => l.startsWith('stopped: ')),
        ).toEqual([expect.stringMatching(/^stopped: 2 labels written in \d+ reconciles$/)]);
      } finally {
        a.child.kill('SIGKILL');
        b.child.kill('SIGKILL');
      }
    }));
});

describe('a replica that loses its Lease', () => {
  it('stops its controllers, releases nothing and exits 1 saying the election was lost', () =>
    withServer('lost', async (api, kubeconfig) => {
      const out: string[] = [];
      const err: string[] = [];
      const argv = ['--kubeconfig', kubeconfig, '--leader-elect', '--leader-elect-identity', 'me', ...FAST_ELECTION];
      const running = runExample(zoneLabelerExample, argv, {
        out: (l) => void out.push(l),
        err: (l) => void err.push(l),
        signal: new AbortController().signal,
      });
      await waitFor(
        'it to lead',
        () => out.includes('manager: me started leading default/kubecache-zone-labeler'),
        () => [...out, ...err].join('\n'),
      );
      // Another holder writes the Lease: the leader's next renewal conflicts and it finds the lease taken.
      const leasePath = '/apis/coordination.k8s.io/v1/namespaces/default/leases/kubecache-zone-labeler';
      const lease = (await api.send('GET', leasePath)) as unknown as { spec: Record<string, unknown> };
      await api.send('PUT', leasePath, { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } });
      const code = await running;
      expect(code).toBe(1);
      expect(out).toContain('manager: me stopped leading default/kubecache-zone-labeler');
      expect(out).not.toContain('manager: shutdown: lease released');
      expect(out.at(-1)).toMatch(/^stopped: 0 labels written in 0 reconciles$/);
      expect(err.at(-1)).toBe(
        'kubecache-zone-labeler: LeaderElectionLostError: leader election lost: kubecache-zone-labeler (me)',
      );
    }));
});

describe('bad --metrics-port and --leader-elect values', () => {
  it.each([
    [['--metrics-port', 'http'], '--metrics-port must be an integer from 0 to 65535, got http'],
    [['--metrics-port', '70000'], '--metrics-port must be an integer from 0 to 65535, got 70000'],
    [['--leader-elect-namespace', 'ops'], '--leader-elect-namespace needs --leader-elect'],
    [
      ['--leader-elect', '--leader-elect-lease-duration', '15'],
      '--leader-elect-lease-duration must be a duration from 1ms to 60m such as 500ms, 1.5s or 2m, got 15',
    ],
    [
      ['--leader-elect', '--leader-elect-lease-duration', '5s'],
      '--leader-elect-lease-duration (5000 ms) must be longer than --leader-elect-renew-deadline (10000 ms)',
    ],
    [
      ['--leader-elect', '--leader-elect-retry-period', '9s'],
      '--leader-elect-renew-deadline (10000 ms) must be longer than 1.2 × --leader-elect-retry-period (9000 ms)',
    ],
    [['--leader-elect', '--leader-elect-identity', ''], '--leader-elect-identity must not be empty'],
    [['--leader-elect=yes'], "Option '--leader-elect' does not take an argument"],
  ])('%j → one line and exit code 2', async (argv, message) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runExample(zoneLabelerExample, argv, {
      out: (l) => void out.push(l),
      err: (l) => void err.push(l),
      signal: new AbortController().signal,
    });
    expect({ code, out, err }).toEqual({ code: 2, out: [], err: [`kubecache-zone-labeler: ${message} (see --help)`] });
  });

  it('--help lists the flags with their defaults', async () => {
    const out: string[] = [];
    await runExample(zoneLabelerExample, ['--help'], { out: (l) => void out.push(l), err: () => {} });
    const help = out.join('\n');
    expect(help).toMatch(/--metrics-port <port> +serve \/metrics, \/healthz and \/readyz on 127\.0\.0\.1:<port>/);
    expect(help).toMatch(/--leader-elect +run the controllers only while holding a coordination\.k8s\.io\/v1 Lease/);
    for (const f of [
      'namespace <ns>',
      'id <name>',
      'identity <id>',
      'lease-duration',
      'renew-deadline',
      'retry-period',
    ]) {
      expect(help).toContain(`--leader-elect-${f}`);
    }
  });
});
