/**
 * Cacher benchmarks: LIST of 10k and 100k pods from the cache against MemoryStorage directly; one event
 * fanned out to 1, 100, 1,000 and 10,000 watchers (serializations per event and cost per watcher); and a
 * slow watcher that must not delay the others beyond the dispatch time budget.
 */
import { performance } from 'node:perf_hooks';
import { realClock } from '@kubecache/apimachinery';
import { FakeClock, type FixturePod, makePod } from '@kubecache/apimachinery/testing';
import { bench, benchAsync, report } from '@kubecache/cache/internal';
import { MemoryStorage } from '@kubecache/storage';
import { Cacher } from '../cacher/cacher.js';
import type { CacheWatchEvent } from '../cacher/watch-cache-event.js';

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

type Populated = Awaited<ReturnType<typeof populated>>;

async function listBench(n: number): Promise<void> {
  const { storage, cacher } = await populated(n);
  const all = { recursive: true };
  const repeat = n > 10_000 ? 1 : 3;
  const fromStorage = await storage.getList('/pods', all);
  const kind = { kind: 'PodList', apiVersion: 'v1' };
  const base = bench(`JSON.stringify of a storage LIST (${n})`, 1, () => fromStorage, JSON.stringify, repeat);
  const cases: [string, () => Promise<unknown>][] = [
    [`MemoryStorage.getList (${n})`, () => storage.getList('/pods', all)],
    [`Cacher.getList RV=0 (${n})`, () => cacher.getList('/pods', { ...all, resourceVersion: '0' })],
    [
      `Cacher.getListJSON RV=0, cached bytes (${n})`,
      () => cacher.getListJSON('/pods', { ...all, resourceVersion: '0' }, kind),
    ],
  ];
  const results = [base];
  for (const [name, run] of cases) {
    results.push(
      await benchAsync(
        name,
        1,
        () => undefined,
        async () => void (await run()),
        repeat,
      ),
    );
  }
  report(`LIST of ${n} pods (one op = one whole LIST; baseline: serializing the storage list)`, results, base);
  await cacher.stop();
}

let nextPod = 1_000_000;

/** Writes `events` pods never written before. */
async function writePods({ storage }: Populated, events: number): Promise<void> {
  for (let i = 0; i < events; i++) {
    const p = fresh(nextPod++);
    await storage.create(`/pods/${p.metadata.namespace}/${p.metadata.name}`, p);
  }
}

/** Times `events` writes after a warm-up round: µs per event and serializations per event. */
async function timeWrites(setup: Populated, name: string, events: number) {
  await writePods(setup, events);
  const s0 = setup.cacher.stats.serializations;
  const t0 = performance.now();
  await writePods(setup, events);
  const ms = performance.now() - t0;
  const ser = (setup.cacher.stats.serializations - s0) / events;
  return { name, ops: events, totalMs: ms, usPerOp: (ms * 1000) / events, ser };
}

/** Adds push-mode watchers (each reads the shared wire line) until there are `n`. */
async function growWatchers({ storage, cacher }: Populated, n: number): Promise<void> {
  while (cacher.watcherCount < n) {
    const w = await cacher.watch('/pods', { recursive: true, resourceVersion: String(storage.revision) });
    w.events$.subscribe((e: CacheWatchEvent<Pod>) => void e.line());
  }
}

async function fanOutBench(): Promise<void> {
  const setup = await populated(100);
  const events = 400;
  const base = await timeWrites(setup, '0 watchers (storage write + cache update)', events);
  const results = [base];
  const perWatcher: string[] = [];
  let one = base;
  for (const n of [1, 100, 1000, 10_000]) {
    await growWatchers(setup, n);
    const r = await timeWrites(setup, `${n} watchers`, events);
    results.push(r);
    if (n === 1) one = r;
    const extra = ((r.usPerOp - one.usPerOp) / (n - 1)) * 1000;
    const per = n === 1 ? '' : `, ${extra.toFixed(0)} ns per extra watcher per event`;
    perWatcher.push(`${n} watchers: ${r.ser.toFixed(2)} serializations/event${per}`);
  }
  report('Fan-out: one pod event to N push-mode watchers (each reads the shared wire line)', results, base);
  for (const line of perWatcher) console.log(`- ${line}`);
  const event = { type: 'ADDED', object: fresh(1) };
  const ser = bench(
    'one JSON.stringify of a pod',
    1000,
    () => undefined,
    () => {
      for (let i = 0; i < 1000; i++) JSON.stringify(event);
    },
  );
  console.log(`- for scale: serializing one pod event costs ${ser.usPerOp.toFixed(2)} µs`);
  await setup.cacher.stop();
}

/** Delivery latencies (ms, sorted) of 100 events, one every 5 ms, to the last of 100 fast watchers. */
async function probeLatencies(withSlow: boolean): Promise<{ latencies: number[]; terminated: number }> {
  const { storage, cacher } = await populated(10, realClock);
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let resolveLast: (() => void) | undefined;
  const done = new Promise<void>((r) => (resolveLast = r));
  for (let i = 0; i < 100; i++) {
    const w = await cacher.watch('/pods', { recursive: true, resourceVersion: String(storage.revision) });
    if (i < 99) w.events$.subscribe(() => undefined);
    else w.events$.subscribe((e) => recordLatency(e, sentAt, latencies, resolveLast));
  }
  if (withSlow) await cacher.watch('/pods', { recursive: true, resourceVersion: String(storage.revision) });
  for (let i = 0; i < 100; i++) {
    const p = fresh(2_000_000 + i);
    p.metadata.name = `x-${i}`;
    sentAt.set(p.metadata.name, performance.now());
    await storage.create(`/pods/${p.metadata.namespace}/${p.metadata.name}`, p);
    await new Promise((r) => setTimeout(r, 5));
  }
  await done;
  const terminated = cacher.stats.terminated;
  await cacher.stop();
  return { latencies: latencies.sort((a, b) => a - b), terminated };
}

function recordLatency(
  e: CacheWatchEvent<Pod>,
  sentAt: Map<string, number>,
  latencies: number[],
  onLast: (() => void) | undefined,
): void {
  if (e.type === 'ERROR') return;
  const name = e.object.metadata.name ?? '';
  const t0 = sentAt.get(name);
  if (t0 !== undefined) latencies.push(performance.now() - t0);
  if (name === 'x-99') onLast?.();
}

async function slowWatcherBench(): Promise<void> {
  console.log('\nSlow watcher: latency of 100 events, one every 5 ms, to a fast watcher among 100 (real clock, ms)');
  console.log('| case | p50 ms | p99 ms | max ms | watchers terminated |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const withSlow of [false, true]) {
    const { latencies, terminated } = await probeLatencies(withSlow);
    const q = (f: number) =>
      (latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))] ?? 0).toFixed(3);
    const name = withSlow ? 'with one never-reading watcher' : 'no slow watcher';
    console.log(`| ${name} | ${q(0.5)} | ${q(0.99)} | ${q(1)} | ${terminated} |`);
  }
}

await listBench(10_000);
await listBench(100_000);
await fanOutBench();
await slowWatcherBench();
