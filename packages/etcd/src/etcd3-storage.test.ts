import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import { isStorageError, type StorageEvent } from '@kubecache/storage';
import { type ContractPod, contractPod } from '@kubecache/storage/testing';
import { Etcd3 } from 'etcd3';
import { firstValueFrom, toArray } from 'rxjs';
import { ObjectTooLargeError } from './etcd3-codec.js';
import { Etcd3Storage, type Etcd3StorageOptions } from './etcd3-storage.js';
import { describeWithEtcd } from './testing/etcd-gate.js';
import { startEtcd, type TestEtcd } from './testing/start-etcd.js';

describeWithEtcd('Etcd3Storage', () => {
  let etcd: TestEtcd;
  let raw: Etcd3;
  let n = 0;
  beforeAll(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: etcd.endpoints });
  });
  afterAll(async () => {
    raw?.close();
    await etcd?.stop();
  });

  async function withStorage(
    fn: (s: Etcd3Storage<ContractPod>, prefix: string) => Promise<void>,
    options: Partial<Etcd3StorageOptions<ContractPod>> = {},
  ) {
    const prefix = `/t${n++}`;
    const storage = new Etcd3Storage<ContractPod>({
      serverList: etcd.endpoints,
      prefix,
      compactionIntervalMs: 0,
      ...options,
    });
    try {
      await fn(storage, prefix);
    } finally {
      await storage.close();
    }
  }

  describe('keys', () => {
    it('stores /pods/ns/name under the prefix', () =>
      withStorage(async (s, prefix) => {
        await s.create('/pods/a/x', contractPod('a', 'x'));
        expect(await raw.get(`${prefix}/pods/a/x`).json()).toMatchObject({ metadata: { name: 'x' } });
      }));
    it('refuses a key that would escape the prefix with a 400, writing nothing', () =>
      withStorage(async (s) => {
        const before = await s.getCurrentResourceVersion();
        for (const key of ['pods/a/x', '/pods/../../x', '']) {
          const err = await s.create(key, contractPod('a', 'x')).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(StatusError);
          expect((err as StatusError).code).toBe(400);
        }
        expect(await s.getCurrentResourceVersion()).toBe(before);
      }));
  });

  describe('bad values', () => {
    it.each([
      ['a BigInt', () => ({ ...contractPod('a', 'x'), spec: { value: 1n } })],
      [
        'a cycle',
        () => {
          const p = contractPod('a', 'x') as ContractPod & { self?: unknown };
          p.self = p;
          return p;
        },
      ],
      ['an array', () => [] as unknown],
    ])('refuses an object holding %s as InvalidObj, writing nothing', (_what, make) =>
      withStorage(async (s) => {
        const before = await s.getCurrentResourceVersion();
        const err = await s.create('/pods/a/x', make() as ContractPod).catch((e: unknown) => e);
        expect(isStorageError(err, 'InvalidObj')).toBe(true);
        expect((err as Error).message).toMatch(/cannot encode object as JSON/);
        expect(await s.getCurrentResourceVersion()).toBe(before);
      }),
    );
    it('refuses an object over etcd request limit with 413 before sending', () =>
      withStorage(async (s) => {
        const before = await s.getCurrentResourceVersion();
        const big = contractPod('a', 'x', 'x'.repeat(1_600_000));
        const err = await s.create('/pods/a/x', big).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ObjectTooLargeError);
        expect((err as ObjectTooLargeError).code).toBe(413);
        expect(await s.getCurrentResourceVersion()).toBe(before);
      }));
    it('maps etcd own "request is too large" to the same 413 when the client limit is set higher', () =>
      withStorage(
        async (s) => {
          const before = await s.getCurrentResourceVersion();
          const err = await s
            .create('/pods/a/x', contractPod('a', 'x', 'x'.repeat(2_000_000)))
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(ObjectTooLargeError);
          expect(await s.getCurrentResourceVersion()).toBe(before);
        },
        { maxRequestBytes: 8 * 1024 * 1024 },
      ));
    it('reports a stored value that is not JSON as CorruptObj', () =>
      withStorage(async (s, prefix) => {
        await raw.put(`${prefix}/pods/a/bad`).value('not json{');
        const err = await s.get('/pods/a/bad').catch((e: unknown) => e);
        expect(isStorageError(err, 'CorruptObj')).toBe(true);
      }));
  });

  describe('paged ranges', () => {
    it('lists 12 MiB of objects through the 4 MiB gRPC cap, at one revision', () =>
      withStorage(
        async (s) => {
          const value = 'v'.repeat(400_000);
          for (let i = 0; i < 30; i++) {
            const name = `p${String(i).padStart(2, '0')}`;
            await s.create(`/pods/a/${name}`, contractPod('a', name, value));
          }
          const list = await s.getList('/pods', { recursive: true });
          expect(list.items).toHaveLength(30);
          expect(list.items.every((p) => p.spec.value.length === 400_000)).toBe(true);
          const page = await s.getList('/pods', { recursive: true, predicate: { limit: 20 } });
          expect(page.items).toHaveLength(20);
          expect(page.metadata.remainingItemCount).toBe(10);
        },
        // Ask for everything in one Range: the backend must split after grpc-js refuses the message.
        { pageBytes: 1 << 30 },
      ));
  });

  describe('watch lifecycle', () => {
    it('releases the etcd watch when unsubscribed, and close() ends the open ones', () =>
      withStorage(async (s) => {
        const sub = s.watch('/pods', { recursive: true }).subscribe();
        expect(s.watchCount).toBe(1);
        sub.unsubscribe();
        expect(s.watchCount).toBe(0);
        const rv = await s.getCurrentResourceVersion();
        const events: StorageEvent<ContractPod>[] = [];
        const done = new Promise<void>((resolve) =>
          s.watch('/pods', { recursive: true, resourceVersion: String(rv) }).subscribe({
            next: (e) => events.push(e),
            complete: resolve,
          }),
        );
        await s.create('/pods/a/x', contractPod('a', 'x'));
        await s.close();
        await done;
        expect(s.watchCount).toBe(0);
        await expect(s.get('/pods/a/x')).rejects.toMatchObject({ code: 'Unreachable' });
      }));
    it('keeps the other watches running when one is unsubscribed', () =>
      withStorage(async (s) => {
        const rv = String(await s.getCurrentResourceVersion());
        const events: string[] = [];
        const kept = s.watch('/pods', { recursive: true, resourceVersion: rv }).subscribe((e) => events.push(e.type));
        const dropped = s.watch('/pods', { recursive: true, resourceVersion: rv }).subscribe();
        await s.create('/pods/a/x', contractPod('a', 'x'));
        while (events.length < 1) await new Promise((r) => setTimeout(r, 10));
        dropped.unsubscribe();
        await new Promise((r) => setTimeout(r, 50)); // let the cancellation reach the channel
        await s.create('/pods/a/y', contractPod('a', 'y'));
        while (events.length < 2) await new Promise((r) => setTimeout(r, 10));
        kept.unsubscribe();
        expect(events).toEqual(['ADDED', 'ADDED']);
      }));
    it('ends with a 410 ERROR when etcd compacts below a watch that starts in the past', () =>
      withStorage(async (s) => {
        const rv = await s.getCurrentResourceVersion();
        await s.create('/pods/a/x', contractPod('a', 'x'));
        await s.create('/pods/a/y', contractPod('a', 'y'));
        // Compacting at rv+2 leaves rv+1 unreadable; a watch after rv needs it.
        await s.compact(await s.getCurrentResourceVersion());
        const got = await firstValueFrom(
          s.watch('/pods', { recursive: true, resourceVersion: String(rv) }).pipe(toArray()),
        );
        expect(got.map((e) => e.type)).toEqual(['ERROR']);
        expect(s.compactRevision()).toBeGreaterThan(rv);
      }));
  });
});
