/**
 * A seeded fault storm, run in the server's process: churn (creates, updates, deletes) and, at random
 * moments, one fault of each run's draw — connections reset or left half-open at the proxy, watches
 * closed cleanly or ended with a 410, the history compacted, lists failing with 429 or 500 for 0.1–0.5 s,
 * responses delayed by 50–500 ms for 0.1–0.5 s. When it ends, nothing more is written or broken (half-open connections stay silent) and the
 * final state is reported.
 */
import { failureStatus, type KubeObject } from '@kubecache/apimachinery';
import type { MemoryStorage } from '@kubecache/storage';
import type { FaultProxy } from './fault-proxy.js';
import type { ListWatchServer, RequestCounts } from './list-watch-server.js';
import { between, pick, type SeededRandom, seededRandom } from './seeded-random.js';

/** The faults a storm draws from. */
export const FAULT_KINDS = [
  'reset',
  'half-open',
  'close',
  'expire',
  'compact',
  'list-429',
  'list-500',
  'delay',
] as const;

/** One kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the storm hits. */
export interface StormTarget {
  storage: MemoryStorage<KubeObject>;
  server: ListWatchServer;
  proxy: FaultProxy;
}

/** What a storm did, and the state it left. */
export interface StormReport {
  /** `namespace/name` and resourceVersion of every object at the end, sorted by key. */
  state: [key: string, resourceVersion: string][];
  /** Requests the server received during the storm. */
  requests: RequestCounts;
  /** Faults injected, by kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Writes made. */
  writes: number;
  /** Each fault with its time from the start of the storm, in ms, in order. */
  timeline: [atMs: number, kind: FaultKind][];
}

/** The namespace the storm's objects live in. */
export const CHAOS_NAMESPACE = 'chaos';

/** A pod of the storm. */
export function chaosPod(name: string, n: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: CHAOS_NAMESPACE, labels: { app: 'chaos' } },
    spec: { n },
  } as KubeObject;
}

/** Runs churn and faults for `stormMs`, then reports. */
export async function runStorm(target: StormTarget, seed: number, stormMs: number): Promise<StormReport> {
  // Separate streams, so the churn and the faults each follow their seed whatever the timers' interleaving.
  const churnRandom = seededRandom(seed);
  const faultRandom = seededRandom(seed ^ 0x0fa175);
  const faults: Partial<Record<FaultKind, number>> = {};
  const timeline: [number, FaultKind][] = [];
  const started = performance.now();
  let writes = 0;
  let running = true;
  const timers = new Set<NodeJS.Timeout>();
  const every = (random: SeededRandom, min: number, max: number, action: () => Promise<void> | void): void => {
    const t = setTimeout(
      async () => {
        timers.delete(t);
        if (!running) return;
        await action();
        if (running) every(random, min, max, action);
      },
      between(random, min, max),
    );
    timers.add(t);
  };
  every(churnRandom, 5, 25, async () => {
    if (await churn(target.storage, churnRandom)) writes++;
  });
  every(faultRandom, 80, 350, () => {
    const kind = pick(faultRandom, FAULT_KINDS);
    inject(target, kind, faultRandom);
    faults[kind] = (faults[kind] ?? 0) + 1;
    timeline.push([Math.round(performance.now() - started), kind]);
  });
  await new Promise((resolve) => setTimeout(resolve, stormMs));
  running = false;
  for (const t of timers) clearTimeout(t);
  target.server.clearFaults();
  const requests = { ...target.server.requests };
  const list = await target.storage.getList(`/pods/${CHAOS_NAMESPACE}`, { recursive: true });
  const state = list.items.map((o): [string, string] => [
    `${o.metadata?.namespace}/${o.metadata?.name}`,
    o.metadata?.resourceVersion ?? '',
  ]);
  return { state, requests, faults, writes, timeline };
}

/** One random write; false when it raced with another and did nothing. */
async function churn(storage: MemoryStorage<KubeObject>, random: SeededRandom): Promise<boolean> {
  const name = `pod-${between(random, 0, 59)}`;
  const key = `/pods/${CHAOS_NAMESPACE}/${name}`;
  const roll = random();
  try {
    const current = await storage.get(key, { ignoreNotFound: true });
    if (!current) await storage.create(key, chaosPod(name, 0));
    else if (roll < 0.3) await storage.delete(key);
    else {
      await storage.guaranteedUpdate(key, {
        tryUpdate: (cur) => ({ ...(cur as KubeObject), spec: { n: between(random, 1, 1_000_000) } }) as KubeObject,
      });
    }
    return true;
  } catch {
    return false;
  }
}

function inject(target: StormTarget, kind: FaultKind, random: SeededRandom): void {
  const { storage, server, proxy } = target;
  switch (kind) {
    case 'reset':
      proxy.reset(between(random, 1, 3), random);
      break;
    case 'half-open':
      proxy.halfOpen(1, random);
      break;
    case 'close':
      server.closeWatches();
      break;
    case 'expire':
      server.expireWatches();
      break;
    case 'compact':
      storage.compact(Number.MAX_SAFE_INTEGER);
      break;
    case 'list-429':
      server.failLists(
        between(random, 100, 500),
        failureStatus(429, 'TooManyRequests', 'too many requests'),
        between(random, 0, 1),
      );
      break;
    case 'list-500':
      server.failLists(between(random, 100, 500), failureStatus(500, 'InternalError', 'etcd leader changed'));
      break;
    case 'delay':
      server.delayRequests(between(random, 100, 500), between(random, 50, 500));
      break;
  }
}
