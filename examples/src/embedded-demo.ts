/**
 * The main job: the zone labeler against the embedded storage. Seeds pods, lets the reconciler label them,
 * makes some churn (a new pod, a re-scheduled pod, a deletion), waits until every pod is right, prints a
 * summary and stops cleanly.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { makePod } from '@kubecache/apimachinery/testing';
import { storageListerWatcher } from '@kubecache/apiserver';
import { MemoryStorage } from '@kubecache/storage';
import { storagePodWriter } from './writers.js';
import { ZoneLabeler } from './zone-labeler.js';

/** Options of {@link runEmbeddedDemo}. */
export interface EmbeddedDemoOptions {
  /** Pods to seed. Default 12. */
  pods?: number;
  /** Output lines. Default `console.log`. */
  log?: (line: string) => void;
  /** Give up after this long, in ms. Default 30 000. */
  timeoutMs?: number;
}

/** What the demo ended with. */
export interface EmbeddedDemoResult {
  pods: number;
  labelled: number;
  reconciles: number;
  byZone: Record<string, number>;
}

const ZONES = ['zone-a', 'zone-b', 'zone-c'];

function seedPod(i: number): KubeObject {
  const pod = makePod(i, { namespaces: 3, nodes: 6, resourceVersion: '' });
  return { ...pod, metadata: { ...pod.metadata, resourceVersion: undefined } } as KubeObject;
}

async function until(check: () => boolean, signal: AbortSignal): Promise<void> {
  while (!check()) {
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs the demo to completion; rejects if the pods are not all labelled within the timeout. */
export async function runEmbeddedDemo(options: EmbeddedDemoOptions = {}): Promise<EmbeddedDemoResult> {
  const log = options.log ?? console.log;
  const storage = new MemoryStorage<KubeObject>({ resourcePrefix: '/pods' });
  const key = (pod: KubeObject) => `/pods/${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const n = options.pods ?? 12;
  for (let i = 0; i < n; i++) await storage.create(key(seedPod(i)), seedPod(i));
  log(`embedded storage: ${n} pods on 6 nodes, revision ${storage.revision}`);

  const labeler = new ZoneLabeler({
    listerWatcher: storageListerWatcher(storage, '/pods'),
    writer: storagePodWriter(storage),
    log,
  });
  const stop = new AbortController();
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const running = labeler.run(stop.signal);
  try {
    await until(() => labeler.hasSynced() && labeler.unlabelled().length === 0, deadline);
    log('all pods labelled; now some churn');
    await storage.create(key(seedPod(n)), seedPod(n));
    const moved = seedPod(0);
    await storage.delete(key(moved));
    await storage.create(key(moved), {
      ...moved,
      spec: { ...(moved as { spec: object }).spec, nodeName: 'node-5' },
    } as KubeObject);
    await storage.delete(key(seedPod(1)));
    await until(() => labeler.pods.list().length === n && labeler.unlabelled().length === 0, deadline);
  } finally {
    stop.abort();
    await running;
  }
  const result = { pods: labeler.pods.list().length, ...labeler.stats, byZone: labeler.countByZone(ZONES) };
  log(
    `done: ${result.pods} pods, ${result.labelled} labelled in ${result.reconciles} reconciles; by zone ${JSON.stringify(result.byZone)}`,
  );
  return result;
}
