/**
 * The LIST and WATCH half of the Storage contract (see `storage.contract.ts`): paging, selectors and the
 * resource-version rules of getList; watch from a revision, initial events, filters, compaction and
 * progress notifications.
 */
import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { firstValueFrom, toArray } from 'rxjs';
import type { Storage, StorageEvent } from '../interfaces.js';
import {
  type ContractPod,
  collect,
  contractPod,
  expectStatus,
  key,
  labelEquals,
  names,
  rvOf,
  type WithStorage,
} from './contract-kit.js';

/** getList and watch, run by `describeStorageContract`. */
export function describeReadContract(withStorage: WithStorage): void {
  describe('getList', () => {
    async function seed(s: Storage<ContractPod>) {
      for (const [ns, n, app] of [
        ['a', 'p1', 'web'],
        ['a', 'p2', 'db'],
        ['b', 'p3', 'web'],
        ['b', 'p4', 'web'],
        ['c', 'p5', 'db'],
      ] as const) {
        await s.create(key(ns, n), contractPod(ns, n, 'v', { app }));
      }
    }
    it('lists a prefix in key order at the current revision', () =>
      withStorage(async (s) => {
        await seed(s);
        const list = await s.getList('/pods', { recursive: true });
        expect(names(list.items)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
        expect(Number(list.metadata.resourceVersion)).toBe(await s.getCurrentResourceVersion());
      }));
    it('lists one namespace by prefix without its neighbours', () =>
      withStorage(async (s) => {
        await seed(s);
        await s.create('/pods/aa/p9', contractPod('aa', 'p9'));
        expect(names((await s.getList('/pods/a', { recursive: true })).items)).toEqual(['p1', 'p2']);
      }));
    it('filters by label selector', () =>
      withStorage(async (s) => {
        await seed(s);
        const list = await s.getList('/pods', { recursive: true, predicate: { label: labelEquals({ app: 'web' }) } });
        expect(names(list.items)).toEqual(['p1', 'p3', 'p4']);
      }));
    it('pages with limit and continue, with remainingItemCount, at one revision', () =>
      withStorage(async (s) => {
        await seed(s);
        const first = await s.getList('/pods', { recursive: true, predicate: { limit: 2 } });
        expect(names(first.items)).toEqual(['p1', 'p2']);
        expect(first.metadata.remainingItemCount).toBe(3);
        await s.create(key('a', 'p0'), contractPod('a', 'p0'));
        const second = await s.getList('/pods', {
          recursive: true,
          predicate: { limit: 2, continue: first.metadata.continue! },
        });
        expect(names(second.items)).toEqual(['p3', 'p4']);
        expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
        const third = await s.getList('/pods', {
          recursive: true,
          predicate: { limit: 2, continue: second.metadata.continue! },
        });
        expect(names(third.items)).toEqual(['p5']);
        expect(third.metadata.continue).toBeUndefined();
      }));
    it('reads an exact older revision', () =>
      withStorage(async (s) => {
        await seed(s);
        const rv = await s.getCurrentResourceVersion();
        await s.delete(key('a', 'p1'));
        const list = await s.getList('/pods', {
          recursive: true,
          resourceVersion: String(rv),
          resourceVersionMatch: 'Exact',
        });
        expect(names(list.items)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
        expect(list.metadata.resourceVersion).toBe(String(rv));
      }));
    it('answers 410 for an exact revision that was compacted', () =>
      withStorage(async (s, t) => {
        await seed(s);
        const old = await s.getCurrentResourceVersion();
        await s.delete(key('a', 'p1'));
        await s.delete(key('a', 'p2'));
        await t.compact(await s.getCurrentResourceVersion());
        const p = s.getList('/pods', {
          recursive: true,
          resourceVersion: String(old - 1),
          resourceVersionMatch: 'Exact',
        });
        await expectStatus(p, 410, 'The resourceVersion for the provided list is too old.');
      }));
    it('answers 410 with a fresh continue token when the token revision was compacted', () =>
      withStorage(async (s, t) => {
        await seed(s);
        const first = await s.getList('/pods', { recursive: true, predicate: { limit: 2 } });
        await s.delete(key('c', 'p5'));
        await t.compact(await s.getCurrentResourceVersion());
        const p = s.getList('/pods', {
          recursive: true,
          predicate: { limit: 2, continue: first.metadata.continue! },
        });
        const err = await expectStatus(p, 410, /continue parameter is too old/);
        const resumed = await s.getList('/pods', {
          recursive: true,
          predicate: { limit: 10, continue: err.status.metadata.continue! },
        });
        expect(names(resumed.items)).toEqual(['p3', 'p4']);
      }));
    it.each([
      ['garbage!', 'invalid continue token: continue key is not valid'],
      [Buffer.from('{"v":"v2","rv":1,"start":"a"}').toString('base64url'), /server does not recognize/],
      [Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString('base64url'), /incorrect encoded start/],
      [Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":""}').toString('base64url'), /encoded start key empty/],
      [Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":"../secrets"}').toString('base64url'), /not valid$/],
    ])('answers 400 for the malformed continue token %s', (token, message) =>
      withStorage(async (s) => {
        await seed(s);
        await expectStatus(
          s.getList('/pods', { recursive: true, predicate: { limit: 1, continue: token } }),
          400,
          message,
        );
      }),
    );
    it('refuses a resource version together with a continue token', () =>
      withStorage(async (s) => {
        await seed(s);
        const first = await s.getList('/pods', { recursive: true, predicate: { limit: 2 } });
        const p = s.getList('/pods', {
          recursive: true,
          resourceVersion: first.metadata.resourceVersion!,
          predicate: { limit: 2, continue: first.metadata.continue! },
        });
        await expectStatus(p, 400, 'specifying resource version is not allowed when using continue');
      }));
    it('answers 504 for a not-older-than revision in the future', () =>
      withStorage(async (s) => {
        const rv = (await s.getCurrentResourceVersion()) + 10;
        await expectStatus(s.getList('/pods', { recursive: true, resourceVersion: String(rv) }), 504, /Too large/);
      }));
    it('counts objects under a prefix', () =>
      withStorage(async (s) => {
        await seed(s);
        expect(await s.count('/pods')).toBe(5);
        expect(await s.count('/pods/b')).toBe(2);
      }));
  });

  describe('watch', () => {
    it('delivers changes after a resource version with the previous object', () =>
      withStorage(async (s) => {
        const created = await s.create(key('a', 'x'), contractPod('a', 'x', '1'));
        const events = collect(
          s.watch('/pods', { recursive: true, resourceVersion: created.metadata.resourceVersion! }),
          2,
        );
        const updated = await s.guaranteedUpdate(key('a', 'x'), {
          tryUpdate: (c) => ({ ...c!, spec: { value: '2' } }),
        });
        const deleted = await s.delete(key('a', 'x'));
        const got = (await events) as Extract<StorageEvent<ContractPod>, { prevObject?: unknown }>[];
        expect(got.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
        expect(got[0]?.prevObject).toEqual(created);
        expect(got[1]?.object).toEqual(deleted);
        expect(got[1]?.prevObject).toEqual(updated);
      }));
    it('replays history from an older resource version in order', () =>
      withStorage(async (s) => {
        const start = await s.getCurrentResourceVersion();
        await s.create(key('a', 'x'), contractPod('a', 'x'));
        await s.create(key('a', 'y'), contractPod('a', 'y'));
        const got = await collect(s.watch('/pods', { recursive: true, resourceVersion: String(start) }), 2);
        expect(got.map((e) => [e.type, (e.object as ContractPod).metadata.name])).toEqual([
          ['ADDED', 'x'],
          ['ADDED', 'y'],
        ]);
      }));
    it('starts with the current state for resource version 0', () =>
      withStorage(async (s) => {
        await s.create(key('a', 'x'), contractPod('a', 'x'));
        const got = await collect(s.watch('/pods', { recursive: true, resourceVersion: '0' }), 1);
        expect(got[0]?.type).toBe('ADDED');
      }));
    it('ends the initial events with an annotated bookmark when asked', () =>
      withStorage(async (s) => {
        await s.create(key('a', 'x'), contractPod('a', 'x'));
        const rv = await s.getCurrentResourceVersion();
        const got = await collect(
          s.watch('/pods', { recursive: true, sendInitialEvents: true, allowWatchBookmarks: true }),
          2,
        );
        expect(got.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
        const bookmark = got[1]?.object as KubeObject;
        expect(bookmark.metadata?.annotations?.['k8s.io/initial-events-end']).toBe('true');
        expect(bookmark.metadata?.resourceVersion).toBe(String(rv));
      }));
    it('converts changes that cross the selector into ADDED and DELETED', () =>
      withStorage(async (s) => {
        const rv = await s.getCurrentResourceVersion();
        await s.create(key('a', 'x'), contractPod('a', 'x', 'v', { app: 'db' }));
        const events = collect(
          s.watch('/pods', {
            recursive: true,
            resourceVersion: String(rv),
            predicate: { label: labelEquals({ app: 'web' }) },
          }),
          3,
        );
        for (const app of ['web', 'web', 'db']) {
          await s.guaranteedUpdate(key('a', 'x'), {
            tryUpdate: (c) => ({
              ...c!,
              metadata: { ...c!.metadata, labels: { app } },
              spec: { value: app + rvOf(c!) },
            }),
          });
        }
        expect((await events).map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      }));
    it('sends one 410 ERROR for a compacted resource version', () =>
      withStorage(async (s, t) => {
        const rv = await s.getCurrentResourceVersion();
        await s.create(key('a', 'x'), contractPod('a', 'x'));
        await s.create(key('a', 'y'), contractPod('a', 'y'));
        await t.compact(await s.getCurrentResourceVersion());
        const got = await firstValueFrom(
          s.watch('/pods', { recursive: true, resourceVersion: String(rv) }).pipe(toArray()),
        );
        expect(got).toHaveLength(1);
        expect(got[0]?.type).toBe('ERROR');
        expect(got[0]?.object).toMatchObject({
          code: 410,
          reason: 'Expired',
          message: 'The resourceVersion for the provided watch is too old.',
        });
      }));
    it('fails to start for an unparsable resource version', () =>
      withStorage(async (s) => {
        const p = firstValueFrom(s.watch('/pods', { recursive: true, resourceVersion: 'x1' }));
        await expectStatus(p, 400);
      }));
    it('delivers progress bookmarks to progressNotify watchers', () =>
      withStorage(async (s) => {
        await s.create(key('a', 'x'), contractPod('a', 'x'));
        const rv = await s.getCurrentResourceVersion();
        const events = collect(
          s.watch('/other', { recursive: true, resourceVersion: String(rv), progressNotify: true }),
          1,
        );
        await s.create(key('a', 'y'), contractPod('a', 'y'));
        await s.requestWatchProgress();
        const got = await events;
        expect(got[0]?.type).toBe('BOOKMARK');
        expect(Number((got[0]?.object as KubeObject | undefined)?.metadata?.resourceVersion)).toBeGreaterThan(rv);
      }));
  });
}
