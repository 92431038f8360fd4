/**
 * The GET/LIST resource-version rules (reference §1.5–§1.6) observed from outside: which requests see the
 * cache and which see storage. The cache here lists once and never watches, so it lags behind storage and
 * every answer shows where it came from.
 */
import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import { MemoryStorage } from '@kubecache/storage';
import type { CacheFiller } from './cacher.js';
import { pod, rejection, startCacher, type TestPod } from './cacher-test-kit.js';

/** A filler that lists once and then only waits: the cache stays at the list RV. */
const frozenFiller: CacheFiller<TestPod> = (lw, store) => ({
  async listAndWatch(signal: AbortSignal) {
    const list = await lw.list({ resourceVersion: '' });
    store.replace(list.items, list.metadata.resourceVersion ?? '');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  },
});

const names = (items: readonly KubeObject[]) => items.map((o) => o.metadata?.name);

/** Storage holds p0 (RV 2) and p1 (RV 3); the cache only p0, at RV 2. */
async function lagging() {
  const storage = new MemoryStorage<TestPod>({ resourcePrefix: '/pods' });
  await storage.create('/pods/a/p0', pod('a', 'p0'));
  const kit = await startCacher({ filler: frozenFiller, storage });
  await storage.create('/pods/a/p1', pod('a', 'p1'));
  return { ...kit, storage };
}

describe('Cacher resource-version rules against a lagging cache', () => {
  it('GETs RV "" from storage and RV "0" from the cache', async () => {
    const { cacher } = await lagging();
    expect((await cacher.get('/pods/a/p1'))?.metadata.name).toBe('p1');
    await expect(cacher.get('/pods/a/p1', { resourceVersion: '0' })).rejects.toMatchObject({ code: 'KeyNotFound' });
    await cacher.stop();
  });

  it('GETs RV N ahead of the cache as 504 after 3 s', async () => {
    const { cacher, clock } = await lagging();
    const got = rejection(cacher.get('/pods/a/p1', { resourceVersion: '3' }));
    await flushMicrotasks();
    clock.step(3000);
    expect((await got).status).toMatchObject({ code: 504, details: { retryAfterSeconds: 1 } });
    await cacher.stop();
  });

  it('LISTs RV "0" and NotOlderThan N from the cache, with the cache RV', async () => {
    const { cacher } = await lagging();
    const zero = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
    expect([names(zero.items), zero.metadata.resourceVersion]).toEqual([['p0'], '2']);
    const notOlder = await cacher.getList('/pods', {
      recursive: true,
      resourceVersion: '2',
      resourceVersionMatch: 'NotOlderThan',
      predicate: { limit: 5 },
    });
    expect(names(notOlder.items)).toEqual(['p0']);
    await cacher.stop();
  });

  it.each([
    ['the legacy paged read at RV N', { resourceVersion: '2', predicate: { limit: 5 } }, ['p0'], '2'],
    ['an Exact read', { resourceVersion: '2', resourceVersionMatch: 'Exact' as const }, ['p0'], '2'],
    ['a paged consistent read after 3 s of waiting', { predicate: { limit: 1 } }, ['p0'], '3'],
  ])('LISTs %s from storage', async (_what, options, items, rv) => {
    const { cacher, clock } = await lagging();
    const pending = cacher.getList('/pods', { recursive: true, ...options });
    await flushMicrotasks();
    clock.step(3000);
    const list = await pending;
    expect([names(list.items), list.metadata.resourceVersion]).toEqual([items, rv]);
    await cacher.stop();
  });

  it('falls back to storage for a consistent LIST the cache cannot catch up with in 3 s', async () => {
    const { cacher, clock } = await lagging();
    const pending = cacher.getList('/pods', { recursive: true });
    await flushMicrotasks();
    clock.step(2999);
    await flushMicrotasks();
    let settled = false;
    void pending.then(() => (settled = true));
    await flushMicrotasks();
    expect(settled).toBe(false);
    clock.step(1);
    const list = await pending;
    expect([names(list.items), list.metadata.resourceVersion]).toEqual([['p0', 'p1'], '3']);
    await cacher.stop();
  });

  it('still answers 504 when the storage throws on a progress request', async () => {
    const { cacher, clock, storage } = await lagging();
    const boom = () => {
      throw new Error('boom');
    };
    Object.defineProperty(storage, 'requestWatchProgress', { value: boom });
    const got = rejection(cacher.get('/pods/a/p1', { resourceVersion: '3' }));
    await flushMicrotasks();
    clock.step(100);
    clock.step(2900);
    expect((await got).code).toBe(504);
    expect(cacher.watchCache.hasWaiters()).toBe(false);
    await cacher.stop();
  });

  it('refuses a continue token together with RV N with 400', async () => {
    const { cacher } = await lagging();
    const first = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
    expect(first.metadata.continue).toBeUndefined();
    const err = await rejection(
      cacher.getList('/pods', { recursive: true, resourceVersion: '2', predicate: { limit: 1, continue: 'x' } }),
    );
    expect(err.code).toBe(400);
    await cacher.stop();
  });
});
