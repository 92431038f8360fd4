import { describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import { selectionPredicate } from '@kubecache/storage';
import { fieldEquals, labelEquals } from '@kubecache/storage/testing';
import { pod, record, rejection, startCacher, summary, type TestPod } from './cacher-test-kit.js';

describe('Cacher', () => {
  describe('watch', () => {
    it('replays the current state for resource version 0, then live changes', async () => {
      const { storage, cacher } = await startCacher();
      await storage.create('/pods/a/x', pod('a', 'x'));
      const { events } = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '0' }));
      await storage.create('/pods/a/y', pod('a', 'y'));
      expect(summary(events)).toEqual(['ADDED x@2', 'ADDED y@3']);
      await cacher.stop();
    });

    it('sends only changes after resource version N', async () => {
      const { storage, cacher } = await startCacher();
      const x = await storage.create('/pods/a/x', pod('a', 'x'));
      await storage.create('/pods/a/y', pod('a', 'y'));
      const { events } = record(
        await cacher.watch('/pods', { recursive: true, resourceVersion: x.metadata.resourceVersion! }),
      );
      await storage.delete('/pods/a/x');
      expect(summary(events)).toEqual(['ADDED y@3', 'DELETED x@4']);
      await cacher.stop();
    });

    it('starts from now for resource version 0 with sendInitialEvents=false', async () => {
      const { storage, cacher } = await startCacher();
      await storage.create('/pods/a/x', pod('a', 'x'));
      const { events } = record(
        await cacher.watch('/pods', { recursive: true, resourceVersion: '0', sendInitialEvents: false }),
      );
      await storage.create('/pods/a/y', pod('a', 'y'));
      expect(summary(events)).toEqual(['ADDED y@3']);
      await cacher.stop();
    });

    it('ends the initial events of a watch-list with the annotated bookmark', async () => {
      const { storage, cacher } = await startCacher();
      await storage.create('/pods/a/x', pod('a', 'x'));
      await storage.create('/pods/b/y', pod('b', 'y'));
      const w = await cacher.watch('/pods', { recursive: true, sendInitialEvents: true, allowWatchBookmarks: true });
      const { events } = record(w);
      expect(summary(events)).toEqual(['ADDED x@2', 'ADDED y@3', 'BOOKMARK@3']);
      const bookmark = events[2]?.object as TestPod;
      expect(bookmark.metadata).toMatchObject({ annotations: { 'k8s.io/initial-events-end': 'true' } });
      await cacher.stop();
    });

    it('converts changes across the selector into ADDED, MODIFIED and DELETED', async () => {
      const { storage, cacher } = await startCacher();
      await storage.create('/pods/a/x', pod('a', 'x', { app: 'db' }));
      const w = await cacher.watch('/pods', {
        recursive: true,
        resourceVersion: '0',
        predicate: { label: labelEquals({ app: 'web' }) },
      });
      const { events } = record(w);
      for (const [app, value] of [
        ['web', '1'],
        ['web', '2'],
        ['db', '3'],
      ] as const) {
        await storage.guaranteedUpdate('/pods/a/x', {
          tryUpdate: (c) => ({ ...c!, metadata: { ...c!.metadata, labels: { app } }, spec: { value } }),
        });
      }
      expect(summary(events)).toEqual(['ADDED x@3', 'MODIFIED x@4', 'DELETED x@5']);
      await cacher.stop();
    });

    it('watches one object by its exact key, not its neighbours with a longer name', async () => {
      const { storage, cacher } = await startCacher();
      await storage.create('/pods/a/x', pod('a', 'x'));
      await storage.create('/pods/a/xy', pod('a', 'xy'));
      const { events } = record(await cacher.watch('/pods/a/x', { resourceVersion: '0' }));
      await storage.delete('/pods/a/xy');
      await storage.delete('/pods/a/x');
      expect(summary(events)).toEqual(['ADDED x@2', 'DELETED x@5']);
      await cacher.stop();
    });

    it('watches one namespace without seeing a namespace that shares its prefix', async () => {
      const { storage, cacher } = await startCacher();
      const { events } = record(await cacher.watch('/pods/a', { recursive: true, resourceVersion: '0' }));
      await storage.create('/pods/ab/x', pod('ab', 'x'));
      await storage.create('/pods/a/y', pod('a', 'y'));
      expect(summary(events)).toEqual(['ADDED y@3']);
      await cacher.stop();
    });

    it('sends a 410 ERROR with the exact message for a version older than the history', async () => {
      const { storage, cacher, clock } = await startCacher({ historyLowerBound: 4 });
      for (let i = 0; i < 4; i++) await storage.create(`/pods/a/p${i}`, pod('a', `p${i}`));
      clock.step(100_000);
      await storage.create('/pods/a/late', pod('a', 'late'));
      const w = await cacher.watch('/pods', { recursive: true, resourceVersion: '1' });
      const { events, state } = record(w);
      await flushMicrotasks();
      expect(events).toHaveLength(1);
      expect(events[0]?.object).toMatchObject({
        code: 410,
        reason: 'Expired',
        message: 'too old resource version: 1 (2)',
      });
      expect(state.done).toBe(true);
      await cacher.stop();
    });

    it('#1 Cacher history window follows eventsHistoryWindowMs', async () => {
      const { storage, cacher, clock } = await startCacher({ eventsHistoryWindowMs: 150_000, historyLowerBound: 4 });
      const listRV = cacher.watchCache.resourceVersion;
      for (let i = 0; i < 5; i++) {
        await storage.create(`/pods/a/p${i}`, pod('a', `p${i}`));
        clock.step(30_000);
      }
      const { events } = record(await cacher.watch('/pods', { recursive: true, resourceVersion: String(listRV) }));
      await flushMicrotasks();
      expect(summary(events)).toEqual(['ADDED p0@2', 'ADDED p1@3', 'ADDED p2@4', 'ADDED p3@5', 'ADDED p4@6']);
      expect(cacher.watchCache.history.capacity).toBe(8);
      await cacher.stop();
    });

    it('rejects an unparsable resource version and a key with .. with 400, registering nothing', async () => {
      const { cacher } = await startCacher();
      expect((await rejection(cacher.watch('/pods', { recursive: true, resourceVersion: 'abc' }))).code).toBe(400);
      expect((await rejection(cacher.watch('/pods/../secrets', { recursive: true }))).code).toBe(400);
      expect(cacher.watcherCount).toBe(0);
      await cacher.stop();
    });

    it('serializes an event once for all watchers and shares the event object', async () => {
      const { storage, cacher } = await startCacher();
      const recs = [];
      for (let i = 0; i < 3; i++)
        recs.push(record(await cacher.watch('/pods', { recursive: true, resourceVersion: '1' })));
      await storage.create('/pods/a/x', pod('a', 'x'));
      const before = cacher.stats.serializations;
      const lines = recs.map((r) => r.events[0]?.line());
      expect(cacher.stats.serializations - before).toBe(1);
      expect(new Set(lines).size).toBe(1);
      expect(recs[0]?.events[0]).toBe(recs[2]?.events[0]);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'x' } } });
      await cacher.stop();
    });
  });

  describe('freshness', () => {
    it('waits for a future resource version and answers once the cache reaches it', async () => {
      const { storage, cacher } = await startCacher();
      const rv = String((await storage.getCurrentResourceVersion()) + 1);
      const list = cacher.getList('/pods', { recursive: true, resourceVersion: rv });
      await storage.create('/pods/a/x', pod('a', 'x'));
      expect((await list).items.map((p) => p.metadata.name)).toEqual(['x']);
      await cacher.stop();
    });

    it('answers 504 too large resource version with Retry-After 1 after 3 s', async () => {
      const { storage, cacher, clock } = await startCacher();
      const rv = (await storage.getCurrentResourceVersion()) + 10;
      const list = rejection(cacher.getList('/pods', { recursive: true, resourceVersion: String(rv) }));
      await clock.stepAsync(2_900);
      await clock.stepAsync(200);
      const err = await list;
      expect(err.status).toMatchObject({
        code: 504,
        reason: 'Timeout',
        message: `Timeout: Too large resource version: ${rv}, current: 1`,
        details: { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds: 1 },
      });
      await cacher.stop();
    });

    it('delivers the 504 as an ERROR event to a watch-list that cannot catch up', async () => {
      const { cacher, clock } = await startCacher();
      const p = cacher.watch('/pods', { recursive: true, resourceVersion: '50', sendInitialEvents: true });
      await clock.stepAsync(3_100);
      const { events } = record(await p);
      expect(summary(events)).toEqual(['ERROR 504']);
      await cacher.stop();
    });
  });

  describe('list and get', () => {
    async function seeded() {
      const env = await startCacher();
      for (const [ns, n, app] of [
        ['b', 'p3', 'web'],
        ['a', 'p1', 'web'],
        ['c', 'p5', 'db'],
        ['a', 'p2', 'db'],
        ['b', 'p4', 'web'],
      ]) {
        await env.storage.create(`/pods/${ns}/${n}`, pod(ns as string, n as string, { app: app as string }));
      }
      return env;
    }
    const names = (items: readonly TestPod[]) => items.map((p) => p.metadata.name);

    it('lists from the cache in key order with the cache RV', async () => {
      const { cacher } = await seeded();
      const list = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
      expect(names(list.items)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
      expect(list.metadata.resourceVersion).toBe('6');
      await cacher.stop();
    });

    it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY])(
      '#9 answers a limit of %p with 400 BadRequest, not a TypeError',
      async (limit) => {
        const { cacher } = await seeded();
        for (const resourceVersion of ['', '0', '6']) {
          const err = await rejection(
            cacher.getList('/pods', { recursive: true, resourceVersion, predicate: { limit } }),
          );
          expect(err).toBeInstanceOf(StatusError);
          expect((err as StatusError).code).toBe(400);
          expect((err as StatusError).message).toContain('limit');
        }
        await cacher.stop();
      },
    );

    it('ignores the limit for resource version 0', async () => {
      const { cacher } = await seeded();
      const list = await cacher.getList('/pods', { recursive: true, resourceVersion: '0', predicate: { limit: 2 } });
      expect(list.items).toHaveLength(5);
      expect(list.metadata.continue).toBeUndefined();
      await cacher.stop();
    });

    it('pages a consistent read, continuing from storage at the same revision', async () => {
      const { cacher, storage } = await seeded();
      const first = await cacher.getList('/pods', { recursive: true, predicate: { limit: 2 } });
      expect(names(first.items)).toEqual(['p1', 'p2']);
      expect(first.metadata.remainingItemCount).toBe(3);
      await storage.create('/pods/a/p0', pod('a', 'p0'));
      const next = await cacher.getList('/pods', {
        recursive: true,
        predicate: { limit: 10, continue: first.metadata.continue! },
      });
      expect(names(next.items)).toEqual(['p3', 'p4', 'p5']);
      expect(next.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      await cacher.stop();
    });

    it('filters by label without remainingItemCount', async () => {
      const { cacher } = await seeded();
      const list = await cacher.getList('/pods', {
        recursive: true,
        resourceVersion: '1',
        resourceVersionMatch: 'NotOlderThan',
        predicate: { label: labelEquals({ app: 'web' }), limit: 2 },
      });
      expect(names(list.items)).toEqual(['p1', 'p3']);
      expect(list.metadata.remainingItemCount).toBeUndefined();
      const rest = await cacher.getList('/pods', {
        recursive: true,
        predicate: { label: labelEquals({ app: 'web' }), limit: 2, continue: list.metadata.continue! },
      });
      expect(names(rest.items)).toEqual(['p4']);
      expect(rest.metadata.continue).toBeUndefined();
      await cacher.stop();
    });

    it('serves the JSON body from each object serialized once', async () => {
      const { cacher } = await seeded();
      const listKind = { kind: 'PodList', apiVersion: 'v1' };
      const body = await cacher.getListJSON('/pods', { recursive: true, resourceVersion: '0' }, listKind);
      const after = cacher.stats.serializations;
      const again = await cacher.getListJSON('/pods', { recursive: true, resourceVersion: '0' }, listKind);
      expect(again).toBe(body);
      expect(cacher.stats.serializations).toBe(after);
      expect(JSON.parse(body)).toMatchObject({ kind: 'PodList', metadata: { resourceVersion: '6' } });
      expect(JSON.parse(body).items).toHaveLength(5);
      await cacher.stop();
    });

    it('gets from the cache for a set resource version and NotFound otherwise', async () => {
      const { cacher } = await seeded();
      expect((await cacher.get('/pods/a/p1', { resourceVersion: '0' }))?.metadata.name).toBe('p1');
      await expect(cacher.get('/pods/a/zz', { resourceVersion: '0' })).rejects.toMatchObject({ code: 'KeyNotFound' });
      expect(await cacher.get('/pods/a/zz', { resourceVersion: '0', ignoreNotFound: true })).toBeUndefined();
      await cacher.stop();
    });

    it.each([
      ['an unparsable resource version', { resourceVersion: 'x' }, 400],
      ['a malformed continue token', { predicate: { limit: 1, continue: '%%%' } }, 400],
    ])('rejects %s with a Status error', async (_what, options, code) => {
      const { cacher } = await seeded();
      expect((await rejection(cacher.getList('/pods', { recursive: true, ...options }))).code).toBe(code);
      await cacher.stop();
    });

    it('rejects a selector on an unsupported field with 400', () => {
      expect(() => selectionPredicate('Pod', { fieldSelector: 'spec.bogus=1' })).toThrow(StatusError);
      expect(() => selectionPredicate('Pod', { fieldSelector: 'spec.bogus=1' })).toThrow(/spec.bogus/);
    });
  });

  describe('indexed trigger', () => {
    const trigger = { field: 'spec.nodeName', valueOf: (p: TestPod) => p.spec.nodeName ?? '' };

    it('routes events by node, including a pod moving away', async () => {
      const { storage, cacher } = await startCacher({ trigger });
      const n1 = record(
        await cacher.watch('/pods', {
          recursive: true,
          resourceVersion: '1',
          predicate: { field: fieldEquals({ 'spec.nodeName': 'n1' }) },
        }),
      );
      const all = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '1' }));
      await storage.create('/pods/a/x', pod('a', 'x', {}, 'n1'));
      await storage.create('/pods/a/y', pod('a', 'y', {}, 'n2'));
      await storage.guaranteedUpdate('/pods/a/x', { tryUpdate: (c) => ({ ...c!, spec: { nodeName: 'n2' } }) });
      expect(summary(n1.events)).toEqual(['ADDED x@2', 'DELETED x@4']);
      expect(all.events).toHaveLength(3);
      await cacher.stop();
    });

    it('lists through the index in key order', async () => {
      const { storage, cacher } = await startCacher({ trigger });
      await storage.create('/pods/b/y', pod('b', 'y', {}, 'n1'));
      await storage.create('/pods/a/x', pod('a', 'x', {}, 'n1'));
      await storage.create('/pods/a/z', pod('a', 'z', {}, 'n2'));
      const list = await cacher.getList('/pods', {
        recursive: true,
        resourceVersion: '0',
        predicate: { field: fieldEquals({ 'spec.nodeName': 'n1' }) },
      });
      expect(list.items.map((p) => p.metadata.name)).toEqual(['x', 'y']);
      await cacher.stop();
    });
  });

  describe('bookmarks', () => {
    it('sends a bookmark a minute after the watch starts, not before', async () => {
      const { storage, cacher, clock } = await startCacher();
      const { events } = record(
        await cacher.watch('/pods', { recursive: true, resourceVersion: '0', allowWatchBookmarks: true }),
      );
      await storage.create('/pods/a/x', pod('a', 'x'));
      clock.step(58_000);
      expect(summary(events)).toEqual(['ADDED x@2']);
      clock.step(4_000);
      expect(summary(events)).toEqual(['ADDED x@2', 'BOOKMARK@2']);
      await cacher.stop();
    });

    it('sends the bookmark 2 s before the deadline of a shorter watch', async () => {
      const { cacher, clock } = await startCacher();
      const { events } = record(
        await cacher.watch('/pods', {
          recursive: true,
          resourceVersion: '0',
          allowWatchBookmarks: true,
          timeoutSeconds: 30,
        }),
      );
      clock.step(26_500);
      expect(events).toHaveLength(0);
      clock.step(2_000);
      expect(summary(events)[0]).toBe('BOOKMARK@1');
      await cacher.stop();
    });

    it('sends no bookmarks to watchers that did not ask', async () => {
      const { cacher, clock } = await startCacher();
      const { events } = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '0' }));
      clock.step(180_000);
      expect(events).toHaveLength(0);
      await cacher.stop();
    });
  });

  describe('keys', () => {
    it('#7 keeps no ghost when an update tries to rename an object: storage refuses it, the cache keys as storage', async () => {
      const { storage, cacher } = await startCacher();
      await storage.create('/pods/a/x', pod('a', 'x'));
      const rename = storage.guaranteedUpdate('/pods/a/x', {
        tryUpdate: (cur) => ({ ...(cur as TestPod), metadata: { ...(cur as TestPod).metadata, name: 'y' } }),
      });
      expect((await rejection(rename)).code).toBe(400);
      await storage.delete('/pods/a/x');
      await flushMicrotasks();
      const list = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
      expect(list.items).toEqual([]);
      await cacher.stop();
    });
  });

  describe('slow watchers', () => {
    it('cuts off a watcher that does not read within the budget without losing events for the others', async () => {
      const { storage, cacher, clock } = await startCacher({ watcherBufferSize: 2 });
      clock.step(2000); // the budget starts empty and fills to 100 ms in 2 s
      const slow = await cacher.watch('/pods', { recursive: true, resourceVersion: '1' });
      const fast = record(await cacher.watch('/pods', { recursive: true, resourceVersion: '1' }));
      for (let i = 0; i < 5; i++) await storage.create(`/pods/a/p${i}`, pod('a', `p${i}`));
      expect(fast.events).toHaveLength(3);
      clock.step(99);
      expect(slow.stopped).toBe(false);
      clock.step(1);
      await flushMicrotasks();
      expect(slow.stopped).toBe(true);
      expect(cacher.stats.terminated).toBe(1);
      expect(summary(fast.events)).toEqual(['ADDED p0@2', 'ADDED p1@3', 'ADDED p2@4', 'ADDED p3@5', 'ADDED p4@6']);
      await cacher.stop();
    });

    it('keeps a pull-mode watcher that reads within the budget', async () => {
      const { storage, cacher, clock } = await startCacher({ watcherBufferSize: 1 });
      clock.step(2000);
      const w = await cacher.watch('/pods', { recursive: true, resourceVersion: '1' });
      const it = w[Symbol.asyncIterator]();
      await storage.create('/pods/a/p0', pod('a', 'p0'));
      await storage.create('/pods/a/p1', pod('a', 'p1'));
      const got = [await it.next(), await it.next()].map(
        (r) => (r.value?.object as TestPod | undefined)?.metadata.name,
      );
      expect(got).toEqual(['p0', 'p1']);
      expect(w.stopped).toBe(false);
      await cacher.stop();
      expect((await it.next()).done).toBe(true);
    });
  });

  describe('bad input to the watch cache', () => {
    it('refuses an object without a name or with an unparsable RV and changes nothing', async () => {
      const { cacher, storage } = await startCacher();
      await storage.create('/pods/a/x', pod('a', 'x'));
      const rv = cacher.watchCache.resourceVersion;
      const end = cacher.watchCache.history.end;
      const nameless = { kind: 'Pod', metadata: { namespace: 'a', resourceVersion: '9' }, spec: {} } as TestPod;
      expect(() => cacher.watchCache.add(nameless)).toThrow(StatusError);
      const badRV = { ...pod('a', 'y'), metadata: { name: 'y', namespace: 'a', resourceVersion: 'x9' } };
      expect(() => cacher.watchCache.add(badRV)).toThrow(/invalid syntax/);
      expect(() => cacher.watchCache.replace([pod('a', 'z'), nameless], '20')).toThrow(StatusError);
      expect(cacher.watchCache.resourceVersion).toBe(rv);
      expect(cacher.watchCache.history.end).toBe(end);
      expect(cacher.watchCache.size).toBe(1);
      await cacher.stop();
    });
  });
});

describe('Cacher over a storage without reliable progress requests', () => {
  it('refuses a watch-list with the 500 ERROR event client-go falls back on', async () => {
    const { cacher, storage } = await startCacher();
    Object.defineProperty(storage, 'supportsRequestWatchProgress', { value: false });
    const w = await cacher.watch('/pods', { recursive: true, sendInitialEvents: true, allowWatchBookmarks: true });
    const { events } = record(w);
    expect(events[0]?.object).toMatchObject({
      code: 500,
      message:
        'Internal error occurred: a watch stream was requested by the client but the required storage feature RequestWatchProgress is disabled',
    });
    await cacher.stop();
  });

  it('delegates a consistent list to storage', async () => {
    const { cacher, storage } = await startCacher();
    Object.defineProperty(storage, 'supportsRequestWatchProgress', { value: false });
    await storage.create('/pods/a/x', pod('a', 'x'));
    const list = await cacher.getList('/pods', { recursive: true });
    expect(list.items).toHaveLength(1);
    await cacher.stop();
  });
});
