/**
 * etcd backend benchmarks, on a real etcd 3.4 on loopback (data on /dev/shm when present): create and
 * update throughput (one at a time and 64 in flight), LIST of 10k and 100k pods from etcd against the
 * Cacher over etcd, and one event fanned out by the Cacher to 1–1,000 watchers.
 */
import { performance } from 'node:perf_hooks';
import { type FixturePod, makePod } from '@kubecache/apimachinery/testing';
import { Cacher } from '@kubecache/apiserver';
import { Etcd3Storage } from '@kubecache/etcd';
import { startEtcd, type TestEtcd } from '@kubecache/etcd/testing';

type Pod = FixturePod;

function fresh(i: number): Pod {
  const p = makePod(i);
  delete (p.metadata as { resourceVersion?: string }).resourceVersion;
  return p;
}

const keyOf = (p: Pod) => `/pods/${p.metadata.namespace}/${p.metadata.name}`;

/** Runs `n` tasks with at most `inFlight` at a time; resolves to the elapsed ms. */
async function timed(n: number, inFlight: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return performance.now() - t0;
}

function row(name: string, ops: number, ms: number, base?: number): string {
  const perSec = (ops * 1000) / ms;
  const ratio = base ? ` | ${(base / ms).toFixed(2)}×` : ' | 1.00×';
  return `| ${name} | ${ops} | ${ms.toFixed(0)} | ${perSec.toFixed(0)} | ${((ms * 1000) / ops).toFixed(1)}${ratio} |`;
}

function storageFor(etcd: TestEtcd, prefix: string): Etcd3Storage<Pod> {
  return new Etcd3Storage<Pod>({ serverList: etcd.endpoints, prefix, compactionIntervalMs: 0 });
}

async function writeBench(etcd: TestEtcd): Promise<void> {
  const storage = storageFor(etcd, '/bench-writes');
  const n = 2000;
  console.log('\nWrites to etcd through Etcd3Storage (pods of ~1.2 KB; ratio: against one at a time)');
  console.log('| case | ops | ms | ops/s | µs/op | speed-up |\n| --- | ---: | ---: | ---: | ---: | ---: |');
  const create1 = await timed(n, 1, (i) => storage.create(keyOf(fresh(i)), fresh(i)));
  console.log(row('create, 1 in flight', n, create1));
  const create64 = await timed(n, 64, (i) => storage.create(keyOf(fresh(n + i)), fresh(n + i)));
  console.log(row('create, 64 in flight', n, create64, create1));
  const bump = (i: number) =>
    storage.guaranteedUpdate(keyOf(fresh(i)), {
      tryUpdate: (cur) => ({
        ...cur!,
        metadata: { ...cur!.metadata, labels: { ...cur!.metadata.labels, bump: `${i}` } },
      }),
    });
  const update1 = await timed(n, 1, bump);
  console.log(row('guaranteedUpdate (read + CAS), 1 in flight', n, update1, create1));
  const update64 = await timed(n, 64, (i) => bump(n + i));
  console.log(row('guaranteedUpdate (read + CAS), 64 in flight', n, update64, create1));
  await storage.close();
}

async function listBench(etcd: TestEtcd, n: number): Promise<void> {
  const storage = storageFor(etcd, `/bench-list-${n}`);
  const fill = await timed(n, 128, (i) => storage.create(keyOf(fresh(i)), fresh(i)));
  const cacher = new Cacher<Pod>({ storage, resourcePrefix: '/pods' });
  const t0 = performance.now();
  cacher.start();
  await cacher.waitUntilReady();
  const ready = performance.now() - t0;
  const all = { recursive: true };
  const kind = { kind: 'PodList', apiVersion: 'v1' };
  const repeat = n > 10_000 ? 2 : 4;
  const best = async (fn: () => Promise<unknown>) => {
    let ms = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeat; r++) {
      (globalThis as { gc?: () => void }).gc?.();
      const s = performance.now();
      await fn();
      ms = Math.min(ms, performance.now() - s);
    }
    return ms;
  };
  const etcdMs = await best(() => storage.getList('/pods', all));
  const etcdJson = await best(async () => JSON.stringify(await storage.getList('/pods', all)));
  const cacheMs = await best(() => cacher.getList('/pods', { ...all, resourceVersion: '0' }));
  const cacheJson = await best(() => cacher.getListJSON('/pods', { ...all, resourceVersion: '0' }, kind));
  console.log(
    `\nLIST of ${n} pods (filled in ${fill.toFixed(0)} ms, 128 in flight; cache Ready after ${ready.toFixed(0)} ms)`,
  );
  console.log('| case | ms per LIST | vs etcd |\n| --- | ---: | ---: |');
  console.log(`| Etcd3Storage.getList (quorum, paged, decoded) | ${etcdMs.toFixed(1)} | 1.00× |`);
  console.log(
    `| Etcd3Storage.getList + JSON.stringify | ${etcdJson.toFixed(1)} | ${(etcdMs / etcdJson).toFixed(2)}× |`,
  );
  console.log(`| Cacher.getList RV=0 over etcd | ${cacheMs.toFixed(1)} | ${(etcdMs / cacheMs).toFixed(1)}× |`);
  console.log(
    `| Cacher.getListJSON RV=0 (cached bytes) | ${cacheJson.toFixed(1)} | ${(etcdJson / cacheJson).toFixed(1)}× vs etcd+stringify |`,
  );
  await cacher.stop();
  await storage.close();
}

/** Writes `events` pods through etcd; resolves when the last watcher has seen the last one. */
async function fanOut(etcd: TestEtcd, watchers: number, events: number, base: number): Promise<string> {
  const storage = storageFor(etcd, `/bench-fan-${watchers}`);
  const cacher = new Cacher<Pod>({ storage, resourcePrefix: '/pods' });
  cacher.start();
  await cacher.waitUntilReady();
  const rv = String(await storage.getCurrentResourceVersion());
  let lastSeen = 0;
  const done = new Promise<void>((resolve) => {
    for (let w = 0; w < watchers; w++) {
      void cacher.watch('/pods', { recursive: true, resourceVersion: rv }).then((watcher) =>
        watcher.events$.subscribe((e) => {
          void e.line();
          if (w === watchers - 1 && e.type === 'ADDED' && ++lastSeen === events) resolve();
        }),
      );
    }
  });
  while (cacher.watcherCount < watchers) await new Promise((r) => setTimeout(r, 10));
  const s0 = cacher.stats.serializations;
  const t0 = performance.now();
  await timed(events, 16, (i) => storage.create(keyOf(fresh(5_000_000 + i)), fresh(5_000_000 + i)));
  await done;
  const ms = performance.now() - t0;
  const ser = (cacher.stats.serializations - s0) / events;
  await cacher.stop();
  await storage.close();
  const delivered = (watchers * events * 1000) / ms;
  const ratio = base > 0 ? `${(ms / base).toFixed(2)}×` : '1.00×';
  return `| ${watchers} | ${events} | ${ms.toFixed(0)} | ${((events * 1000) / ms).toFixed(0)} | ${delivered.toFixed(0)} | ${ser.toFixed(2)} | ${ratio} |`;
}

async function fanOutBench(etcd: TestEtcd): Promise<void> {
  console.log(
    '\nFan-out from the Cacher over etcd: 1,000 pods written (16 in flight) until the last watcher saw them all',
  );
  console.log('| watchers | events | ms | events/s | deliveries/s | serializations/event | time vs 1 watcher |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  let base = 0;
  for (const watchers of [1, 100, 1000]) {
    const line = await fanOut(etcd, watchers, 1000, base);
    if (watchers === 1) base = Number(line.split('|')[3]);
    console.log(line);
  }
}

const etcd = await startEtcd({ extraArgs: ['--quota-backend-bytes=4294967296'] });
try {
  await writeBench(etcd);
  await listBench(etcd, 10_000);
  await listBench(etcd, 100_000);
  await fanOutBench(etcd);
} finally {
  await etcd.stop();
}
