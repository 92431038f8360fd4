/**
 * Model-based test of the in-order FIFO against an independent model of client-go's `the_real_fifo.go`, in
 * both modes: per-key (non-atomic, with known objects: reconcileReplacement, Resync) and atomic
 * (ReplacedAll, SyncAll, Bookmark). Three keys so every write collides; `pop` and `popBatch` (batches of at
 * most three) interleave with the writes, and every observable is compared after every operation.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DeletedFinalStateUnknown } from './keys.js';
import type { KeyListerGetter } from './queue.js';
import { RealFIFO, type RealFIFODelta } from './real-fifo.js';

const RUNS = Number(process.env.KUBECACHE_PROPERTY_RUNS) || 1000;
/** Generous: the machine may be shared, and `npm run test:deep` raises RUNS a hundredfold. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 100);
const BATCH = 3;

interface Obj {
  readonly name: string;
  readonly v: number;
}

type Op =
  | { op: 'add' | 'update' | 'delete'; key: string }
  | { op: 'replace'; keys: string[] }
  | { op: 'resync' }
  | { op: 'bookmark' }
  | { op: 'pop' }
  | { op: 'popBatch' };

const KEYS = ['a', 'b', 'c'];
const key = fc.constantFrom(...KEYS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constantFrom('add' as const, 'update' as const, 'delete' as const), key }),
    weight: 3,
  },
  fc.record({ op: fc.constant('replace' as const), keys: fc.array(key, { maxLength: 4 }) }),
  fc.record({ op: fc.constant('resync' as const) }),
  fc.record({ op: fc.constant('bookmark' as const) }),
  { arbitrary: fc.record({ op: fc.constant('pop' as const) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('popBatch' as const) }), weight: 2 },
);

/** An event of the model: per-object (with its key) or whole-store. */
interface ModelEvent {
  type: string;
  key?: string;
  text: string;
  obj?: Obj | undefined;
}

const objText = (o: Obj | undefined) => (o ? `${o.name}${o.v}` : '-');
const BATCHABLE = new Set(['Added', 'Updated', 'Deleted', 'Replaced', 'Sync']);

/** client-go's RealFIFO as a plain state machine. */
class Model {
  items: ModelEvent[] = [];
  populated = false;
  initialPopulationCount = 0;
  known = new Map<string, Obj>();

  constructor(
    readonly atomic: boolean,
    readonly emitBookmark: boolean,
  ) {}

  hasSynced(): boolean {
    return this.populated && this.initialPopulationCount === 0;
  }
  push(type: string, k: string, obj: Obj | undefined, tombstone = false): void {
    const text = tombstone ? `${type} DFSU(${k}:${objText(obj)})` : `${type} ${objText(obj)}`;
    this.items.push({ type, key: k, text, obj });
  }
  write(type: 'Added' | 'Updated' | 'Deleted', obj: Obj): void {
    this.populated = true;
    this.push(type, obj.name, obj);
  }
  replace(list: Obj[], rv: string): void {
    if (this.atomic) {
      this.items.push({ type: 'ReplacedAll', text: `ReplacedAll ${rv} [${list.map(objText).join(', ')}]` });
    } else {
      const listed = new Set(list.map((o) => o.name));
      // 1. queued keys in first-seen order whose last queued event is not a delete;
      const firstSeen: string[] = [];
      const last = new Map<string, ModelEvent>();
      for (const e of this.items) {
        if (e.key === undefined) continue;
        if (!last.has(e.key)) firstSeen.push(e.key);
        last.set(e.key, e);
      }
      for (const k of firstSeen) {
        const e = last.get(k) as ModelEvent;
        if (!listed.has(k) && e.type !== 'Deleted') this.push('Deleted', k, e.obj, true);
      }
      // 2. known keys that are not listed and have nothing queued; 3. the list.
      for (const [k, obj] of this.known) if (!listed.has(k) && !last.has(k)) this.push('Deleted', k, obj, true);
      for (const obj of list) this.push('Replaced', obj.name, obj);
    }
    if (!this.populated) {
      this.populated = true;
      this.initialPopulationCount = this.items.length;
    }
  }
  resync(): void {
    if (this.atomic) {
      this.items.push({ type: 'SyncAll', text: 'SyncAll' });
      return;
    }
    const queued = new Set(this.items.map((e) => e.key));
    for (const [k, obj] of this.known) if (!queued.has(k)) this.push('Sync', k, obj);
  }
  bookmark(rv: string): void {
    if (this.atomic && this.emitBookmark) this.items.push({ type: 'Bookmark', text: `Bookmark ${rv}` });
  }
  /** Takes a batch (RF-6) or a single event; the caller applies it, then `done`. */
  take(batch: boolean): { events: ModelEvent[]; initial: boolean } {
    const initial = !this.hasSynced();
    let n = 1;
    if (batch) {
      const keys = new Set<string>();
      n = 0;
      while (n < this.items.length && n < BATCH) {
        if (this.initialPopulationCount > 0 && n >= this.initialPopulationCount) break;
        const e = this.items[n] as ModelEvent;
        if (!BATCHABLE.has(e.type) || e.key === undefined || keys.has(e.key)) break;
        keys.add(e.key);
        n++;
      }
      n = Math.max(n, 1);
    }
    const events = this.items.splice(0, n);
    for (const e of events) {
      if (e.key === undefined) continue;
      if (e.type === 'Deleted') this.known.delete(e.key);
      else this.known.set(e.key, e.obj as Obj);
    }
    this.initialPopulationCount = Math.max(0, this.initialPopulationCount - events.length);
    return { events, initial };
  }
  queuedKeys(): string[] {
    return [...new Set(this.items.flatMap((e) => (e.key === undefined ? [] : [e.key])))];
  }
}

function fmt(d: RealFIFODelta<Obj>): string {
  switch (d.type) {
    case 'ReplacedAll':
      return `ReplacedAll ${d.resourceVersion} [${d.objects.map(objText).join(', ')}]`;
    case 'SyncAll':
      return 'SyncAll';
    case 'Bookmark':
      return `Bookmark ${d.resourceVersion}`;
    default: {
      const o = d.object;
      if (o instanceof DeletedFinalStateUnknown) return `${d.type} DFSU(${o.key}:${objText(o.obj)})`;
      return `${d.type} ${objText(o)}`;
    }
  }
}

function knownView(map: Map<string, Obj>): KeyListerGetter<Obj> {
  return { listKeys: () => Array.from(map.keys()), getByKey: (k) => map.get(k) };
}

/** Compares cheaply, and with `expect` (for its diff) only when they differ. */
function same<X>(got: X, want: X): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
}

describe('RealFIFO (model-based)', () => {
  it.each([
    ['per-key (non-atomic)', false],
    ['atomic', true],
  ])(
    `matches client-go's RealFIFO in %s mode after every operation (${RUNS} runs)`,
    async (_mode, atomic) => {
      await fc.assert(
        fc.asyncProperty(fc.boolean(), fc.array(opArb, { maxLength: 30 }), async (emitBookmark, ops) => {
          const model = new Model(atomic, atomic && emitBookmark);
          const realKnown = new Map<string, Obj>();
          const fifo = new RealFIFO<Obj>({
            keyFunction: (o) => o.name,
            batchSize: BATCH,
            ...(atomic
              ? { atomicEvents: true, emitDeltaTypeBookmark: emitBookmark }
              : { knownObjects: knownView(realKnown) }),
          });
          let v = 0;
          for (const op of ops) {
            if (op.op === 'pop' || op.op === 'popBatch') {
              if (model.items.length === 0) continue;
              const want = model.take(op.op === 'popBatch');
              const calls: string[] = [];
              const apply = (kind: string) => (events: RealFIFODelta<Obj>[], initial: boolean) => {
                calls.push(`${kind}:${initial}`);
                for (const e of events) {
                  if (!('object' in e)) continue;
                  const k = fifo.keyOf(e);
                  if (e.type === 'Deleted') realKnown.delete(k);
                  else realKnown.set(k, e.object as Obj);
                }
              };
              const got =
                op.op === 'pop'
                  ? await fifo.pop(apply('single'))
                  : await fifo.popBatch(apply('batch'), apply('single'));
              const kind = op.op === 'pop' || want.events.length === 1 ? 'single' : 'batch';
              same(
                { events: got.map(fmt), calls },
                { events: want.events.map((e) => e.text), calls: [`${kind}:${want.initial}`] },
              );
            } else if (op.op === 'replace') {
              const list = op.keys.map((k) => ({ name: k, v: ++v }));
              model.replace(list, String(v));
              fifo.replace(list, String(v));
            } else if (op.op === 'resync') {
              model.resync();
              fifo.resync();
            } else if (op.op === 'bookmark') {
              model.bookmark(String(++v));
              fifo.bookmark(String(v));
            } else {
              const obj = { name: op.key, v: ++v };
              const type = op.op === 'add' ? 'Added' : op.op === 'update' ? 'Updated' : 'Deleted';
              model.write(type, obj);
              fifo[op.op](obj);
            }
            same(
              {
                list: fifo.list().map(([d]) => fmt(d as RealFIFODelta<Obj>)),
                length: fifo.length,
                keys: fifo.listKeys(),
                byKey: KEYS.map((k) => fifo.getByKey(k)?.map(fmt) ?? null),
                synced: fifo.hasSynced(),
              },
              {
                list: model.items.map((e) => e.text),
                length: model.items.length,
                keys: model.queuedKeys(),
                byKey: KEYS.map((k) => {
                  const queued = model.items.filter((e) => e.key === k).map((e) => e.text);
                  return queued.length > 0 ? queued : null;
                }),
                synced: model.hasSynced(),
              },
            );
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
