/**
 * Model-based test of IndexedStore (client-go's thread-safe store with indexers) against an independent
 * model: a map of objects, indexes recomputed from scratch on every read, and client-go's resource-version
 * rules. Small key and value spaces so keys, namespaces and index values collide; every observable is
 * compared after every operation.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DeletedFinalStateUnknown } from './keys.js';
import type { IndexFunc } from './store.js';
import { IndexedStore, IndexerConflictError, type StoreTransaction } from './thread-safe-store.js';

const RUNS = Number(process.env.KUBECACHE_PROPERTY_RUNS) || 1000;
/** Generous: the machine may be shared, and `npm run test:deep` raises RUNS a hundredfold. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 100);

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  value: string;
}

const NAMES = ['a', 'b'];
const NAMESPACES = [undefined, 'x'];
const VALUES = ['', 'a', 'aa', 'ab', 'b'];
const RVS = [undefined, '1', '2', '10'];

const INDEXERS: Record<string, IndexFunc<Obj>> = {
  byValue: (o) => [o.value],
  /** Several values per object, with duplicates ('aa' gives ['a', 'a']) and none for ''. */
  byChar: (o) => o.value.split(''),
};
const LATE: IndexFunc<Obj> = (o) => [String(o.value.length)];
const INDEX_VALUES = ['', 'a', 'aa', 'ab', 'b', '0', '1', '2'];

const objArb: fc.Arbitrary<Obj> = fc
  .record({
    name: fc.constantFrom(...NAMES),
    namespace: fc.constantFrom(...NAMESPACES),
    rv: fc.constantFrom(...RVS),
    value: fc.constantFrom(...VALUES),
  })
  .map(({ name, namespace, rv, value }) => ({
    metadata: { name, ...(namespace !== undefined && { namespace }), ...(rv !== undefined && { resourceVersion: rv }) },
    value,
  }));

type Op =
  | { op: 'add' | 'update' | 'delete'; obj: Obj }
  | { op: 'deleteByKey'; key: string }
  | { op: 'replace'; list: Obj[]; rv: string }
  | { op: 'bookmark'; rv: string }
  | { op: 'transaction'; txns: { type: 'Added' | 'Updated' | 'Deleted'; obj: Obj | string }[] }
  | { op: 'addIndexers' };

const KEYS = NAMESPACES.flatMap((ns) => NAMES.map((n) => (ns ? `${ns}/${n}` : n)));
const rvArb = fc.constantFrom('', '5', '50');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constantFrom('add' as const, 'update' as const, 'delete' as const), obj: objArb }),
    weight: 4,
  },
  fc.record({ op: fc.constant('deleteByKey' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constant('replace' as const), list: fc.array(objArb, { maxLength: 4 }), rv: rvArb }),
  fc.record({ op: fc.constant('bookmark' as const), rv: rvArb }),
  fc.record({
    op: fc.constant('transaction' as const),
    txns: fc.array(
      fc.record({
        type: fc.constantFrom('Added' as const, 'Updated' as const, 'Deleted' as const),
        obj: fc.oneof(objArb, fc.constantFrom(...KEYS)),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({ op: fc.constant('addIndexers' as const) }),
);

const keyOf = (o: Obj) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** client-go's resource-version rule: an object with metadata records its version ('' when it has none). */
function rvOf(o: Obj | string): string | undefined {
  return typeof o === 'string' ? undefined : (o.metadata.resourceVersion ?? '');
}

class Model {
  items = new Map<string, Obj>();
  indexers: Record<string, IndexFunc<Obj>> = { ...INDEXERS };
  rv = '';

  apply(op: Op): void {
    switch (op.op) {
      case 'add':
      case 'update':
        this.items.set(keyOf(op.obj), op.obj);
        this.rv = rvOf(op.obj) ?? this.rv;
        break;
      case 'delete':
        this.items.delete(keyOf(op.obj));
        this.rv = rvOf(op.obj) ?? this.rv;
        break;
      case 'deleteByKey':
        this.items.delete(op.key);
        break;
      case 'replace':
        this.items = new Map(op.list.map((o) => [keyOf(o), o]));
        this.rv = op.rv;
        break;
      case 'bookmark':
        this.rv = op.rv;
        break;
      case 'transaction':
        for (const t of op.txns) {
          const k = typeof t.obj === 'string' ? t.obj : keyOf(t.obj);
          if (t.type === 'Deleted') this.items.delete(k);
          else if (typeof t.obj !== 'string') this.items.set(k, t.obj);
        }
        this.rv = rvOf((op.txns.at(-1) as { obj: Obj | string }).obj) ?? this.rv;
        break;
      case 'addIndexers':
        this.indexers.late = LATE;
        break;
    }
  }

  /** Keys whose objects' `index` values include `value`, sorted (computed from scratch). */
  keysFor(index: string, value: string): string[] {
    const fn = this.indexers[index] as IndexFunc<Obj>;
    return [...this.items]
      .filter(([, o]) => fn(o).includes(value))
      .map(([k]) => k)
      .sort();
  }
  valuesOf(index: string): string[] {
    const fn = this.indexers[index] as IndexFunc<Obj>;
    return [...new Set([...this.items.values()].flatMap((o) => [...fn(o)]))].sort();
  }
}

/** A transaction write: a string is a tombstone for that key (a delete only), else the object. */
function toTxn(t: { type: 'Added' | 'Updated' | 'Deleted'; obj: Obj | string }): StoreTransaction<Obj> {
  if (typeof t.obj !== 'string') return { type: t.type, object: t.obj };
  return { type: t.type, object: new DeletedFinalStateUnknown<Obj>(t.obj, undefined) as unknown as Obj };
}

/** Every read of the store, in a canonical (sorted) form. */
function observeStore(store: IndexedStore<Obj>) {
  const indexes = Object.keys(store.getIndexers()).sort();
  return {
    keys: store.listKeys().sort(),
    size: store.size,
    byKey: KEYS.map((k) => store.getByKey(k)),
    list: store.list().map(keyOf).sort(),
    rv: store.lastStoreSyncResourceVersion(),
    indexes: indexes.map((index) => ({
      index,
      values: store.listIndexFuncValues(index).sort(),
      indexKeys: INDEX_VALUES.map((v) => store.indexKeys(index, v)),
      byIndex: INDEX_VALUES.map((v) => store.byIndex(index, v).map(keyOf).sort()),
      probes: VALUES.map((probe) =>
        store
          .index(index, { metadata: { name: 'p' }, value: probe })
          .map(keyOf)
          .sort(),
      ),
    })),
  };
}

function observeModel(model: Model): ReturnType<typeof observeStore> {
  const keys = [...model.items.keys()].sort();
  return {
    keys,
    size: model.items.size,
    byKey: KEYS.map((k) => model.items.get(k)),
    list: keys,
    rv: model.rv,
    indexes: Object.keys(model.indexers)
      .sort()
      .map((index) => {
        const fn = model.indexers[index] as IndexFunc<Obj>;
        return {
          index,
          values: model.valuesOf(index),
          indexKeys: INDEX_VALUES.map((v) => model.keysFor(index, v)),
          byIndex: INDEX_VALUES.map((v) => model.keysFor(index, v)),
          probes: VALUES.map((probe) =>
            [...new Set(fn({ metadata: { name: 'p' }, value: probe }).flatMap((v) => model.keysFor(index, v)))].sort(),
          ),
        };
      }),
  };
}

/** Compares cheaply, and with `expect` (for its diff) only when they differ. */
function same<X>(got: X, want: X): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
}

describe('IndexedStore (model-based)', () => {
  it(
    `matches a from-scratch model on every read after every write (${RUNS} runs)`,
    () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
          const model = new Model();
          const store = new IndexedStore<Obj>({ indexers: INDEXERS, freeze: false });
          for (const op of ops) {
            // A tombstone cannot be added or updated: the model skips it, the store must refuse it alone.
            const bad =
              op.op === 'transaction' && op.txns.some((t) => typeof t.obj === 'string' && t.type !== 'Deleted');
            if (bad) continue;
            if (op.op === 'addIndexers' && model.indexers.late) {
              expect(() => store.addIndexers({ late: LATE })).toThrow(IndexerConflictError);
              continue;
            }
            model.apply(op);
            if (op.op === 'add' || op.op === 'update' || op.op === 'delete') store[op.op](op.obj);
            else if (op.op === 'deleteByKey') store.deleteByKey(op.key);
            else if (op.op === 'replace') store.replace(op.list, op.rv);
            else if (op.op === 'bookmark') store.bookmark(op.rv);
            else if (op.op === 'transaction') store.transaction(op.txns.map(toTxn));
            else store.addIndexers({ late: LATE });

            same(observeStore(store), observeModel(model));
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
