/**
 * Shared fixtures for the Cacher tests: a MemoryStorage of small pods, a Cacher over it on a fake clock,
 * and helpers to write and to collect watch events.
 */
import { expect } from '@jest/globals';
import type { KubeObject, ListOptions, WatchEvent } from '@kubecache/apimachinery';
import { StatusError } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import type { ObjectAttrs } from '@kubecache/storage';
import { MemoryStorage } from '@kubecache/storage';
import type { CacheWatcher } from './cache-watcher.js';
import { type CacheFiller, Cacher, type CacherOptions } from './cacher.js';
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

/** Awaits a rejection with a StatusError. */
export async function rejection(p: Promise<unknown>): Promise<StatusError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StatusError);
  return err as StatusError;
}

/** A filler whose list+watch ends when the test says so. */
export function controlledFiller() {
  const control = { runs: 0, end: (_err?: Error) => {} };
  const filler: CacheFiller<TestPod> = (lw, store) => ({
    async listAndWatch(signal: AbortSignal) {
      control.runs++;
      const list = await lw.list({ resourceVersion: '' } satisfies ListOptions);
      store.replace(list.items, list.metadata.resourceVersion ?? '');
      const sub = lw
        .watch({ resourceVersion: list.metadata.resourceVersion ?? '' })
        .subscribe((e: WatchEvent<TestPod>) => {
          if (e.type === 'ADDED') store.add(e.object);
          else if (e.type === 'MODIFIED') store.update(e.object);
          else if (e.type === 'DELETED') store.delete(e.object);
          else if (e.type === 'BOOKMARK') store.bookmark?.(e.object.metadata?.resourceVersion ?? '');
        });
      await new Promise<void>((resolve, reject) => {
        control.end = (err) => (err ? reject(err) : resolve());
        signal.addEventListener('abort', () => resolve());
      });
      sub.unsubscribe();
    },
  });
  return { filler, control };
}
