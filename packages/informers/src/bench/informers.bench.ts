/**
 * Informer cost from the fake source: initial sync of 10k and 100k realistic pods, then 100k updates, with
 * 1 and 10 handlers. Baseline: a bare loop that `Map.set`s the same objects (measured in the same run).
 * The per-event cost of updates is measured against a 10k and a 100k store to show it stays flat.
 */

import { performance } from 'node:perf_hooks';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock, makePods } from '@kubecache/apimachinery/testing';
import { type BenchResult, bench, benchAsync, report } from '@kubecache/cache/internal';
import { FakeControllerSource } from '@kubecache/cache/testing';
import { SharedIndexInformer } from '../shared-informer.js';

const yieldToIO = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Fixture {
  source: FakeControllerSource<KubeObject>;
  informer: SharedIndexInformer<KubeObject>;
  ac: AbortController;
  counter: { n: number };
}

function fixture(size: number, handlers: number, freeze = true): Fixture {
  const source = new FakeControllerSource<KubeObject>();
  // Fresh objects each time: the informer freezes what it stores, and each run must pay for that freeze.
  for (const p of makePods(size)) source.add(p);
  const informer = new SharedIndexInformer<KubeObject>({ listerWatcher: source, clock: new FakeClock(0), freeze });
  const counter = { n: 0 };
  for (let h = 0; h < handlers; h++) {
    informer.addEventHandler({
      onAdd: () => {
        if (h === 0) counter.n++;
      },
      onUpdate: () => {
        if (h === 0) counter.n++;
      },
    });
  }
  return { source, informer, ac: new AbortController(), counter };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await yieldToIO();
}

/** Initial sync; `repeat` 0 measures one cold run (for 100k, where a warm-up run would double the time). */
async function initialSync(size: number, handlers: number, repeat: number, freeze = true): Promise<BenchResult> {
  const label = `initial sync ${size / 1000}k pods, ${handlers} handler(s)${freeze ? '' : ', no freeze'}`;
  const run = async (f: Fixture): Promise<void> => {
    void f.informer.run(f.ac.signal);
    await until(() => f.informer.hasSynced());
    f.ac.abort();
  };
  if (repeat > 0) return benchAsync(label, size, () => fixture(size, handlers, freeze), run, repeat);
  const f = fixture(size, handlers, freeze);
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  await run(f);
  const ms = performance.now() - t0;
  return { name: label, ops: size, totalMs: ms, usPerOp: (ms * 1000) / size };
}

/** One synced informer; two batches of `events` updates; the faster batch is reported. */
async function updates(storeSize: number, events: number, handlers: number): Promise<BenchResult> {
  const f = fixture(storeSize, handlers);
  void f.informer.run(f.ac.signal);
  await until(() => f.informer.hasSynced());
  const pods = f.source.items();
  let best = Number.POSITIVE_INFINITY;
  for (let batch = 0; batch < 2; batch++) {
    const changed = Array.from({ length: events }, (_, i) => {
      const p = pods[i % pods.length] as KubeObject;
      const labels = { ...p.metadata?.labels, gen: `${batch}-${i}` };
      return { ...p, metadata: { ...p.metadata, labels } } as KubeObject;
    });
    (globalThis as { gc?: () => void }).gc?.();
    const target = f.counter.n + events;
    const t0 = performance.now();
    for (let i = 0; i < events; i++) {
      f.source.modify(changed[i] as KubeObject);
      if ((i & 4095) === 4095) await yieldToIO();
    }
    await until(() => f.counter.n >= target);
    best = Math.min(best, performance.now() - t0);
  }
  f.ac.abort();
  const name = `${events / 1000}k updates on a ${storeSize / 1000}k store, ${handlers} handler(s)`;
  return { name, ops: events, totalMs: best, usPerOp: (best * 1000) / events };
}

async function main(): Promise<void> {
  const pods10k = makePods(10_000);
  const pods100k = makePods(100_000);
  const map10k = bench(
    'bare Map.set 10k pods',
    10_000,
    () => new Map<string, unknown>(),
    (m) => {
      for (const p of pods10k) m.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
    },
  );
  const map100k = bench(
    'bare Map.set 100k pods',
    100_000,
    () => new Map<string, unknown>(),
    (m) => {
      for (const p of pods100k) m.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
    },
  );
  const sync10k1 = await initialSync(10_000, 1, 3);
  const sync10k10 = await initialSync(10_000, 10, 3);
  const sync100k1 = await initialSync(100_000, 1, 0);
  const sync100k10 = await initialSync(100_000, 10, 0);
  const sync100kNoFreeze = await initialSync(100_000, 1, 0, false);
  report(
    'informer initial sync (fake source → reflector → in-order FIFO → indexer → handlers)',
    [map10k, map100k, sync10k1, sync10k10, sync100k1, sync100k10, sync100kNoFreeze],
    map100k,
  );

  const upd10k1 = await updates(10_000, 100_000, 1);
  const upd100k1 = await updates(100_000, 100_000, 1);
  const upd100k10 = await updates(100_000, 100_000, 10);
  report('informer watch updates (per event)', [upd10k1, upd100k1, upd100k10], upd10k1);
  console.log(
    `\n10 handlers / 1 handler: sync 100k ${(sync100k10.usPerOp / sync100k1.usPerOp).toFixed(2)}x, ` +
      `updates ${(upd100k10.usPerOp / upd100k1.usPerOp).toFixed(2)}x; ` +
      `update cost 100k store / 10k store: ${(upd100k1.usPerOp / upd10k1.usPerOp).toFixed(2)}x`,
  );
}

await main();
