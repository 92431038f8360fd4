/**
 * Model-based test of DeltaFIFO against an independent model of client-go's `delta_fifo.go` (Add, Update,
 * Delete, Replace, Resync, Pop and HasSynced), written from its source, over three keys so that every write
 * collides. Every observable is compared after every operation.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Delta, DeltaFIFO } from './delta-fifo.js';
import { DeletedFinalStateUnknown } from './keys.js';
import type { KeyListerGetter } from './queue.js';

const RUNS = Number(process.env.KUBECACHE_PROPERTY_RUNS) || 1000;
/** Generous: the machine may be shared, and `npm run test:deep` raises RUNS a hundredfold. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 100);

interface Obj {
  readonly name: string;
  readonly v: number;
}

type Op =
  | { op: 'add' | 'update' | 'delete'; key: string }
  | { op: 'replace'; keys: string[] }
  | { op: 'resync' }
  | { op: 'pop' };

const KEYS = ['a', 'b', 'c'];
const key = fc.constantFrom(...KEYS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('add' as const, 'update' as const, 'delete' as const), key }),
  fc.record({ op: fc.constant('replace' as const), keys: fc.array(key, { maxLength: 4 }) }),
  fc.record({ op: fc.constant('resync' as const) }),
  { arbitrary: fc.record({ op: fc.constant('pop' as const) }), weight: 3 },
);

interface ModelDelta {
  type: string;
  obj: Obj | { tombstone: string; obj: Obj | undefined };
}

/** client-go's DeltaFIFO, as a plain state machine. */
class Model {
  items = new Map<string, ModelDelta[]>();
  queue: string[] = [];
  populated = false;
  initialPopulationCount = 0;
  /** The consumer's store (the informer's indexer), fed by pops; used as knownObjects when enabled. */
  known = new Map<string, Obj>();

  constructor(
    readonly withKnown: boolean,
    readonly emitReplaced: boolean,
  ) {}

  hasSynced(): boolean {
    return this.populated && this.initialPopulationCount === 0;
  }

  queueAction(type: string, k: string, obj: ModelDelta['obj']): void {
    const old = this.items.get(k) ?? [];
    let next = [...old, { type, obj }];
    // dedupDeltas: two trailing deletions keep the one with more information.
    if (next.length >= 2) {
      const a = next[next.length - 2] as ModelDelta;
      const b = next[next.length - 1] as ModelDelta;
      if (a.type === 'Deleted' && b.type === 'Deleted') {
        const keep = 'tombstone' in b.obj ? a : b;
        next = [...next.slice(0, -2), keep];
      }
    }
    if (!this.items.has(k)) this.queue.push(k);
    this.items.set(k, next);
  }

  add(obj: Obj): void {
    this.populated = true;
    this.queueAction('Added', obj.name, obj);
  }
  update(obj: Obj): void {
    this.populated = true;
    this.queueAction('Updated', obj.name, obj);
  }
  delete(obj: Obj): void {
    this.populated = true;
    const inItems = this.items.has(obj.name);
    if (!this.withKnown) {
      if (!inItems) return;
    } else if (!this.known.has(obj.name) && !inItems) return;
    this.queueAction('Deleted', obj.name, obj);
  }
  replace(list: Obj[]): void {
    const keys = new Set<string>();
    for (const obj of list) {
      keys.add(obj.name);
      this.queueAction(this.emitReplaced ? 'Replaced' : 'Sync', obj.name, obj);
    }
    let queuedDeletions = 0;
    for (const [k, deltas] of this.items) {
      if (keys.has(k)) continue;
      const newest = (deltas[deltas.length - 1] as ModelDelta).obj;
      const last = 'tombstone' in newest ? newest.obj : newest;
      queuedDeletions++;
      this.queueAction('Deleted', k, { tombstone: k, obj: last });
    }
    if (this.withKnown) {
      for (const [k, obj] of this.known) {
        if (keys.has(k) || (this.items.get(k)?.length ?? 0) > 0) continue;
        queuedDeletions++;
        this.queueAction('Deleted', k, { tombstone: k, obj });
      }
    }
    if (!this.populated) {
      this.populated = true;
      this.initialPopulationCount = keys.size + queuedDeletions;
    }
  }
  resync(): void {
    if (!this.withKnown) return;
    for (const [k, obj] of this.known) {
      if ((this.items.get(k)?.length ?? 0) > 0) continue;
      this.queueAction('Sync', k, obj);
    }
  }
  /** Pops the head (the queue must not be empty): the deltas, whether initial, and applies them. */
  pop(): { deltas: ModelDelta[]; initial: boolean } {
    const k = this.queue.shift() as string;
    const deltas = this.items.get(k) as ModelDelta[];
    this.items.delete(k);
    const initial = !this.hasSynced();
    for (const d of deltas) {
      if (d.type === 'Deleted') this.known.delete(k);
      else this.known.set(k, d.obj as Obj);
    }
    if (this.initialPopulationCount > 0) this.initialPopulationCount--;
    return { deltas, initial };
  }
}

function fmtModel(d: ModelDelta): string {
  const o = d.obj;
  if ('tombstone' in o) return `${d.type} DFSU(${o.tombstone}:${o.obj ? `${o.obj.name}${o.obj.v}` : '-'})`;
  return `${d.type} ${o.name}${o.v}`;
}

function fmtReal(d: Delta<Obj>): string {
  const o = d.object;
  if (o instanceof DeletedFinalStateUnknown)
    return `${d.type} DFSU(${o.key}:${o.obj ? `${o.obj.name}${o.obj.v}` : '-'})`;
  return `${d.type} ${o.name}${o.v}`;
}

function knownView(map: Map<string, Obj>): KeyListerGetter<Obj> {
  return { listKeys: () => Array.from(map.keys()), getByKey: (k) => map.get(k) };
}

/** Compares cheaply, and with `expect` (for its diff) only when they differ. */
function same<X>(got: X, want: X): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
}

describe('DeltaFIFO (model-based)', () => {
  it(
    `matches client-go's DeltaFIFO on every observable after every operation (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.boolean(),
          fc.array(opArb, { maxLength: 30 }),
          async (withKnown, emit, ops) => {
            const model = new Model(withKnown, emit);
            const realKnown = new Map<string, Obj>();
            const fifo = new DeltaFIFO<Obj>({
              keyFunction: (o) => o.name,
              emitDeltaTypeReplaced: emit,
              ...(withKnown && { knownObjects: knownView(realKnown) }),
            });
            let v = 0;
            for (const op of ops) {
              if (op.op === 'pop') {
                if (model.queue.length === 0) continue;
                const want = model.pop();
                let initial: boolean | undefined;
                const got = await fifo.pop((deltas, isInitial) => {
                  initial = isInitial;
                  for (const d of deltas) {
                    if (d.type === 'Deleted') realKnown.delete(fifo.keyOf(deltas));
                    else realKnown.set(d.object.name, d.object);
                  }
                });
                same(
                  { deltas: got.map(fmtReal), initial },
                  { deltas: want.deltas.map(fmtModel), initial: want.initial },
                );
              } else if (op.op === 'replace') {
                const list = op.keys.map((k) => ({ name: k, v: ++v }));
                model.replace(list);
                fifo.replace(list, String(v));
              } else if (op.op === 'resync') {
                model.resync();
                fifo.resync();
              } else {
                const obj = { name: op.key, v: ++v };
                model[op.op](obj);
                fifo[op.op](obj);
              }
              same(
                {
                  keys: fifo.listKeys(),
                  length: fifo.length,
                  byKey: KEYS.map((k) => fifo.getByKey(k)?.map(fmtReal) ?? null),
                  list: fifo.list().map((ds) => ds.map(fmtReal)),
                  synced: fifo.hasSynced(),
                },
                {
                  keys: model.queue,
                  length: model.queue.length,
                  byKey: KEYS.map((k) => model.items.get(k)?.map(fmtModel) ?? null),
                  list: model.queue.map((k) => (model.items.get(k) as ModelDelta[]).map(fmtModel)),
                  synced: model.hasSynced(),
                },
              );
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
