import { describe, expect, it, jest } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { DeletedFinalStateUnknown, ExplicitKey, KeyError } from './keys.js';
import { type IndexFunc, metaNamespaceIndexFunc, NAMESPACE_INDEX, readonlyIndexer } from './store.js';
import {
  IndexError,
  IndexedStore,
  IndexerConflictError,
  type StoreTransaction,
  TransactionError,
  TransformError,
} from './thread-safe-store.js';

interface Obj extends KubeObject {
  value: string;
}

function obj(name: string, value = '', extra: { namespace?: string; rv?: string } = {}): Obj {
  const metadata: Obj['metadata'] = { name };
  if (extra.namespace !== undefined) metadata.namespace = extra.namespace;
  if (extra.rv !== undefined) metadata.resourceVersion = extra.rv;
  return { metadata, value };
}

const byValue: IndexFunc<Obj> = (o) => [o.value];
const byCommaList: IndexFunc<Obj> = (o) => (o.value === '' ? [] : o.value.split(','));

function pod(name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): KubeObject {
  return { metadata: { name, namespace: 'ns', labels, annotations } };
}

const byUser: IndexFunc<KubeObject> = (o) => (o.metadata?.annotations?.users ?? '').split(',').filter(Boolean);
const byLabelFoo: IndexFunc<KubeObject> = (o) => [o.metadata?.labels?.foo ?? ''];

function names(objs: readonly KubeObject[]): string[] {
  return objs.map((o) => o.metadata?.name ?? '').sort();
}

describe('IndexedStore', () => {
  describe('indexes (doTestIndex)', () => {
    it('finds every object whose index value matches the given object', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      for (const [k, v] of [
        ['a', 'b'],
        ['c', 'b'],
        ['e', 'f'],
        ['g', 'h'],
      ] as const) {
        store.add(obj(k, v));
      }
      expect(names(store.index('by_val', obj('', 'b')))).toEqual(['a', 'c']);
      expect(names(store.index('by_val', obj('', 'f')))).toEqual(['e']);
      expect(names(store.index('by_val', obj('', 'h')))).toEqual(['g']);
    });

    it('lists each live index value once (TestGetIndexFuncValues)', () => {
      const store = new IndexedStore<KubeObject>({ indexers: { testmodes: byLabelFoo } });
      store.add(pod('one', { foo: 'bar' }));
      store.add(pod('two', { foo: 'bar' }));
      store.add(pod('tre', { foo: 'biz' }));
      expect(store.listIndexFuncValues('testmodes').sort()).toEqual(['bar', 'biz']);
    });

    it('keeps multi-valued indexes right through deletes and updates (TestMultiIndexKeys)', () => {
      const store = new IndexedStore<KubeObject>({ indexers: { byUser } });
      store.add(pod('one', {}, { users: 'ernie,bert' }));
      store.add(pod('two', {}, { users: 'bert,oscar' }));
      store.add(pod('tre', {}, { users: 'ernie,elmo' }));
      const users = (u: string) => names(store.byIndex('byUser', u));
      expect(users('ernie')).toEqual(['one', 'tre']);
      expect(users('bert')).toEqual(['one', 'two']);
      expect(users('elmo')).toEqual(['tre']);
      expect(users('oscar')).toEqual(['two']);
      expect(users('elmo1')).toEqual([]);
      store.delete(pod('tre', {}));
      expect(users('ernie')).toEqual(['one']);
      expect(users('elmo')).toEqual([]);
      store.update(pod('two', {}, { users: 'oscar' }));
      expect(users('bert')).toEqual(['one']);
    });

    it('deduplicates objects matched through several values of the given object', () => {
      const store = new IndexedStore<Obj>({ indexers: { multi: byCommaList } });
      store.add(obj('k1', 'a,b'));
      store.add(obj('k2', 'b'));
      expect(names(store.index('multi', obj('', 'a,b')))).toEqual(['k1', 'k2']);
    });

    it('returns index keys sorted', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      for (const k of ['zeta', 'alpha', 'mid', 'beta']) store.add(obj(k, 'same'));
      expect(store.indexKeys('by_val', 'same')).toEqual(['alpha', 'beta', 'mid', 'zeta']);
      expect(store.indexKeys('by_val', 'other')).toEqual([]);
    });

    it.each([
      ['index', (s: IndexedStore<Obj>) => s.index('nope', obj('a'))],
      ['byIndex', (s: IndexedStore<Obj>) => s.byIndex('nope', 'x')],
      ['indexKeys', (s: IndexedStore<Obj>) => s.indexKeys('nope', 'x')],
    ])('throws an IndexError from %s for an unknown index', (_name, read) => {
      const store = new IndexedStore<Obj>();
      expect(() => read(store)).toThrow(new IndexError('Index with name nope does not exist', 'nope', undefined));
    });

    it('returns no values for an unknown index from listIndexFuncValues', () => {
      expect(new IndexedStore<Obj>().listIndexFuncValues('nope')).toEqual([]);
    });

    it('serves a namespace index', () => {
      const store = new IndexedStore<Obj>({ indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });
      store.add(obj('a', '', { namespace: 'x' }));
      store.add(obj('b', '', { namespace: 'y' }));
      store.add(obj('c', '', { namespace: 'x' }));
      expect(store.indexKeys(NAMESPACE_INDEX, 'x')).toEqual(['x/a', 'x/c']);
    });
  });

  describe('empty index sets', () => {
    it('removes a value from the index when its last key is deleted', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      store.add(obj('key', 'testKey'));
      store.delete(obj('key'));
      expect(store.listIndexFuncValues('by_val')).toEqual([]);
    });

    it('keeps a value that still has keys after a delete', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      store.add(obj('key1', 'testIndex'));
      store.add(obj('key2', 'testIndex'));
      store.delete(obj('key1'));
      expect(store.listIndexFuncValues('by_val')).toEqual(['testIndex']);
      expect(store.indexKeys('by_val', 'testIndex')).toEqual(['key2']);
    });

    it('removes a value when an update moves its last key elsewhere', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      store.add(obj('key', 'old'));
      store.update(obj('key', 'new'));
      expect(store.listIndexFuncValues('by_val')).toEqual(['new']);
    });
  });

  describe('multi-valued index maintenance (IX-8)', () => {
    const store = new IndexedStore<Obj>({ indexers: { testmodes: byCommaList } });
    const keys = (digits: string) => (digits === '' ? [] : digits.split('').map((d) => `key${d}`));
    // operation, key, value; then the keys holding foo, bar and baz afterwards ("12" = key1 and key2).
    const steps: ['add' | 'update' | 'delete', string, string, string, string, string][] = [
      ['add', 'key1', 'foo', '1', '', ''],
      ['add', 'key2', 'bar', '1', '2', ''],
      ['update', 'key2', 'foo,bar', '12', '2', ''],
      ['update', 'key1', 'foo,bar', '12', '12', ''],
      ['add', 'key3', 'foo,bar,baz', '123', '123', '3'],
      ['update', 'key1', 'foo', '123', '23', '3'],
      ['update', 'key2', 'bar', '13', '23', '3'],
      ['delete', 'key1', '', '3', '23', '3'],
      ['delete', 'key3', '', '', '2', ''],
    ];
    it.each(steps)('after %s %s=%s the index holds foo=%s bar=%s baz=%s', (op, key, value, foo, bar, baz) => {
      store[op](obj(key, value));
      expect(store.indexKeys('testmodes', 'foo')).toEqual(keys(foo));
      expect(store.indexKeys('testmodes', 'bar')).toEqual(keys(bar));
      expect(store.indexKeys('testmodes', 'baz')).toEqual(keys(baz));
      const live = (['foo', 'bar', 'baz'] as const).filter((_v, i) => [foo, bar, baz][i] !== '');
      expect(store.listIndexFuncValues('testmodes').sort()).toEqual([...live].sort());
    });
  });

  it('moves a key between index values when putByKey is told the object it replaces, as update does', () => {
    const told = new IndexedStore<Obj>({ indexers: { testmodes: byCommaList } });
    const looked = new IndexedStore<Obj>({ indexers: { testmodes: byCommaList } });
    for (const [key, value] of [
      ['key1', 'foo'],
      ['key1', 'foo,bar'],
      ['key2', 'bar'],
      ['key1', 'baz'],
    ] as const) {
      told.putByKey(key, obj(key, value), told.getByKey(key));
      looked.putByKey(key, obj(key, value));
    }
    for (const store of [told, looked]) {
      expect(store.indexKeys('testmodes', 'foo')).toEqual([]);
      expect(store.indexKeys('testmodes', 'bar')).toEqual(['key2']);
      expect(store.indexKeys('testmodes', 'baz')).toEqual(['key1']);
      expect(store.listIndexFuncValues('testmodes').sort()).toEqual(['bar', 'baz']);
    }
  });

  describe('addIndexers', () => {
    it('indexes the objects already stored', () => {
      const store = new IndexedStore<Obj>();
      store.add(obj('a', 'x'));
      store.add(obj('b', 'y'));
      store.addIndexers({ by_val: byValue });
      expect(store.indexKeys('by_val', 'x')).toEqual(['a']);
      store.add(obj('c', 'x'));
      expect(store.indexKeys('by_val', 'x')).toEqual(['a', 'c']);
      expect(Object.keys(store.getIndexers())).toEqual(['by_val']);
    });

    it('rejects a taken name, naming it, and adds none of the batch', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      const attempt = () => store.addIndexers({ fresh: byValue, by_val: byValue });
      expect(attempt).toThrow(IndexerConflictError);
      expect(attempt).toThrow('indexer conflict: by_val');
      expect(Object.keys(store.getIndexers())).toEqual(['by_val']);
    });

    it('adds nothing when a new index function throws on a stored object', () => {
      const store = new IndexedStore<Obj>();
      store.add(obj('a', 'x'));
      const bad: IndexFunc<Obj> = () => {
        throw new Error('boom');
      };
      expect(() => store.addIndexers({ good: byValue, bad })).toThrow(IndexError);
      expect(store.getIndexers()).toEqual({});
      expect(() => store.byIndex('good', 'x')).toThrow(IndexError);
    });

    it('hands out a copy of the index functions', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      const indexers = store.getIndexers();
      delete indexers.by_val;
      expect(Object.keys(store.getIndexers())).toEqual(['by_val']);
    });
  });

  describe('an index function that throws', () => {
    const picky: IndexFunc<Obj> = (o) => {
      if (o.value === 'bad') throw new Error('cannot index bad');
      return [o.value];
    };

    function populated(): IndexedStore<Obj> {
      const store = new IndexedStore<Obj>({ indexers: { other: () => ['all'], picky } });
      store.add(obj('a', 'good', { rv: '1' }));
      return store;
    }

    function expectUnchanged(store: IndexedStore<Obj>): void {
      expect(store.listKeys()).toEqual(['a']);
      expect(store.getByKey('a')?.value).toBe('good');
      expect(store.indexKeys('picky', 'good')).toEqual(['a']);
      expect(store.indexKeys('other', 'all')).toEqual(['a']);
      expect(store.listIndexFuncValues('picky')).toEqual(['good']);
      expect(store.lastStoreSyncResourceVersion()).toBe('1');
    }

    it('raises an IndexError naming the index and key on add, and stores nothing', () => {
      const store = populated();
      let caught: unknown;
      try {
        store.add(obj('b', 'bad', { rv: '2' }));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(IndexError);
      expect(caught).toMatchObject({ name: 'IndexError', indexName: 'picky', key: 'b' });
      expect((caught as Error).cause).toEqual(new Error('cannot index bad'));
      expectUnchanged(store);
    });

    it('leaves the old object in place when an update fails', () => {
      const store = populated();
      expect(() => store.update(obj('a', 'bad'))).toThrow(IndexError);
      expectUnchanged(store);
    });

    it('swaps nothing when one replace item fails', () => {
      const store = populated();
      expect(() => store.replace([obj('x', 'fine'), obj('y', 'bad')], '9')).toThrow(IndexError);
      expectUnchanged(store);
    });

    it('does not freeze the rejected object', () => {
      const store = populated();
      const rejected = obj('b', 'bad');
      expect(() => store.add(rejected)).toThrow(IndexError);
      expect(Object.isFrozen(rejected)).toBe(false);
    });
  });

  describe('keys', () => {
    it('throws a KeyError and stores nothing for an object without a name', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      expect(() => store.add({ metadata: {}, value: 'x' })).toThrow(KeyError);
      expect(store.size).toBe(0);
      expect(store.listIndexFuncValues('by_val')).toEqual([]);
    });

    it('wraps a key function that throws a plain error into a KeyError with the cause', () => {
      const cause = new Error('no key for you');
      const store = new IndexedStore<Obj>({
        keyFunc: () => {
          throw cause;
        },
      });
      expect(() => store.add(obj('a'))).toThrow(KeyError);
      expect(() => store.get(obj('a'))).toThrow(expect.objectContaining({ cause }));
    });

    it('deletes by a tombstone key', () => {
      const store = new IndexedStore<Obj>();
      store.add(obj('a', '', { namespace: 'ns' }));
      store.delete(new DeletedFinalStateUnknown('ns/a', undefined) as unknown as Obj);
      expect(store.size).toBe(0);
    });

    it('deletes by an explicit key without changing the resource version', () => {
      const store = new IndexedStore<Obj>();
      store.add(obj('a', '', { rv: '5' }));
      store.delete(new ExplicitKey('a') as unknown as Obj);
      expect(store.size).toBe(0);
      expect(store.lastStoreSyncResourceVersion()).toBe('5');
    });

    it('uses the last item of a replace list when two share a key', () => {
      const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
      store.replace([obj('a', '1'), obj('a', '2')], '1');
      expect(store.getByKey('a')?.value).toBe('2');
      expect(store.listIndexFuncValues('by_val')).toEqual(['2']);
    });
  });

  describe('transform', () => {
    it('runs once per stored object and stores its result', () => {
      const transform = jest.fn((o: Obj): Obj => ({ ...o, value: o.value.toUpperCase() }));
      const store = new IndexedStore<Obj>({ transform, indexers: { by_val: byValue } });
      store.add(obj('a', 'x'));
      store.update(obj('a', 'y'));
      store.replace([obj('b', 'z')], '1');
      expect(transform).toHaveBeenCalledTimes(3);
      expect(store.getByKey('b')?.value).toBe('Z');
      expect(store.indexKeys('by_val', 'Z')).toEqual(['b']);
    });

    it('wraps a throwing transform as "transforming: …" and stores nothing', () => {
      const store = new IndexedStore<Obj>({
        transform: () => {
          throw new Error('nope');
        },
      });
      expect(() => store.add(obj('a'))).toThrow(TransformError);
      expect(() => store.add(obj('a'))).toThrow('transforming: nope');
      expect(() => store.replace([obj('a')], '1')).toThrow(TransformError);
      expect(store.size).toBe(0);
    });
  });

  describe('freezing', () => {
    it('deep-freezes stored objects by default', () => {
      const store = new IndexedStore<Obj>();
      const o = obj('a', 'x');
      store.add(o);
      expect(Object.isFrozen(store.getByKey('a'))).toBe(true);
      expect(Object.isFrozen(store.getByKey('a')?.metadata)).toBe(true);
    });

    it('leaves objects mutable with freeze off', () => {
      const store = new IndexedStore<Obj>({ freeze: false });
      store.add(obj('a', 'x'));
      store.replace([obj('b', 'y')], '1');
      expect(Object.isFrozen(store.getByKey('b'))).toBe(false);
    });
  });

  describe('resource-version tracking (TestThreadSafeStoreRV)', () => {
    const store = new IndexedStore<Obj | string>({
      keyFunc: (o) => (typeof o === 'string' ? o : (o.metadata?.name ?? '')),
    });
    const steps: [string, string, () => void][] = [
      ['nothing', '', () => {}],
      ['add rv10', '10', () => store.add(obj('key1', '', { rv: '10' }))],
      ['add another rv10', '10', () => store.add(obj('key2', '', { rv: '10' }))],
      ['add rv20', '20', () => store.add(obj('key3', '', { rv: '20' }))],
      ['delete with object rv30', '30', () => store.delete(obj('key4', '', { rv: '30' }))],
      ['add a non-meta string', '30', () => store.add('key5')],
      ['add rv40', '40', () => store.add(obj('key6', '', { rv: '40' }))],
      ['delete key6 by key only', '40', () => store.deleteByKey('key6')],
      [
        'a transaction of rv40, rv30, rv50',
        '50',
        () =>
          store.transaction([
            { type: 'Updated', object: obj('key1', '', { rv: '40' }) },
            { type: 'Updated', object: obj('key2', '', { rv: '30' }) },
            { type: 'Updated', object: obj('key3', '', { rv: '50' }) },
          ]),
      ],
      [
        'replace items rv40, rv30 at "50"',
        '50',
        () => store.replace([obj('a', '', { rv: '40' }), obj('b', '', { rv: '30' })], '50'),
      ],
      ['add rv10', '10', () => store.add(obj('key1', '', { rv: '10' }))],
      ['delete with object rv20', '20', () => store.delete(obj('key1', '', { rv: '20' }))],
      ['replace at ""', '', () => store.replace([], '')],
      ['bookmark 99', '99', () => store.bookmark('99')],
    ];
    it.each(steps)('after %s the tracked version is "%s"', (_step, want, apply) => {
      apply();
      expect(store.lastStoreSyncResourceVersion()).toBe(want);
    });
  });

  describe('transaction', () => {
    const ok = (name: string): StoreTransaction<Obj> => ({ type: 'Added', object: obj(name, name) });
    const fail: StoreTransaction<Obj> = { type: 'Added', object: { metadata: {}, value: '' } };

    it('applies every write when all keys are valid', () => {
      const store = new IndexedStore<Obj>();
      store.transaction([ok('a'), ok('b'), { type: 'Deleted', object: obj('a') }]);
      expect(store.listKeys()).toEqual(['b']);
    });

    it.each([
      ['all fail', [fail, fail, fail, fail], [], []],
      ['[ok, fail, ok, fail]', [ok('a'), fail, ok('c'), fail], [0, 2], ['a', 'c']],
    ])('reports the successful indices when %s and still applies them', (_case, txns, indices, keys) => {
      const store = new IndexedStore<Obj>();
      let caught: unknown;
      try {
        store.transaction(txns);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TransactionError);
      const err = caught as TransactionError;
      expect(err.successfulIndices).toEqual(indices);
      expect(err.totalTransactions).toBe(4);
      expect(err.errors).toHaveLength(4 - indices.length);
      expect(err.errors[0]).toBeInstanceOf(KeyError);
      expect(store.listKeys().sort()).toEqual(keys);
    });
  });
});

describe('bad results from user functions (review)', () => {
  it.each([
    ['a number', () => [1]],
    ['undefined', () => [undefined]],
    ['an object', () => [{}]],
  ])('rejects an index value that is %s with an IndexError and stores nothing', (_what, fn) => {
    const store = new IndexedStore<Obj>({ indexers: { bad: fn as unknown as IndexFunc<Obj> } });
    expect(() => store.add(obj('a', 'x'))).toThrow(IndexError);
    expect(store.listKeys()).toEqual([]);
    expect(store.listIndexFuncValues('bad')).toEqual([]);
  });

  it('rejects a non-string index value in replace and addIndexers, changing nothing', () => {
    const store = new IndexedStore<Obj>({ indexers: { by_val: byValue } });
    store.add(obj('a', 'x'));
    const numeric = (() => [7]) as unknown as IndexFunc<Obj>;
    expect(() => store.addIndexers({ numeric })).toThrow(IndexError);
    expect(Object.keys(store.getIndexers())).toEqual(['by_val']);
    const bad = new IndexedStore<Obj>({ indexers: { numeric } });
    expect(() => bad.replace([obj('b', 'y')], '9')).toThrow(IndexError);
    expect(bad.listKeys()).toEqual([]);
    expect(bad.lastStoreSyncResourceVersion()).toBe('');
  });

  it.each([
    ['undefined', undefined],
    ['a number', 42],
    ['null', null],
  ])('rejects a key function returning %s with a KeyError and stores nothing', (_what, key) => {
    const store = new IndexedStore<Obj>({ keyFunc: (() => key) as unknown as (o: Obj) => string });
    expect(() => store.add(obj('a'))).toThrow(KeyError);
    expect(store.size).toBe(0);
  });
});

describe('per-write cost (review)', () => {
  it.each([
    ['add of a new key', 1, (s: IndexedStore<Obj>) => s.add(obj('new', 'v'))],
    ['update', 2, (s: IndexedStore<Obj>) => s.update(obj('o500', 'changed'))],
    ['delete', 1, (s: IndexedStore<Obj>) => s.delete(obj('o500'))],
    ['deleteByKey', 1, (s: IndexedStore<Obj>) => s.deleteByKey('o7')],
  ])('indexes only the written object on %s, however large the store', (_op, calls, write) => {
    const fn = jest.fn(byValue);
    const store = new IndexedStore<Obj>({ indexers: { by_val: fn } });
    store.replace(
      Array.from({ length: 1000 }, (_, i) => obj(`o${i}`, `v${i % 10}`)),
      '1',
    );
    fn.mockClear();
    write(store);
    expect(fn).toHaveBeenCalledTimes(calls);
  });
});

describe('readonlyIndexer', () => {
  it('exposes the reads of the indexer and none of its writes', () => {
    const store = new IndexedStore<{ metadata: { name: string; namespace: string } }>({
      indexers: { ns: (o) => [o.metadata.namespace] },
    });
    store.add({ metadata: { name: 'a', namespace: 'x' } });
    const view = readonlyIndexer(store);
    expect(view.listKeys()).toEqual(['x/a']);
    expect(view.byIndex('ns', 'x').map((o) => o.metadata.name)).toEqual(['a']);
    expect(view.indexNames()).toEqual(['ns']);
    for (const write of ['add', 'update', 'delete', 'replace', 'resync', 'addIndexers', 'getIndexers']) {
      expect(write in view).toBe(false);
    }
    store.add({ metadata: { name: 'b', namespace: 'x' } });
    expect(view.listKeys().sort()).toEqual(['x/a', 'x/b']);
  });
});

describe('IndexedStore transaction divergences found by differential testing', () => {
  it('#7 transaction takes the RV of the last object only and does not run the transform', () => {
    const transform = jest.fn((o: Obj) => ({ ...o, value: `t-${o.value}` }));
    const store = new IndexedStore<Obj>({ transform });
    store.bookmark('10');
    store.add(obj('a', 'x', { rv: '20' }));
    transform.mockClear();
    store.transaction([
      { type: 'Updated', object: obj('a', 'y', { rv: '30' }) },
      { type: 'Deleted', object: new DeletedFinalStateUnknown('b', undefined) as unknown as Obj },
    ]);
    expect(store.lastStoreSyncResourceVersion()).toBe('20');
    expect(transform).not.toHaveBeenCalled();
    expect(store.getByKey('a')?.value).toBe('y');
    store.transaction([
      { type: 'Updated', object: obj('a', 'z', { rv: '40' }) },
      { type: 'Added', object: obj('c', 'w', { rv: '35' }) },
    ]);
    expect(store.lastStoreSyncResourceVersion()).toBe('35');
  });
});

describe('IndexedStore and the unchanged parts of an update', () => {
  const version = (rv: string, replicas: number): KubeObject =>
    JSON.parse(
      JSON.stringify({
        metadata: { name: 'web', namespace: 'ns', resourceVersion: rv, labels: { app: 'web' } },
        spec: { replicas, template: { containers: [{ name: 'c', image: 'nginx' }] } },
      }),
    ) as KubeObject;
  type Spec = { replicas: number; template: unknown };

  it.each([
    ['without indexes', {}],
    ['with indexes', { indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } }],
  ])('%s: a new version takes over the frozen subtrees that did not change, by add and by putByKey', (_, options) => {
    const store = new IndexedStore<KubeObject>(options);
    store.add(version('1', 2));
    const first = store.getByKey('ns/web') as KubeObject & { spec: Spec };
    store.add(version('2', 3));
    const second = store.getByKey('ns/web') as KubeObject & { spec: Spec };
    expect(second.spec.replicas).toBe(3);
    expect(second.spec).not.toBe(first.spec);
    expect(second.spec.template).toBe(first.spec.template);
    expect(second.metadata?.labels).toBe(first.metadata?.labels);
    expect(Object.isFrozen(second.spec)).toBe(true);
    const third = store.putByKey('ns/web', version('3', 3), second) as KubeObject & { spec: Spec };
    expect(third.spec).toBe(second.spec);
    expect(third.metadata).not.toBe(second.metadata);
    expect(first.spec.replicas).toBe(2);
  });

  it('takes over the parts of `previous` when told, as a relist staged in a fresh store does', () => {
    const live = new IndexedStore<KubeObject>();
    live.add(version('1', 2));
    const old = live.getByKey('ns/web') as KubeObject & { spec: Spec };
    const staged = live.emptyLike();
    const now = staged.putByKey('ns/web', version('1', 2), undefined, old) as KubeObject & { spec: Spec };
    expect(now).not.toBe(old);
    expect(now.spec).toBe(old.spec);
    expect(now.metadata).toBe(old.metadata);
  });

  it('shares nothing with freezing off: unfrozen versions must not alias each other', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    store.add(version('1', 2));
    const first = store.getByKey('ns/web') as KubeObject & { spec: Spec };
    store.add(version('2', 2));
    const second = store.getByKey('ns/web') as KubeObject & { spec: Spec };
    expect(second.spec).not.toBe(first.spec);
    expect(second.spec).toEqual(first.spec);
  });
});
