import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeObject, Status } from '@kubecache/apimachinery';
import type { StorageEvent } from '@kubecache/storage';
import { type ContractPod, contractPod } from '@kubecache/storage/testing';
import { firstValueFrom } from 'rxjs';
import { filter, take } from 'rxjs/operators';
import { Etcd3Storage } from './etcd3-storage.js';
import { describeWithEtcd } from './testing/etcd-gate.js';
import { startEtcdCluster, type TestEtcdCluster } from './testing/start-etcd.js';

describeWithEtcd('Etcd3Storage watch', () => {
  // One member as a "cluster" so the test can kill and restart it; progress notifications every 200 ms.
  let etcd: TestEtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcdCluster(1, { progressNotifyIntervalMs: 200 });
  });
  afterAll(() => etcd?.stop());

  function storage(prefix: string): Etcd3Storage<ContractPod> {
    return new Etcd3Storage<ContractPod>({
      serverList: etcd.endpoints,
      prefix,
      compactionIntervalMs: 0,
      requestTimeoutMs: 2000,
    });
  }

  describe('progress notifications', () => {
    it('turns etcd periodic progress notifications into BOOKMARKs at the global revision', async () => {
      const s = storage('/progress');
      try {
        const rv = await s.getCurrentResourceVersion();
        const bookmark = firstValueFrom(
          s
            .watch('/quiet', { recursive: true, resourceVersion: String(rv), progressNotify: true })
            .pipe(
              filter((e) => e.type === 'BOOKMARK' && Number((e.object as KubeObject).metadata?.resourceVersion) > rv),
            ),
        );
        await s.create('/pods/a/x', contractPod('a', 'x'));
        const got = await bookmark;
        expect(Number((got.object as KubeObject).metadata?.resourceVersion)).toBe(await s.getCurrentResourceVersion());
      } finally {
        await s.close();
      }
    });
  });

  describe('a broken stream', () => {
    it('ends the watch with one 500 ERROR, and a new watch from the last revision loses nothing', async () => {
      const s = storage('/broken');
      try {
        const created = await s.create('/pods/a/x', contractPod('a', 'x'));
        const events: StorageEvent<ContractPod>[] = [];
        const ended = new Promise<void>((resolve) =>
          s
            .watch('/pods', { recursive: true, resourceVersion: created.metadata.resourceVersion! })
            .subscribe({ next: (e) => events.push(e), complete: resolve }),
        );
        await etcd.kill(0);
        await ended;
        expect(events.map((e) => e.type)).toEqual(['ERROR']);
        const status = events[0]?.object as Status;
        expect(status.code).toBe(500);
        expect(status.message).toMatch(/etcd watch/);
        await etcd.restart(0);
        const resumed = firstValueFrom(
          s.watch('/pods', { recursive: true, resourceVersion: created.metadata.resourceVersion! }).pipe(take(1)),
        );
        for (let i = 0; ; i++) {
          const done = await s.create('/pods/a/y', contractPod('a', 'y')).then(
            () => true,
            () => i > 50,
          );
          if (done) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect((await resumed).object).toMatchObject({ metadata: { name: 'y' } });
      } finally {
        await s.close();
      }
    });
  });
});
