/**
 * Shared fixtures for the Cacher tests: a MemoryStorage of small pods, a Cacher over it on a fake clock,
 * and helpers to write and to collect watch events.
 */
import { FakeClock, flushMicrotasks } from '../clock.js';
import type { KubeObject } from '../object.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import type { ObjectAttrs } from '../storage/predicate.js';
import type { CacheWatcher } from './cache-watcher.js';
import { Cacher, type CacherOptions } from './cacher.js';
import type { CacheWatchEvent } from './watch-cache-event.js';

/** A small pod. */
export interface TestPod extends KubeObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: { nodeName?: string; value?: string };
}

/** A pod `ns/name` with labels and node. */
export function pod(ns: string, name: string, labels: Record<string, string> = {}, nodeName = ''): TestPod {
  return { kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { nodeName } };
}

/** Pod attributes: labels, name, namespace and `spec.nodeName`. */
export function podAttrs(p: TestPod): ObjectAttrs {
  return {
    labels: p.metadata.labels ?? {},
    fields: {
      'metadata.name': p.metadata.name ?? '',
      'metadata.namespace': p.metadata.namespace ?? '',
      'spec.nodeName': p.spec?.nodeName ?? '',
    },
  };
}

/** A started Cacher over a fresh MemoryStorage, Ready. */
export async function startCacher(options: Partial<CacherOptions<TestPod>> = {}) {
  const clock = new FakeClock(1_000_000);
  const storage = new MemoryStorage<TestPod>({ resourcePrefix: '/pods', historySize: 10_000 });
  const cacher = new Cacher<TestPod>({
    storage,
    resourcePrefix: '/pods',
    clock,
    getAttrs: podAttrs,
    newObject: () => ({ kind: 'Pod', metadata: {}, spec: {} }),
    random: () => 0,
    ...options,
  });
  cacher.start();
  await cacher.waitUntilReady();
  await flushMicrotasks();
  return { clock, storage, cacher };
}

/** Subscribes and records every event; `done` tells whether the watcher completed. */
export function record(watcher: CacheWatcher<TestPod>) {
  const events: CacheWatchEvent<TestPod>[] = [];
  const state = { done: false };
  watcher.events$.subscribe({ next: (e) => events.push(e), complete: () => (state.done = true) });
  return { events, state };
}

/** `TYPE name@rv` summaries of events, bookmarks as `BOOKMARK@rv`. */
export function summary(events: readonly CacheWatchEvent<TestPod>[]): string[] {
  return events.map((e) => {
    if (e.type === 'ERROR') return `ERROR ${e.object.code}`;
    const m = e.object.metadata;
    return e.type === 'BOOKMARK' ? `BOOKMARK@${m.resourceVersion}` : `${e.type} ${m.name}@${m.resourceVersion}`;
  });
}
