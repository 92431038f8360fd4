/**
 * Cacher lifecycle rules found missing in review: watch deadlines, the bounded incoming queue, graceful
 * drain of a cut-off watch-list watcher, and stop releasing every timer and waiter.
 */
import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import type { CacheWatcher } from './cache-watcher.js';
import { controlledFiller, pod, record, rejection, startCacher, summary, type TestPod } from './cacher-test-kit.js';
import type { CacheWatchEvent } from './watch-cache-event.js';

/** Pulls everything the watcher still yields until it completes. */
async function drain(w: CacheWatcher<TestPod>): Promise<CacheWatchEvent<TestPod>[]> {
  const out: CacheWatchEvent<TestPod>[] = [];
  for await (const e of w) out.push(e);
  return out;
}

describe('Cacher watch deadline', () => {
  it('ends a watch at its timeoutSeconds, after delivering what it had buffered', async () => {
    const { storage, cacher, clock } = await startCacher();
    const w = await cacher.watch('/pods', { recursive: true, resourceVersion: '1', timeoutSeconds: 10 });
    await storage.create('/pods/a/p0', pod('a', 'p0'));
    await storage.create('/pods/a/p1', pod('a', 'p1'));
    await flushMicrotasks();
    clock.step(9_999);
    expect(w.stopped).toBe(false);
    clock.step(1);
    expect(w.stopped).toBe(true);
    expect(summary(await drain(w))).toEqual(['ADDED p0@2', 'ADDED p1@3']);
    expect(cacher.watcherCount).toBe(0);
    await cacher.stop();
  });

  it('releases the deadline timer when the watch ends first', async () => {
    const { cacher, clock } = await startCacher();
    const before = clock.pendingTimers();
    const w = await cacher.watch('/pods', { recursive: true, resourceVersion: '0', timeoutSeconds: 30 });
    expect(clock.pendingTimers()).toBe(before + 1);
    w.stop();
    expect(clock.pendingTimers()).toBe(before);
    await cacher.stop();
  });
});

describe('Cacher incoming queue', () => {
  it('is bounded: once full, blocked watchers are cut off without waiting out the budget', async () => {
    const { storage, cacher } = await startCacher({ watcherBufferSize: 1, incomingQueueCapacity: 10 });
    const slow = await cacher.watch('/pods', { recursive: true, resourceVersion: '1' });
    const fast = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '1' }));
    for (let i = 0; i < 20; i++) await storage.create(`/pods/a/p${i}`, pod('a', `p${i}`));
    await flushMicrotasks();
    expect(slow.stopped).toBe(true);
    expect(cacher.stats.queued).toBe(0);
    expect(fast.events).toHaveLength(20);
    await cacher.stop();
  });
});

describe('Cacher graceful drain', () => {
  it('lets a cut-off watch-list watcher finish its initial events and end bookmark, then closes', async () => {
    const { storage, cacher, clock } = await startCacher({ watcherBufferSize: 1 });
    for (let i = 0; i < 3; i++) await storage.create(`/pods/a/p${i}`, pod('a', `p${i}`));
    await flushMicrotasks();
    const w = await cacher.watch('/pods', { recursive: true, sendInitialEvents: true, allowWatchBookmarks: true });
    await storage.create('/pods/a/p3', pod('a', 'p3'));
    await storage.create('/pods/a/p4', pod('a', 'p4'));
    clock.step(100);
    await flushMicrotasks();
    expect(w.stopped).toBe(true);
    expect(summary(await drain(w))).toEqual([
      'ADDED p0@2',
      'ADDED p1@3',
      'ADDED p2@4',
      'BOOKMARK@4',
      'ADDED p3@5',
      'ERROR 500',
    ]);
    await cacher.stop();
  });

  it('#10 closes a cut-off plain watcher at once, dropping what it had buffered, with an ERROR saying why', async () => {
    const { storage, cacher, clock } = await startCacher({ watcherBufferSize: 1 });
    const w = await cacher.watch('/pods', { recursive: true, resourceVersion: '1' });
    await storage.create('/pods/a/p0', pod('a', 'p0'));
    await storage.create('/pods/a/p1', pod('a', 'p1'));
    clock.step(100);
    await flushMicrotasks();
    expect(w.stopped).toBe(true);
    const events = await drain(w);
    expect(summary(events)).toEqual(['ERROR 500']);
    expect(events[0]?.object).toMatchObject({
      reason: 'InternalError',
      message: expect.stringContaining('watch channel full'),
    });
    await cacher.stop();
  });

  it('#10 ends the iteration of a cut-off watcher with the ERROR, then done', async () => {
    const { storage, cacher, clock } = await startCacher({ watcherBufferSize: 1 });
    clock.step(2000);
    const slow = await cacher.watch('/pods', { recursive: true, resourceVersion: '1' });
    const blocked = await cacher.watch('/pods', { recursive: true, resourceVersion: '1' });
    const it = blocked[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await storage.create(`/pods/a/p${i}`, pod('a', `p${i}`));
    clock.step(100);
    await flushMicrotasks();
    expect(blocked.stopped).toBe(true);
    const first = await it.next();
    expect(first.value?.type).toBe('ERROR');
    expect((await it.next()).done).toBe(true);
    slow.stop();
    await cacher.stop();
  });
});

describe('Cacher stop', () => {
  it('rejects requests waiting for freshness and leaves no timer behind', async () => {
    const { cacher, clock } = await startCacher();
    const waiting = cacher.get('/pods/a/p0', { resourceVersion: '50' });
    const failed = expect(waiting).rejects.toMatchObject({ status: { code: 429 } });
    await flushMicrotasks();
    expect(cacher.watchCache.hasWaiters()).toBe(true);
    await cacher.stop();
    await failed;
    expect(cacher.watchCache.hasWaiters()).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('closes every watcher and releases every timer and the storage watch', async () => {
    const { storage, cacher, clock } = await startCacher();
    const plain = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '0' }));
    const timed = record(
      await cacher.watch('/pods/a', { recursive: true, allowWatchBookmarks: true, timeoutSeconds: 60 }),
    );
    await storage.create('/pods/a/p0', pod('a', 'p0'));
    expect(storage.watcherCount).toBe(1);
    await cacher.stop();
    expect([plain.state.done, timed.state.done]).toEqual([true, true]);
    expect(cacher.watcherCount).toBe(0);
    expect(storage.watcherCount).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('releases the progress-request timer once a wait for freshness is over', async () => {
    const { cacher, clock, storage } = await startCacher();
    const before = clock.pendingTimers();
    const got = cacher.get('/pods/a/p0', { resourceVersion: '3' });
    await flushMicrotasks();
    await storage.create('/pods/a/p0', pod('a', 'p0'));
    await storage.create('/pods/a/p1', pod('a', 'p1'));
    expect((await got)?.metadata.name).toBe('p0');
    expect(clock.pendingTimers()).toBe(before);
    await cacher.stop();
  });
});

describe('Cacher ready states and relists', () => {
  it('closes every watcher on a relist, answers 429 meanwhile, and becomes Ready again', async () => {
    const { filler, control } = controlledFiller();
    const { cacher, clock, storage } = await startCacher({ filler });
    const rec = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '0' }));
    control.end(new Error('watch failed'));
    await flushMicrotasks();
    expect(cacher.ready.state).toBe('Pending');
    const err = await rejection(cacher.getList('/pods', { recursive: true, resourceVersion: '0' }));
    expect(err.status).toMatchObject({
      code: 429,
      message: 'storage is (re)initializing: watch failed',
      details: { retryAfterSeconds: 1 },
    });
    expect((await rejection(cacher.watch('/pods', { recursive: true }))).code).toBe(429);
    await storage.create('/pods/a/x', pod('a', 'x'));
    await clock.stepAsync(1000);
    expect(rec.state.done).toBe(true);
    expect(control.runs).toBe(2);
    expect(cacher.ready.state).toBe('Ready');
    expect((await cacher.getList('/pods', { recursive: true, resourceVersion: '0' })).items).toHaveLength(1);
    await cacher.stop();
  });

  it('delegates a paged list without selectors to storage while not ready', async () => {
    const { filler, control } = controlledFiller();
    const { cacher, storage } = await startCacher({ filler });
    await storage.create('/pods/a/x', pod('a', 'x'));
    control.end();
    await flushMicrotasks();
    const list = await cacher.getList('/pods', { recursive: true, resourceVersion: '0', predicate: { limit: 5 } });
    expect(list.items).toHaveLength(1);
    await cacher.stop();
  });

  it('stops gracefully: watchers complete and later requests get 429', async () => {
    const { cacher } = await startCacher();
    const rec = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '0' }));
    await cacher.stop();
    expect(rec.state.done).toBe(true);
    expect(cacher.ready.state).toBe('Stopped');
    expect((await rejection(cacher.watch('/pods', { recursive: true }))).message).toBe('apiserver cacher is stopped');
  });
});
