/**
 * Issue 2's queue benchmark: realistic ~1.2 KB pods through DeltaFIFO and the in-order FIFO into an
 * `IndexedStore` with a namespace index, against a bare `Map.set` loop and a plain recursive `Object.freeze`
 * walk over the same objects, measured in the same run:
 * - initial sync: `replace(pods)` then `pop` until empty, each popped item applied to the store;
 * - watch updates: `update(pod)` then `pop` per event, on a store already holding every pod;
 * - freezing off and on; at 10k and 100k pods (flat µs/op means no O(n) step per event).
 *
 * Run: `npx tsc -b && node --expose-gc packages/cache/dist/bench/queues.bench.js`
 */

import { type FixturePod, makePods } from '@kubecache/apimachinery/testing';
import { DeltaFIFO, type Deltas } from '../delta-fifo.js';
import { type BenchResult, bench, benchAsync, report } from '../internal/bench-harness.js';
import { RealFIFO, type RealFIFODeltas } from '../real-fifo.js';
import { metaNamespaceIndexFunc, NAMESPACE_INDEX } from '../store.js';
import { IndexedStore } from '../thread-safe-store.js';

type Pod = FixturePod;
type Store = IndexedStore<Pod>;

const newStore = (freeze: boolean): Store =>
  new IndexedStore<Pod>({ freeze, indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });

function mapSetLoop(pods: Pod[]): void {
  const map = new Map<string, Pod>();
  for (const pod of pods) map.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
}

function plainFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) plainFreeze(child);
}

/** What an informer's process function does with DeltaFIFO output: look up the old object, then write. */
function deltaApplier(store: Store): (deltas: Deltas<Pod>) => void {
  return (deltas) => {
    for (const d of deltas) {
      if (d.type === 'Deleted') store.delete(d.object as Pod);
      else {
        store.get(d.object);
        store.add(d.object);
      }
    }
  };
}

/** The same for the in-order FIFO, including atomic `ReplacedAll`. */
function eventApplier(store: Store): (deltas: RealFIFODeltas<Pod>) => void {
  return ([d]) => {
    if (d === undefined) return;
    if (d.type === 'ReplacedAll') store.replace(d.objects, d.resourceVersion);
    else if (d.type === 'Deleted') store.delete(d.object as Pod);
    else if (d.type !== 'SyncAll' && d.type !== 'Bookmark') {
      store.get(d.object);
      store.add(d.object);
    }
  };
}

interface SyncInput {
  pods: Pod[];
  store: Store;
}

async function deltaFifoSync({ pods, store }: SyncInput): Promise<void> {
  const fifo = new DeltaFIFO<Pod>({ knownObjects: store, emitDeltaTypeReplaced: true });
  const apply = deltaApplier(store);
  fifo.replace(pods, '1');
  while (fifo.length > 0) await fifo.pop(apply);
}

async function realFifoSync({ pods, store }: SyncInput, atomicEvents: boolean): Promise<void> {
  const fifo = new RealFIFO<Pod>(atomicEvents ? { atomicEvents } : { knownObjects: store });
  const apply = eventApplier(store);
  fifo.replace(pods, '1');
  while (fifo.length > 0) await fifo.pop(apply);
}

interface UpdateInput {
  updates: Pod[];
  store: Store;
}

async function deltaFifoUpdates({ updates, store }: UpdateInput): Promise<void> {
  const fifo = new DeltaFIFO<Pod>({ knownObjects: store, emitDeltaTypeReplaced: true });
  const apply = deltaApplier(store);
  for (const pod of updates) {
    fifo.update(pod);
    await fifo.pop(apply);
  }
}

async function realFifoUpdates({ updates, store }: UpdateInput): Promise<void> {
  const fifo = new RealFIFO<Pod>({ atomicEvents: true });
  const apply = eventApplier(store);
  for (const pod of updates) {
    fifo.update(pod);
    await fifo.pop(apply);
  }
}

interface Fixtures {
  n: number;
  /** Never frozen: shared by every freeze-off case (nothing mutates them). */
  pods: Pod[];
  /** `pods` with a new resource version, for the freeze-off update cases. */
  updates: Pod[];
  /** Frozen once: the starting contents of the store in freeze-on update cases. */
  frozenBase: Pod[];
}

/** Freeze-on cases need unfrozen input for every run, so they build fresh pods outside the timing. */
function inputs(f: Fixtures, freeze: boolean) {
  const sync = (): SyncInput => ({ pods: freeze ? makePods(f.n) : f.pods, store: newStore(freeze) });
  const update = (): UpdateInput => {
    const store = newStore(freeze);
    store.replace(freeze ? f.frozenBase : f.pods, '1');
    return { updates: freeze ? makePods(f.n, { resourceVersion: '2' }) : f.updates, store };
  };
  return { sync, update };
}

/**
 * One timed run after a GC, for the 100k freeze-on cases: their input must be rebuilt for every run (about a
 * second per 100k pods), and the 10k run before has already warmed the code up.
 */
async function once<I>(name: string, ops: number, setup: () => I, fn: (input: I) => Promise<void>) {
  const input = setup();
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  await fn(input);
  const totalMs = performance.now() - t0;
  return { name, ops, totalMs, usPerOp: (totalMs * 1000) / ops };
}

async function queueCases(f: Fixtures, freeze: boolean): Promise<BenchResult[]> {
  const { sync, update } = inputs(f, freeze);
  const tag = freeze ? 'freeze on' : 'freeze off';
  const big = f.n > 10_000;
  const measure = <I>(name: string, setup: () => I, fn: (input: I) => Promise<void>) =>
    freeze && big ? once(name, f.n, setup, fn) : benchAsync(name, f.n, setup, fn, big ? 1 : 2);
  const cases = [
    await measure(`DeltaFIFO replace+pop, ${tag}`, sync, deltaFifoSync),
    await measure(`in-order FIFO (atomic) replace+pop, ${tag}`, sync, (i) => realFifoSync(i, true)),
    await measure(`DeltaFIFO update+pop, ${tag}`, update, deltaFifoUpdates),
    await measure(`in-order FIFO update+pop, ${tag}`, update, realFifoUpdates),
  ];
  if (!freeze) {
    const perKey = (i: SyncInput) => realFifoSync(i, false);
    cases.push(await measure(`in-order FIFO (per-key) replace+pop, ${tag}`, sync, perKey));
  }
  return cases;
}

/** The plain walk over fresh pods; returns the now frozen pods too (the freeze-on stores start from them). */
async function freezeWalk(n: number): Promise<[BenchResult, Pod[]]> {
  let frozen: Pod[] = [];
  const walk = async (pods: Pod[]) => {
    for (const pod of pods) plainFreeze(pod);
    frozen = pods;
  };
  return [await once('plain Object.freeze walk', n, () => makePods(n), walk), frozen];
}

async function run(n: number): Promise<BenchResult[]> {
  const [walk, frozenBase] = await freezeWalk(n);
  const pods = makePods(n);
  // Freeze-off updates only touch metadata, so they share the rest with `pods` (less heap, less GC noise).
  const updates = pods.map((p) => ({ ...p, metadata: { ...p.metadata, resourceVersion: '2' } }));
  const f: Fixtures = { n, pods, updates, frozenBase };
  const baseline = bench('bare Map.set loop', n, () => f.pods, mapSetLoop);
  const off = await queueCases(f, false);
  const on = await queueCases(f, true);
  report(`${n} pods: time per object, × the bare Map.set loop`, [baseline, walk, ...off, ...on], baseline);
  console.log(`\n${n} pods: what freezing adds per object, × the plain freeze walk (${walk.usPerOp.toFixed(3)} µs)`);
  console.log('| case | off µs | on µs | added µs | added ÷ walk |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  on.forEach((o, i) => {
    const r = off[i] as BenchResult;
    const added = o.usPerOp - r.usPerOp;
    const name = r.name.replace(', freeze off', '');
    const cells = [r.usPerOp, o.usPerOp, added, added / walk.usPerOp].map((x) => x.toFixed(3));
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  });
  return [baseline, walk, ...off, ...on];
}

async function main(): Promise<void> {
  const small = await run(10_000);
  const large = await run(100_000);
  console.log('\nper-object cost, 10k vs 100k (flat means no O(n) step per event)');
  console.log('| case | µs/op 10k | µs/op 100k | 100k ÷ 10k |');
  console.log('| --- | ---: | ---: | ---: |');
  small.forEach((s, i) => {
    const l = large[i] as BenchResult;
    console.log(
      `| ${s.name} | ${s.usPerOp.toFixed(3)} | ${l.usPerOp.toFixed(3)} | ${(l.usPerOp / s.usPerOp).toFixed(2)} |`,
    );
  });
}

await main();
