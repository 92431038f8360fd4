import { describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { defaultKeyFunc } from './cache-list.js';
import { CacheWatcher } from './cache-watcher.js';
import { podAttrs, type TestPod } from './cacher-test-kit.js';
import { WatchCache } from './watch-cache.js';
import { jsonLineEncoder } from './watch-cache-event.js';

function at(p: TestPod, rv: number): TestPod {
  return { ...p, metadata: { ...p.metadata, resourceVersion: String(rv) } };
}

function pod(ns: string, name: string, node = ''): TestPod {
  return { kind: 'Pod', metadata: { name, namespace: ns }, spec: { nodeName: node } };
}

function makeCache(clock = new FakeClock(0)) {
  return new WatchCache<TestPod>({
    keyFunc: defaultKeyFunc('/pods'),
    getAttrs: podAttrs,
    clock,
    triggerValue: (p) => p.spec.nodeName ?? '',
  });
}

describe('WatchCache', () => {
  it('keeps objects in key order whatever the write order', () => {
    const cache = makeCache();
    cache.replace([at(pod('b', 'y'), 1)], '1');
    cache.add(at(pod('a', 'z'), 2));
    cache.add(at(pod('a', 'x'), 3));
    cache.update(at(pod('a', 'z', 'n1'), 4));
    const { elements, start, end } = cache.range('/pods/');
    expect(elements.slice(start, end).map((e) => e.key)).toEqual(['/pods/a/x', '/pods/a/z', '/pods/b/y']);
    expect(elements[start + 1]?.object.spec.nodeName).toBe('n1');
    expect(cache.resourceVersion).toBe(4);
  });

  it('indexes by the trigger value and follows moves', () => {
    const cache = makeCache();
    cache.replace([at(pod('a', 'x', 'n1'), 1), at(pod('a', 'y', 'n1'), 1)], '1');
    cache.update(at(pod('a', 'x', 'n2'), 2));
    expect(cache.byTrigger('n1').map((e) => e.key)).toEqual(['/pods/a/y']);
    expect(cache.byTrigger('n2').map((e) => e.key)).toEqual(['/pods/a/x']);
  });

  it('records the previous state on every change', () => {
    const cache = makeCache();
    cache.replace([at(pod('a', 'x', 'n1'), 1)], '1');
    cache.delete(at(pod('a', 'x', 'n1'), 2));
    const event = cache.history.at(cache.history.end - 1);
    expect(event?.type).toBe('DELETED');
    expect(event?.prevObject?.metadata.resourceVersion).toBe('1');
    expect(cache.getByKey('/pods/a/x')).toBeUndefined();
  });

  it('resolves a freshness wait when a bookmark reaches the version', async () => {
    const cache = makeCache();
    cache.replace([], '5');
    let done = false;
    void cache.waitUntilFresh(8).then(() => (done = true));
    cache.bookmark('7');
    await flushMicrotasks();
    expect(done).toBe(false);
    cache.bookmark('8');
    await flushMicrotasks();
    expect(done).toBe(true);
  });

  it('rejects a freshness wait after 3 s with the 504', async () => {
    const clock = new FakeClock(0);
    const cache = makeCache(clock);
    cache.replace([], '5');
    const wait = cache.waitUntilFresh(9).catch((e: unknown) => e);
    clock.step(3000);
    const err = (await wait) as StatusError;
    expect(err).toBeInstanceOf(StatusError);
    expect(err.message).toBe('Timeout: Too large resource version: 9, current: 5');
  });

  it('closes a watcher whose history interval a relist invalidated', async () => {
    const cache = makeCache();
    cache.replace([], '1');
    cache.add(at(pod('a', 'x'), 2));
    cache.add(at(pod('a', 'y'), 3));
    const watcher = new CacheWatcher<TestPod>({
      key: '/pods/',
      recursive: true,
      capacity: 10,
      encoder: jsonLineEncoder,
      startResourceVersion: 3,
      interval: cache.historyInterval(1),
    });
    const it = watcher[Symbol.asyncIterator]();
    expect((await it.next()).value?.type).toBe('ADDED');
    cache.replace([], '10');
    expect((await it.next()).done).toBe(true);
    expect(watcher.stopped).toBe(true);
  });
});
