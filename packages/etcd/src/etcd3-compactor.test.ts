import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { type ContractPod, contractPod } from '@kubecache/storage/testing';
import { Etcd3 } from 'etcd3';
import { COMPACT_REV_KEY } from './etcd3-compactor.js';
import { Etcd3Storage } from './etcd3-storage.js';
import { describeWithEtcd } from './testing/etcd-gate.js';
import { startEtcd, type TestEtcd } from './testing/start-etcd.js';

describeWithEtcd('Etcd3Storage compactor and leases', () => {
  let etcd: TestEtcd;
  let raw: Etcd3;
  beforeAll(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: etcd.endpoints });
  });
  afterAll(async () => {
    raw?.close();
    await etcd?.stop();
  });

  async function compactClock(): Promise<number> {
    const res = await raw.get(COMPACT_REV_KEY).exec();
    return Number(res.kvs[0]?.version ?? 0);
  }

  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  }

  it('compacts once per interval among servers sharing etcd, at the revision seen one interval earlier', async () => {
    const clock = new FakeClock(0);
    const make = (prefix: string) =>
      new Etcd3Storage<ContractPod>({ serverList: etcd.endpoints, prefix, compactionIntervalMs: 60_000, clock });
    const [a, b] = [make('/ca'), make('/cb')];
    try {
      await a.create('/pods/a/x', contractPod('a', 'x'));
      const before = await a.getCurrentResourceVersion();
      clock.step(60_000); // round 1: one CAS wins, nothing to compact yet
      await until(async () => (await compactClock()) === 1);
      const seen = await a.getCurrentResourceVersion(); // the winner's put of compact_rev_key
      await b.create('/pods/b/y', contractPod('b', 'y'));
      expect(a.compactRevision() + b.compactRevision()).toBe(0);
      clock.step(60_000); // round 2: one CAS wins and compacts at the revision of round 1
      await until(async () => a.compactRevision() + b.compactRevision() > 0);
      expect(await compactClock()).toBe(2);
      expect([a.compactRevision(), b.compactRevision()].sort()).toEqual([0, seen]);
      await expect(
        a.getList('/pods', { recursive: true, resourceVersion: String(before), resourceVersionMatch: 'Exact' }),
      ).rejects.toMatchObject({ code: 410 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('attaches a lease of ttlSeconds to an object created with a TTL', async () => {
    const s = new Etcd3Storage<ContractPod>({ serverList: etcd.endpoints, prefix: '/ttl', compactionIntervalMs: 0 });
    try {
      await s.create('/events/a/e1', contractPod('a', 'e1'), { ttlSeconds: 30 });
      await s.create('/events/a/e2', contractPod('a', 'e2'));
      const [leased, plain] = await Promise.all(
        ['e1', 'e2'].map(async (n) => (await raw.get(`/ttl/events/a/${n}`).exec()).kvs[0]?.lease),
      );
      expect(plain).toBe('0');
      const ttl = await raw.leaseClient.leaseTimeToLive({ ID: leased as string });
      expect(Number(ttl.grantedTTL)).toBe(30);
    } finally {
      await s.close();
    }
  });
});
