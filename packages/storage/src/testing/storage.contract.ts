/**
 * The Storage contract as a jest suite, written once and run against every backend (MemoryStorage here,
 * the etcd3 backend in `@kubecache/etcd`). Import it from a `*.test.ts` file; it needs `@jest/globals`, so
 * it is not part of the package's public entry points. The LIST and WATCH half is in
 * `storage-read.contract.ts`.
 */
import { describe, expect, it } from '@jest/globals';
import { isStorageError } from '../errors.js';
import type { Storage } from '../interfaces.js';
import {
  type ContractPod,
  contractPod,
  expectStatus,
  key,
  rvOf,
  type StorageUnderTest,
  type WithStorage,
} from './contract-kit.js';
import { describeReadContract } from './storage-read.contract.js';

export type { ContractPod, StorageUnderTest } from './contract-kit.js';
export { contractPod, fieldEquals, labelEquals } from './contract-kit.js';

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
    describeWriteContract(withStorage);
    describeReadContract(withStorage);
  });
}

/** create, get, delete and guaranteedUpdate. */
function describeWriteContract(withStorage: WithStorage): void {
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
    it('#7 refuses with a 400 an object whose name or namespace does not match its key', () =>
      withStorage(async (s) => {
        await expectStatus(s.create(key('a', 'x'), contractPod('a', 'y')), 400, /name of the object \(y\)/);
        await expectStatus(s.create(key('a', 'x'), contractPod('b', 'x')), 400, /namespace of the object \(b\)/);
        const created = await s.create(key('a', 'x'), contractPod('a', 'x'));
        const renamed = s.guaranteedUpdate(key('a', 'x'), {
          tryUpdate: (cur) => ({ ...(cur as ContractPod), metadata: { ...(cur as ContractPod).metadata, name: 'y' } }),
        });
        await expectStatus(renamed, 400, /does not match/);
        expect(await s.get(key('a', 'x'))).toEqual(created);
        expect(await s.count('/pods')).toBe(1);
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
        const created = await s.create(key('a', 'x'), contractPod('a', 'x'));
        const err = await s.delete(key('a', 'x'), { preconditions }).catch((e: unknown) => e);
        expect(isStorageError(err, 'InvalidObj')).toBe(true);
        expect((err as Error).message).toMatch(message);
        expect(await s.get(key('a', 'x'))).toEqual(created);
      }),
    );
    it('refuses when validateDeletion throws', () =>
      withStorage(async (s) => {
        const created = await s.create(key('a', 'x'), contractPod('a', 'x'));
        const refuse = () => {
          throw new Error('has finalizers');
        };
        await expect(s.delete(key('a', 'x'), { validateDeletion: refuse })).rejects.toThrow('has finalizers');
        expect(await s.get(key('a', 'x'))).toEqual(created);
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
}
