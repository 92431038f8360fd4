/**
 * Cacher benchmarks: LIST of 10k and 100k pods from the cache against MemoryStorage directly; one event
 * fanned out to 1, 100, 1,000 and 10,000 watchers (serializations per event and cost per watcher); and a
 * slow watcher that must not delay the others beyond the dispatch time budget.
 */
import { performance } from 'node:perf_hooks';
import { Cacher } from '../cacher/cacher.js';
import type { CacheWatchEvent } from '../cacher/watch-cache-event.js';
import { FakeClock, realClock } from '../clock.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { bench, benchAsync, report } from '../testing/bench-harness.js';
import { type FixturePod, makePod } from '../testing/pods.js';

type Pod = FixturePod;

function fresh(i: number): Pod {
  const p = makePod(i);
  delete (p.metadata as { resourceVersion?: string }).resourceVersion;
  return p;
}

async function populated(n: number, clock = new FakeClock(0) as FakeClock | typeof realClock) {
  const storage = new MemoryStorage<Pod>({ resourcePrefix: '/pods', historySize: 1000 });
  for (let i = 0; i < n; i++) {
    const p = fresh(i);
    await storage.create(`/pods/${p.metadata.namespace}/${p.metadata.name}`, p);
  }
  const cacher = new Cacher<Pod>({ storage, resourcePrefix: '/pods', clock, random: () => 0 });
  cacher.start();
  await cacher.waitUntilReady();
  return { storage, cacher };
}

async function listBench(n: number): Promise<void> {
  const { storage, cacher } = await populated(n);
  const all = { recursive: true };
  const repeat = n > 10_000 ? 1 : 3;
  const fromStorage = await storage.getList('/pods', all);
  const kind = { kind: 'PodList', apiVersion: 'v1' };
  const base = bench(
    `JSON.stringify of a storage LIST (${n})`,
    1,
    () => fromStorage,
    (l) => void JSON.stringify(l),
    repeat,
  );
  const results = [
    base,
    await benchAsync(
      `MemoryStorage.getList (${n})`,
      1,
      () => undefined,
      async () => void (await storage.getList('/pods', all)),
      repeat,
    ),
    await benchAsync(
      `Cacher.getList RV=0 (${n})`,
      1,
      () => undefined,
      async () => {
        await cacher.getList('/pods', { ...all, resourceVersion: '0' });
      },
      repeat,
    ),
    await benchAsync(
      `Cacher.getListJSON RV=0, cached bytes (${n})`,
      1,
      () => undefined,
      async () => {
        await cacher.getListJSON('/pods', { ...all, resourceVersion: '0' }, kind);
      },
      repeat,
    ),
  ];
  report(`LIST of ${n} pods (one op = one whole LIST; baseline: serializing the storage list)`, results, base);
  await cacher.stop();
}

async function fanOutBench(): Promise<void> {
  const { storage, cacher } = await populated(100);
  const results = [];
  const events = 1000;
  let written = 0;
  const write = async () => {
    for (let i = 0; i < events; i++) {
      const p = fresh(1_000_000 + written++);
      await storage.create(`/pods/${p.metadata.namespace}/${p.metadata.name}`, p);
    }
  };
  const timeWrites = async (name: string) => {
    await write();
    const s0 = cacher.stats.serializations;
    const t0 = performance.now();
    await write();
    const ms = performance.now() - t0;
    return {
      name,
      ops: events,
      totalMs: ms,
      usPerOp: (ms * 1000) / events,
      ser: (cacher.stats.serializations - s0) / events,
    };
  };
  const base = await timeWrites('0 watchers (storage write + cache update)');
  results.push(base);
  const sizes = [1, 100, 1000, 10_000];
  const perWatcher: string[] = [];
  let one = base;
  let total = 0;
  for (const n of sizes) {
    while (total < n) {
      const w = await cacher.watch('/pods', { recursive: true, resourceVersion: String(storage.revision) });
      w.events$.subscribe((e: CacheWatchEvent<Pod>) => void e.line());
      total++;
    }
    const r = await timeWrites(`${n} watchers`);
    results.push(r);
    if (n === 1) one = r;
    const per =
      n === 1 ? '' : `, ${(((r.usPerOp - one.usPerOp) / (n - 1)) * 1000).toFixed(0)} ns per extra watcher per event`;
    perWatcher.push(`${n} watchers: ${r.ser.toFixed(2)} serializations/event${per}`);
  }
  report('Fan-out: one pod event to N push-mode watchers (each reads the shared wire line)', results, base);
  for (const line of perWatcher) console.log(`- ${line}`);
  const sample = fresh(1);
  const ser = bench(
    'one JSON.stringify of a pod',
    1000,
    () => undefined,
    () => {
      for (let i = 0; i < 1000; i++) JSON.stringify({ type: 'ADDED', object: sample });
    },
  );
  console.log(`- for scale: serializing one pod event costs ${ser.usPerOp.toFixed(2)} µs`);
  await cacher.stop();
}

async function slowWatcherBench(): Promise<void> {
  const out: string[] = [];
  for (const withSlow of [false, true]) {
    const { storage, cacher } = await populated(10, realClock);
    const latencies: number[] = [];
    const pending = new Map<string, number>();
    let resolveLast: (() => void) | undefined;
    const lastName = 'x-99';
    for (let i = 0; i < 100; i++) {
      const w = await cacher.watch('/pods', { recursive: true, resourceVersion: String(storage.revision) });
      const probe = i === 99;
      w.events$.subscribe((e) => {
        if (!probe || e.type === 'ERROR') return;
        const name = (e.object as Pod).metadata.name;
        const t0 = pending.get(name);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
        if (name === lastName) resolveLast?.();
      });
    }
    if (withSlow) await cacher.watch('/pods', { recursive: true, resourceVersion: String(storage.revision) });
    const done = new Promise<void>((r) => (resolveLast = r));
    for (let i = 0; i < 100; i++) {
      const p = fresh(2_000_000 + i);
      p.metadata.name = `x-${i}`;
      pending.set(p.metadata.name, performance.now());
      await storage.create(`/pods/${p.metadata.namespace}/${p.metadata.name}`, p);
      await new Promise((r) => setTimeout(r, 5));
    }
    await done;
    latencies.sort((a, b) => a - b);
    const q = (f: number) =>
      (latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))] ?? 0).toFixed(3);
    out.push(
      `| ${withSlow ? 'with one never-reading watcher' : 'no slow watcher'} | ${q(0.5)} | ${q(0.99)} | ${q(1)} | ${cacher.stats.terminated} |`,
    );
    await cacher.stop();
  }
  console.log('\nSlow watcher: latency of 100 events, one every 5 ms, to a fast watcher among 100 (real clock, ms)');
  console.log('| case | p50 ms | p99 ms | max ms | watchers terminated |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const line of out) console.log(line);
}

await listBench(10_000);
await listBench(100_000);
await fanOutBench();
await slowWatcherBench();
