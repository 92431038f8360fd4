/**
 * Seeded fault runs: while ConfigMaps churn, the server drops watches (TCP reset and half-open), compacts
 * its history (storage compaction plus fresh watch caches) and answers 429 or 500 for short windows. Once
 * the faults stop, every client-node informer must hold exactly the server's objects at the server's
 * resourceVersions — nothing missing, extra or stale — within 10 s. 20 seeds, loopback only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import {
  CoreV1Api,
  type Informer,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { waitFor } from './wait.js';

const RUNS = 20;
const OPS = 40;
const CONVERGE_MS = 10_000;

/** mulberry32: a small seeded PRNG, so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type ClientInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

describe('informers converge after seeded faults', () => {
  let ts: TestServer;
  beforeAll(async () => {
    // The injected 500s would be logged as server failures; they are expected here.
    ts = await startTestServer({ server: { log: () => undefined } });
  });
  afterAll(async () => {
    await ts?.stop();
  });

  /** Writes straight to storage, so churn goes on while the HTTP side is failing. */
  async function churn(ns: string, random: () => number, live: Set<string>): Promise<void> {
    const storage = ts.server.storage;
    const name = `cm-${Math.floor(random() * 8)}`;
    const key = `/configmaps/${ns}/${name}`;
    if (!live.has(name)) {
      await storage.create(key, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns, uid: `${ns}-${name}` },
        data: { v: '0' },
      } as KubeObject);
      live.add(name);
    } else if (random() < 0.3) {
      await storage.delete(key);
      live.delete(name);
    } else {
      await storage.guaranteedUpdate(key, {
        tryUpdate: (cur) => ({ ...(cur as object), data: { v: String(random()) } }) as KubeObject,
      });
    }
  }

  async function fault(random: () => number): Promise<string> {
    const f = ts.server.faults;
    const r = random();
    if (r < 0.25) return `reset ${f.dropWatches('reset')}`;
    if (r < 0.45) return `half-open ${f.dropWatches('half-open', 200 + Math.floor(random() * 300))}`;
    if (r < 0.6) return `compact ${await ts.server.compact()}`;
    const code = r < 0.8 ? 429 : 500;
    f.failRequests(code, 100 + Math.floor(random() * 200));
    return `fail ${code}`;
  }

  async function serverState(ns: string): Promise<string> {
    const list = await ts.server.storage.getList(`/configmaps/${ns}`, { recursive: true });
    return list.items.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).join(',');
  }

  function informerState(inf: ClientInformer): string {
    return inf
      .list()
      .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
      .sort()
      .join(',');
  }

  it.each(Array.from({ length: RUNS }, (_, i) => i + 1))('seed %i', async (seed) => {
    const random = prng(seed);
    const ns = `faults-${seed}`;
    const created = await fetch(`${ts.url}/api/v1/namespaces`, {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: ns } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.status).toBe(201);
    const core = ts.kubeConfig.makeApiClient(CoreV1Api);
    let stopped = false;
    const informers: ClientInformer[] = [0, 1].map(() => {
      const inf = makeInformer(ts.kubeConfig, `/api/v1/namespaces/${ns}/configmaps`, () =>
        core.listNamespacedConfigMap({ namespace: ns }),
      );
      // client-node stops on a non-410 error; restarting after a pause is its documented recovery.
      inf.on('error', () => {
        setTimeout(
          () => {
            if (!stopped) void inf.start().catch(() => undefined);
          },
          50 + Math.floor(random() * 100),
        );
      });
      return inf;
    });
    const log: string[] = [];
    try {
      await Promise.all(informers.map((i) => i.start()));
      const live = new Set<string>();
      for (let op = 0; op < OPS; op++) {
        await churn(ns, random, live);
        if (random() < 0.15) log.push(await fault(random));
        await new Promise((r) => setTimeout(r, Math.floor(random() * 10)));
      }
      ts.server.faults.reset();
      const want = await serverState(ns);
      await waitFor(
        () => informers.every((i) => informerState(i) === want),
        () => `seed ${seed} faults [${log.join('; ')}]: want ${want}; have ${informers.map(informerState).join(' | ')}`,
        CONVERGE_MS,
      );
    } finally {
      stopped = true;
      ts.server.faults.reset();
      await Promise.all(informers.map((i) => i.stop()));
    }
  });
});
