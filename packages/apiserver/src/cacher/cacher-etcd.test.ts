/**
 * The Cacher over real etcd (3.4, on loopback): the same list/watch rules as over MemoryStorage, then
 * member failures of a 3-member cluster and compaction while the cache's watch is down. A follower that
 * behaves like a client (re-watch from its last RV, relist on 410) must always converge to etcd's state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import { Etcd3Storage } from '@kubecache/etcd';
import {
  describeWithEtcd,
  startEtcd,
  startEtcdCluster,
  type TestEtcd,
  type TestEtcdCluster,
} from '@kubecache/etcd/testing';
import { isStorageError } from '@kubecache/storage';
import { Cacher } from './cacher.js';
import { pod, podAttrs, type TestPod } from './cacher-test-kit.js';

/** Polls `check` every 50 ms until it passes or `timeoutMs` ends (then throws its last failure). */
async function eventually(check: () => void | Promise<void>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A client of the Cacher: lists at RV 0, watches from its last RV, re-watches on close, relists on 410. */
class Follower {
  readonly state = new Map<string, string>();
  relists = 0;
  #rv = '0';
  #stopped = false;
  #done: Promise<void> = Promise.resolve();
  readonly #cacher: Cacher<TestPod>;

  constructor(cacher: Cacher<TestPod>) {
    this.#cacher = cacher;
  }

  start(): void {
    this.#done = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  async #run(): Promise<void> {
    let needList = true;
    while (!this.#stopped) {
      try {
        if (needList) await this.#relist();
        needList = false;
        const w = await this.#cacher.watch('/pods', { recursive: true, resourceVersion: this.#rv, timeoutSeconds: 2 });
        for await (const e of w) {
          if (this.#stopped) {
            w.stop();
            break;
          }
          if (e.type === 'ERROR') {
            needList = e.object.code === 410;
            break;
          }
          const m = e.object.metadata;
          if (e.type === 'DELETED') this.state.delete(m.name ?? '');
          else if (e.type !== 'BOOKMARK') this.state.set(m.name ?? '', m.resourceVersion ?? '');
          this.#rv = m.resourceVersion ?? this.#rv;
        }
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        await new Promise((r) => setTimeout(r, 100)); // 429 while the cache relists
      }
    }
  }

  async #relist(): Promise<void> {
    const list = await this.#cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
    this.state.clear();
    for (const p of list.items) this.state.set(p.metadata.name ?? '', p.metadata.resourceVersion ?? '');
    this.#rv = list.metadata.resourceVersion ?? '0';
    this.relists++;
  }
}

/** name → RV of every pod in etcd (a quorum list, not the cache). */
async function etcdState(storage: Etcd3Storage<TestPod>): Promise<Map<string, string>> {
  const list = await storage.getList('/pods', { recursive: true });
  return new Map(list.items.map((p) => [p.metadata.name ?? '', p.metadata.resourceVersion ?? '']));
}

/** Retries a write while the cluster elects a leader (Unreachable), as a client would. */
async function write<R>(fn: () => Promise<R>): Promise<R> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isStorageError(err, 'Unreachable') || i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function newCacher(storage: Etcd3Storage<TestPod>): Cacher<TestPod> {
  const cacher = new Cacher<TestPod>({
    storage,
    resourcePrefix: '/pods',
    getAttrs: podAttrs,
    newObject: () => ({ kind: 'Pod', metadata: {}, spec: {} }),
  });
  cacher.start();
  return cacher;
}

describeWithEtcd('Cacher over etcd', () => {
  describe('on one member', () => {
    let etcd: TestEtcd;
    let storage: Etcd3Storage<TestPod>;
    let cacher: Cacher<TestPod>;
    let n = 0;
    beforeAll(async () => {
      // Progress notifications every 200 ms (the flag the README recommends, at test speed).
      etcd = await startEtcd({ progressNotifyIntervalMs: 200 });
    });
    afterAll(() => etcd?.stop());
    afterEach(async () => {
      await cacher?.stop();
      await storage?.close();
    });
    async function setUp() {
      storage = new Etcd3Storage<TestPod>({ serverList: etcd.endpoints, prefix: `/c${n++}`, compactionIntervalMs: 0 });
      cacher = newCacher(storage);
      await cacher.waitUntilReady();
    }

    it('lists from the cache at RV 0 and from etcd at RV "" (3.4.23 has no reliable progress requests)', async () => {
      await setUp();
      const a = await storage.create('/pods/a/p1', pod('a', 'p1'));
      await storage.create('/pods/b/p2', pod('b', 'p2'));
      const fresh = await cacher.getList('/pods', { recursive: true });
      expect(fresh.items.map((p) => p.metadata.name)).toEqual(['p1', 'p2']);
      expect(storage.supportsRequestWatchProgress).toBe(false);
      await eventually(async () => {
        const cached = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
        expect(cached.items.map((p) => p.metadata.name)).toEqual(['p1', 'p2']);
      });
      const got = await cacher.get('/pods/a/p1', { resourceVersion: a.metadata.resourceVersion! });
      expect(got).toEqual(a);
    });

    it('follows writes to other resources through progress notifications, so RV=N of another resource is served', async () => {
      await setUp();
      await storage.create('/pods/a/p1', pod('a', 'p1'));
      // A write elsewhere under the prefix moves etcd's global revision past anything /pods has seen.
      await storage.create('/configmaps/a/c1', pod('a', 'c1'));
      const global = await storage.getCurrentResourceVersion();
      const list = await cacher.getList('/pods', { recursive: true, resourceVersion: String(global) });
      expect(list.items.map((p) => p.metadata.name)).toEqual(['p1']);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(global);
    });

    it('refuses a watch-list with the 500 ERROR event kube sends when RequestWatchProgress is unsupported', async () => {
      await setUp();
      const w = await cacher.watch('/pods', { recursive: true, sendInitialEvents: true, allowWatchBookmarks: true });
      const events = [];
      for await (const e of w) events.push(e);
      expect(events.map((e) => [e.type, e.object.kind === 'Status' && (e.object as { code?: number }).code])).toEqual([
        ['ERROR', 500],
      ]);
    });

    it('watches from a resource version: creates, updates and deletes in order with etcd revisions', async () => {
      await setUp();
      const start = await storage.getCurrentResourceVersion();
      const w = await cacher.watch('/pods', { recursive: true, resourceVersion: String(start) });
      const created = await storage.create('/pods/a/p1', pod('a', 'p1'));
      const updated = await storage.guaranteedUpdate('/pods/a/p1', {
        tryUpdate: (cur) => ({ ...cur!, spec: { value: 'two' } }),
      });
      const deleted = await storage.delete('/pods/a/p1');
      const seen: string[] = [];
      for await (const e of w) {
        seen.push(`${e.type}@${(e.object.metadata as { resourceVersion?: string }).resourceVersion}`);
        if (seen.length === 3) break;
      }
      w.stop();
      const rv = (o: TestPod) => o.metadata.resourceVersion;
      expect(seen).toEqual([`ADDED@${rv(created)}`, `MODIFIED@${rv(updated)}`, `DELETED@${rv(deleted)}`]);
    });

    it('sends a filtered watcher ADDED and DELETED as objects enter and leave its selector', async () => {
      await setUp();
      const start = await storage.getCurrentResourceVersion();
      const w = await cacher.watch('/pods', {
        recursive: true,
        resourceVersion: String(start),
        predicate: { label: { matches: (l) => l.app === 'web', empty: () => false, toString: () => 'app=web' } },
      });
      await storage.create('/pods/a/p1', pod('a', 'p1', { app: 'db' }));
      for (const app of ['web', 'db']) {
        await storage.guaranteedUpdate('/pods/a/p1', {
          tryUpdate: (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: { app } } }),
        });
      }
      const types: string[] = [];
      for await (const e of w) {
        types.push(e.type);
        if (types.length === 2) break;
      }
      w.stop();
      expect(types).toEqual(['ADDED', 'DELETED']);
    });
  });

  describe('on a 3-member cluster', () => {
    let cluster: TestEtcdCluster;
    beforeAll(async () => {
      cluster = await startEtcdCluster(3);
    }, 60_000);
    afterAll(() => cluster?.stop());

    it('keeps serving and its watchers converge when the leader is killed and restarted', async () => {
      const storage = new Etcd3Storage<TestPod>({
        serverList: cluster.endpoints,
        prefix: '/leader',
        compactionIntervalMs: 0,
        requestTimeoutMs: 3_000,
      });
      const cacher = newCacher(storage);
      const followers = [new Follower(cacher), new Follower(cacher)];
      try {
        await cacher.waitUntilReady();
        for (const f of followers) f.start();
        for (let i = 0; i < 10; i++) await write(() => storage.create(`/pods/a/p${i}`, pod('a', `p${i}`)));
        const leader = await cluster.leaderIndex();
        expect(leader).toBeGreaterThanOrEqual(0);
        await cluster.kill(leader);
        for (let i = 10; i < 20; i++) await write(() => storage.create(`/pods/a/p${i}`, pod('a', `p${i}`)));
        await write(() => storage.delete('/pods/a/p0'));
        // With the leader gone, the cache still answers (from memory, or after its relist).
        await eventually(async () => {
          const cached = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
          expect(cached.items.length).toBeGreaterThanOrEqual(10);
        });
        await cluster.restart(leader);
        for (let i = 20; i < 25; i++) await write(() => storage.create(`/pods/a/p${i}`, pod('a', `p${i}`)));
        const want = await etcdState(storage);
        expect(want.size).toBe(24);
        for (const f of followers) await eventually(() => expect(f.state).toEqual(want));
        await eventually(async () => {
          const cached = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
          expect(cached.items).toHaveLength(24);
        });
      } finally {
        for (const f of followers) await f.stop();
        await cacher.stop();
        await storage.close();
      }
    }, 60_000);

    it('relists cleanly when etcd compacts past the cache while its member is down; nothing is lost', async () => {
      // The cache talks to member 0 only; writes and compaction go through the other two.
      const cacheStorage = new Etcd3Storage<TestPod>({
        serverList: [cluster.endpoints[0]!],
        prefix: '/compact',
        compactionIntervalMs: 0,
        requestTimeoutMs: 3_000,
      });
      const writer = new Etcd3Storage<TestPod>({
        serverList: cluster.endpoints.slice(1),
        prefix: '/compact',
        compactionIntervalMs: 0,
        requestTimeoutMs: 3_000,
      });
      const cacher = newCacher(cacheStorage);
      const follower = new Follower(cacher);
      try {
        await cacher.waitUntilReady();
        follower.start();
        for (let i = 0; i < 5; i++) await write(() => writer.create(`/pods/a/p${i}`, pod('a', `p${i}`)));
        await eventually(() => expect(follower.state.size).toBe(5));
        const relistsBefore = follower.relists;
        await cluster.kill(0);
        for (let i = 5; i < 10; i++) await write(() => writer.create(`/pods/a/p${i}`, pod('a', `p${i}`)));
        await write(() => writer.delete('/pods/a/p1'));
        await write(() => writer.compact(0).then(async () => writer.compact(await writer.getCurrentResourceVersion())));
        await cluster.restart(0);
        const want = await etcdState(writer);
        expect(want.size).toBe(9);
        await eventually(() => expect(follower.state).toEqual(want));
        expect(follower.relists).toBeGreaterThan(relistsBefore);
      } finally {
        await follower.stop();
        await cacher.stop();
        await cacheStorage.close();
        await writer.close();
      }
    }, 60_000);
  });
});
