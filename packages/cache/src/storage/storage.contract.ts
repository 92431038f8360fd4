/**
 * The Storage contract as a jest suite, written once and run against every backend (MemoryStorage here,
 * the etcd3 backend in `@kubecache/etcd`). Import it from a `*.test.ts` file; it needs `@jest/globals`, so
 * it is not part of the package's public entry points.
 */
import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, type Observable, take, toArray } from 'rxjs';
import type { KubeObject } from '../object.js';
import { StatusError } from '../status.js';
import { isStorageError } from './errors.js';
import type { Storage, StorageEvent } from './interfaces.js';
import type { FieldSelectorLike, LabelSelectorLike } from './predicate.js';

/** A backend under test, with the hooks the contract needs beyond the interface. */
export interface StorageUnderTest<T extends KubeObject> {
  storage: Storage<T>;
  /** Compacts history below `revision`. */
  compact(revision: number): Promise<void>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

/** The objects the contract stores. */
export interface ContractPod extends KubeObject {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec: { value: string };
}

/** A contract pod in `ns` named `name`. */
export function contractPod(ns: string, name: string, value = 'v', labels: Record<string, string> = {}): ContractPod {
  return { kind: 'Pod', metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`, labels }, spec: { value } };
}

/** A minimal equality label selector (`k=v,…`) for tests that must not depend on the selectors module. */
export function labelEquals(required: Record<string, string>): LabelSelectorLike {
  const entries = Object.entries(required);
  return {
    matches: (labels) => entries.every(([k, v]) => labels[k] === v),
    empty: () => entries.length === 0,
    toString: () => entries.map(([k, v]) => `${k}=${v}`).join(','),
  };
}

/** A minimal equality field selector (`f=v,…`) for tests. */
export function fieldEquals(required: Record<string, string>): FieldSelectorLike {
  const entries = Object.entries(required);
  return {
    matches: (fields) => entries.every(([k, v]) => (fields[k] ?? '') === v),
    empty: () => entries.length === 0,
    requiresExactMatch: (field) => required[field],
    toString: () => entries.map(([k, v]) => `${k}=${v}`).join(','),
  };
}

const key = (ns: string, name: string) => `/pods/${ns}/${name}`;
const rvOf = (o: KubeObject) => Number(o.metadata?.resourceVersion);
const names = (items: readonly KubeObject[]) => items.map((o) => o.metadata?.name);

function collect<T>(obs: Observable<T>, n: number): Promise<T[]> {
  return firstValueFrom(obs.pipe(take(n), toArray()));
}

async function expectStatus(p: Promise<unknown>, code: number, message?: string | RegExp): Promise<StatusError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StatusError);
  expect((err as StatusError).code).toBe(code);
  if (message !== undefined) expect((err as StatusError).message).toMatch(message);
  return err as StatusError;
}

/**
 * Registers the contract: `describe(name)` with tests for create, get, delete, guaranteedUpdate, getList,
 * watch and compaction. `make` builds a fresh, empty backend for each test; keys live under `/pods`.
 */
export function describeStorageContract(
  name: string,
  make: () => StorageUnderTest<ContractPod> | Promise<StorageUnderTest<ContractPod>>,
): void {
  async function withStorage(fn: (s: Storage<ContractPod>, t: StorageUnderTest<ContractPod>) => Promise<void>) {
    const t = await make();
    try {
      await fn(t.storage, t);
    } finally {
      await t.close?.();
    }
  }

  describe(`${name} (storage contract)`, () => {
    describe('create', () => {
      it('stores the object and stamps the write revision', () =>
        withStorage(async (s) => {
          const before = await s.getCurrentResourceVersion();
          const out = await s.create(key('a', 'x'), contractPod('a', 'x'));
          expect(rvOf(out)).toBeGreaterThan(before);
          expect(await s.get(key('a', 'x'))).toEqual(out);
        }));
      it('fails with KeyExists when the key is taken and leaves the object alone', () =>
        withStorage(async (s) => {
          const first = await s.create(key('a', 'x'), contractPod('a', 'x', 'one'));
          await expect(s.create(key('a', 'x'), contractPod('a', 'x', 'two'))).rejects.toMatchObject({
            name: 'StorageError',
            code: 'KeyExists',
          });
          expect(await s.get(key('a', 'x'))).toEqual(first);
        }));
      it('refuses an object that already has a resource version', () =>
        withStorage(async (s) => {
          const pod = contractPod('a', 'x');
          pod.metadata.resourceVersion = '5';
          await expect(s.create(key('a', 'x'), pod)).rejects.toThrow(/resourceVersion should not be set/);
        }));
      it('refuses a key with a dot-dot segment with a 400', () =>
        withStorage(async (s) => {
          await expectStatus(s.create('/pods/../secrets/x', contractPod('a', 'x')), 400, /invalid key/);
          expect(await s.count('/pods')).toBe(0);
        }));
      it('returns frozen objects that do not share structure with the input', () =>
        withStorage(async (s) => {
          const pod = contractPod('a', 'x');
          const out = await s.create(key('a', 'x'), pod);
          pod.spec.value = 'mutated';
          expect(Object.isFrozen(out)).toBe(true);
          expect((await s.get(key('a', 'x')))?.spec.value).toBe('v');
        }));
    });

    describe('get', () => {
      it('fails with KeyNotFound, or resolves undefined with ignoreNotFound', () =>
        withStorage(async (s) => {
          await expect(s.get(key('a', 'missing'))).rejects.toMatchObject({ name: 'StorageError', code: 'KeyNotFound' });
          expect(await s.get(key('a', 'missing'), { ignoreNotFound: true })).toBeUndefined();
        }));
      it('answers 504 too large for a resource version the storage has not reached', () =>
        withStorage(async (s) => {
          const current = await s.getCurrentResourceVersion();
          await expectStatus(s.get(key('a', 'x'), { resourceVersion: String(current + 100) }), 504, /Too large/);
        }));
      it('answers 400 for an unparsable resource version', () =>
        withStorage(async (s) => {
          await expectStatus(s.get(key('a', 'x'), { resourceVersion: 'abc' }), 400, /invalid syntax/);
        }));
    });

    describe('delete', () => {
      it('deletes and returns the last state stamped with the delete revision', () =>
        withStorage(async (s) => {
          const created = await s.create(key('a', 'x'), contractPod('a', 'x'));
          const deleted = await s.delete(key('a', 'x'));
          expect(rvOf(deleted)).toBeGreaterThan(rvOf(created));
          expect(deleted.spec).toEqual(created.spec);
          expect(await s.get(key('a', 'x'), { ignoreNotFound: true })).toBeUndefined();
        }));
      it('fails with KeyNotFound for a missing key', () =>
        withStorage(async (s) => {
          await expect(s.delete(key('a', 'x'))).rejects.toMatchObject({ name: 'StorageError', code: 'KeyNotFound' });
        }));
      it.each([
        [{ uid: 'other' }, /UID in precondition: other, UID in object meta: uid-a-x/],
        [{ resourceVersion: '1' }, /ResourceVersion in precondition: 1/],
      ])('refuses when precondition %j fails and keeps the object', (preconditions, message) =>
        withStorage(async (s) => {
          await s.create(key('a', 'x'), contractPod('a', 'x'));
          const err = await s.delete(key('a', 'x'), { preconditions }).catch((e: unknown) => e);
          expect(isStorageError(err, 'InvalidObj')).toBe(true);
          expect((err as Error).message).toMatch(message);
          expect(await s.get(key('a', 'x'))).toBeDefined();
        }),
      );
      it('refuses when validateDeletion throws', () =>
        withStorage(async (s) => {
          await s.create(key('a', 'x'), contractPod('a', 'x'));
          const refuse = () => {
            throw new Error('has finalizers');
          };
          await expect(s.delete(key('a', 'x'), { validateDeletion: refuse })).rejects.toThrow('has finalizers');
          expect(await s.get(key('a', 'x'))).toBeDefined();
        }));
      it('retries from fresh state when the cached object is stale', () =>
        withStorage(async (s) => {
          const stale = await s.create(key('a', 'x'), contractPod('a', 'x', 'one'));
          await s.guaranteedUpdate(key('a', 'x'), { tryUpdate: (cur) => ({ ...cur!, spec: { value: 'two' } }) });
          const seen: string[] = [];
          const deleted = await s.delete(key('a', 'x'), {
            cachedExistingObject: stale,
            validateDeletion: (cur) => {
              seen.push(cur.spec.value);
            },
          });
          expect(deleted.spec.value).toBe('two');
          expect(seen.at(-1)).toBe('two');
        }));
    });

    describe('guaranteedUpdate', () => {
      it('writes the result of tryUpdate at a new revision', () =>
        withStorage(async (s) => {
          const created = await s.create(key('a', 'x'), contractPod('a', 'x'));
          const out = await s.guaranteedUpdate(key('a', 'x'), {
            tryUpdate: (cur) => ({ ...cur!, spec: { value: 'new' } }),
          });
          expect(out.spec.value).toBe('new');
          expect(rvOf(out)).toBeGreaterThan(rvOf(created));
        }));
      it('does not write when the result is unchanged', () =>
        withStorage(async (s) => {
          const created = await s.create(key('a', 'x'), contractPod('a', 'x'));
          const before = await s.getCurrentResourceVersion();
          const out = await s.guaranteedUpdate(key('a', 'x'), { tryUpdate: (cur) => ({ ...cur! }) });
          expect(out).toEqual(created);
          expect(await s.getCurrentResourceVersion()).toBe(before);
        }));
      it('retries with fresh state when the cached object conflicts', () =>
        withStorage(async (s) => {
          const stale = await s.create(key('a', 'x'), contractPod('a', 'x', '1'));
          await s.guaranteedUpdate(key('a', 'x'), { tryUpdate: (cur) => ({ ...cur!, spec: { value: '2' } }) });
          const out = await s.guaranteedUpdate(key('a', 'x'), {
            cachedExistingObject: stale,
            tryUpdate: (cur) => ({ ...cur!, spec: { value: `${cur!.spec.value}+1` } }),
          });
          expect(out.spec.value).toBe('2+1');
        }));
      it('creates a missing object with ignoreNotFound, else fails with KeyNotFound', () =>
        withStorage(async (s) => {
          const tryUpdate = (cur: ContractPod | undefined) => cur ?? contractPod('a', 'x', 'fresh');
          await expect(s.guaranteedUpdate(key('a', 'x'), { tryUpdate })).rejects.toMatchObject({
            name: 'StorageError',
            code: 'KeyNotFound',
          });
          const out = await s.guaranteedUpdate(key('a', 'x'), { tryUpdate, ignoreNotFound: true });
          expect(out.spec.value).toBe('fresh');
        }));
      it('propagates an error from tryUpdate without writing', () =>
        withStorage(async (s) => {
          await s.create(key('a', 'x'), contractPod('a', 'x'));
          const before = await s.getCurrentResourceVersion();
          const tryUpdate = () => {
            throw new Error('nope');
          };
          await expect(s.guaranteedUpdate(key('a', 'x'), { tryUpdate })).rejects.toThrow('nope');
          expect(await s.getCurrentResourceVersion()).toBe(before);
        }));
      it('refuses when the uid precondition fails', () =>
        withStorage(async (s) => {
          await s.create(key('a', 'x'), contractPod('a', 'x'));
          const p = s.guaranteedUpdate(key('a', 'x'), { preconditions: { uid: 'zzz' }, tryUpdate: (c) => c! });
          await expect(p).rejects.toMatchObject({ name: 'StorageError', code: 'InvalidObj' });
        }));
    });

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
  });
}
