import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from './clock.js';
import { DeletedFinalStateUnknown, KeyError } from './keys.js';
import { FIFOClosedError, type KeyListerGetter } from './queue.js';
import { isRealFIFODelta, RealFIFO, type RealFIFODelta, type RealFIFOOptions } from './real-fifo.js';
import { TransformError } from './thread-safe-store.js';

interface Obj {
  name: string;
  value: number;
}

const obj = (name: string, value: number): Obj => ({ name, value });

function known(...objs: Obj[]): KeyListerGetter<Obj> {
  const map = new Map(objs.map((o) => [o.name, o]));
  return { listKeys: () => Array.from(map.keys()), getByKey: (k) => map.get(k) };
}

const newFifo = (options: RealFIFOOptions<Obj> = {}) =>
  new RealFIFO<Obj>({
    keyFunction: (o) => o.name,
    ...(options.atomicEvents ? {} : { knownObjects: known() }),
    ...options,
  });

/** `Added foo10`, `Deleted DFSU(bar6)`, `ReplacedAll 123 [foo15]`, `SyncAll`, `Bookmark 123`. */
function fmt(d: RealFIFODelta<Obj>): string {
  switch (d.type) {
    case 'ReplacedAll':
      return `ReplacedAll ${d.resourceVersion} [${d.objects.map((o) => `${o.name}${o.value}`).join(', ')}]`;
    case 'SyncAll':
      return 'SyncAll';
    case 'Bookmark':
      return `Bookmark ${d.resourceVersion}`;
    default: {
      const o = d.object;
      if (o instanceof DeletedFinalStateUnknown)
        return `${d.type} DFSU(${o.obj ? `${o.obj.name}${o.obj.value}` : o.key})`;
      return `${d.type} ${o.name}${o.value}`;
    }
  }
}

async function popAll(f: RealFIFO<Obj>): Promise<string[]> {
  const out: string[] = [];
  while (f.length > 0) {
    const item = await f.pop(() => {});
    expect(item).toHaveLength(1);
    out.push(fmt(item[0] as RealFIFODelta<Obj>));
  }
  return out;
}

describe('RealFIFO (the in-order FIFO)', () => {
  it('keeps the order of each of two interleaved producers', async () => {
    const f = newFifo();
    const produce = async (prefix: string) => {
      for (let i = 0; i < 500; i++) {
        f.add(obj(`${prefix}${i % 10}`, i + 1));
        if (i % 3 === 0) await Promise.resolve();
      }
    };
    const got: string[] = [];
    const consume = async () => {
      while (got.length < 1000) got.push(fmt((await f.pop(() => {}))[0] as RealFIFODelta<Obj>));
    };
    await Promise.all([produce('a'), produce('b'), consume()]);
    for (const p of ['a', 'b']) {
      const values = got.filter((s) => s.startsWith(`Added ${p}`)).map((s) => Number(s.slice(8)));
      expect(values).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    }
  });

  describe('construction', () => {
    it.each([
      { what: 'atomic with known objects', options: { atomicEvents: true, knownObjects: known() } },
      { what: 'non-atomic without known objects', options: {} },
      { what: 'bookmarks without atomic', options: { knownObjects: known(), emitDeltaTypeBookmark: true } },
    ])('refuses $what', ({ options }) => {
      expect(() => new RealFIFO<Obj>(options)).toThrow(TypeError);
    });
  });

  it('keeps a replace after a queued delete of a known key', async () => {
    const f = newFifo({ knownObjects: known(obj('foo', 1)) });
    f.delete(obj('foo', 1));
    f.replace([obj('foo', 2)], '0');
    expect(await popAll(f)).toEqual(['Deleted foo1', 'Replaced foo2']);
  });

  describe('replace makes deletions for objects only in the queue', () => {
    const a = obj('a', 1);
    it.each([
      {
        ops: (f: RealFIFO<Obj>) => {
          f.add(a);
          f.replace([], '0');
        },
        want: ['Added a1', 'Deleted DFSU(a1)'],
      },
      {
        ops: (f: RealFIFO<Obj>) => {
          f.add(a);
          f.delete(a);
          f.replace([], '0');
        },
        want: ['Added a1', 'Deleted a1'],
      },
      {
        ops: (f: RealFIFO<Obj>) => {
          f.add(a);
          f.replace([a], '0');
          f.replace([a], '0');
          f.replace([], '0');
        },
        want: ['Added a1', 'Replaced a1', 'Replaced a1', 'Deleted DFSU(a1)'],
      },
      {
        ops: (f: RealFIFO<Obj>) => {
          f.add(a);
          f.replace([], '0');
          f.replace([], '0');
        },
        want: ['Added a1', 'Deleted DFSU(a1)'],
      },
      {
        ops: (f: RealFIFO<Obj>) => {
          f.add(obj('a', 2));
          f.delete(obj('a', 2));
          f.add(obj('a', 3));
          f.replace([], '0');
        },
        want: ['Added a2', 'Deleted a2', 'Added a3', 'Deleted DFSU(a3)'],
      },
      { ops: (f: RealFIFO<Obj>) => f.bookmark('123'), want: [] },
    ])('queues $want', async ({ ops, want }) => {
      const f = newFifo();
      ops(f);
      expect(await popAll(f)).toEqual(want);
    });
  });

  it('queues add, update and delete of one key as three events', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.update(obj('foo', 12));
    f.delete(obj('foo', 15));
    expect(f.length).toBe(3);
    expect(f.getByKey('foo')?.map(fmt)).toEqual(['Added foo10', 'Updated foo12', 'Deleted foo15']);
    expect(await popAll(f)).toEqual(['Added foo10', 'Updated foo12', 'Deleted foo15']);
  });

  it('transforms every object exactly once, never tombstones', async () => {
    const seen = new Set<Obj>();
    const transformer = (o: Obj): Obj => {
      if (seen.has(o)) throw new Error(`transformed twice: ${o.name}`);
      const out = { name: o.name, value: o.value * 100 };
      seen.add(out);
      return out;
    };
    const f = newFifo({ transformer });
    f.add(obj('foo', 10));
    f.add(obj('bar', 11));
    f.update(obj('foo', 12));
    f.delete(obj('foo', 15));
    f.replace([], '0');
    f.add(obj('bar', 16));
    f.replace([], '0');
    expect(await popAll(f)).toEqual([
      'Added foo1000',
      'Added bar1100',
      'Updated foo1200',
      'Deleted foo1500',
      'Deleted DFSU(bar1100)',
      'Added bar1600',
      'Deleted DFSU(bar1600)',
    ]);
  });

  it('keeps the delete of an unknown key', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.update(obj('bar', 15));
    f.add(obj('qux', 17));
    f.delete(obj('qux', 18));
    f.delete(obj('baz', 20));
    expect(await popAll(f)).toEqual(['Added foo10', 'Updated bar15', 'Added qux17', 'Deleted qux18', 'Deleted baz20']);
  });

  it('pops the add and then the replacement after add then replace', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.replace([obj('foo', 15)], '0');
    expect(await popAll(f)).toEqual(['Added foo10', 'Replaced foo15']);
  });

  it.each([
    { name: 'a queued delete', ops: (f: RealFIFO<Obj>) => f.delete(obj('foo', 10)), want: ['Deleted foo10'] },
    { name: 'a queued update', ops: (f: RealFIFO<Obj>) => f.update(obj('foo', 6)), want: ['Updated foo6'] },
    { name: 'nothing queued', ops: (_f: RealFIFO<Obj>) => undefined, want: ['Sync foo5'] },
  ])('resyncs the known foo5 after $name', ({ ops, want }) => {
    const f = newFifo({ knownObjects: known(obj('foo', 5)) });
    ops(f);
    f.resync();
    expect(f.getByKey('foo')?.map(fmt)).toEqual(want);
  });

  describe('replace makes deletions (known foo5, bar6, baz7)', () => {
    const k = () => known(obj('foo', 5), obj('bar', 6), obj('baz', 7));
    it.each([
      {
        name: 'a queued delete',
        ops: (f: RealFIFO<Obj>) => {
          f.delete(obj('baz', 10));
          f.replace([obj('foo', 5)], '0');
        },
        want: ['Deleted baz10', 'Deleted DFSU(bar6)', 'Replaced foo5'],
      },
      {
        name: 'a queued add',
        ops: (f: RealFIFO<Obj>) => {
          f.add(obj('baz', 10));
          f.replace([obj('foo', 5)], '0');
        },
        want: ['Added baz10', 'Deleted DFSU(baz10)', 'Deleted DFSU(bar6)', 'Replaced foo5'],
      },
      {
        name: 'a delete then add',
        ops: (f: RealFIFO<Obj>) => {
          f.delete(obj('bar', 6));
          f.add(obj('bar', 100));
          f.replace([obj('foo', 5)], '0');
        },
        want: ['Deleted bar6', 'Added bar100', 'Deleted DFSU(bar100)', 'Deleted DFSU(baz7)', 'Replaced foo5'],
      },
      {
        name: 'two replaces',
        ops: (f: RealFIFO<Obj>) => {
          f.replace([obj('bar', 100), obj('foo', 5)], '0');
          f.replace([obj('foo', 5)], '0');
        },
        want: ['Deleted DFSU(baz7)', 'Replaced bar100', 'Replaced foo5', 'Deleted DFSU(bar100)', 'Replaced foo5'],
      },
      {
        name: 'a queued delete (Replaced foo6)',
        ops: (f: RealFIFO<Obj>) => {
          f.delete(obj('baz', 10));
          f.replace([obj('foo', 6)], '0');
        },
        want: ['Deleted baz10', 'Deleted DFSU(bar6)', 'Replaced foo6'],
      },
    ])('after $name', async ({ ops, want }) => {
      const f = newFifo({ knownObjects: k() });
      ops(f);
      expect(await popAll(f)).toEqual(want);
    });

    it('with empty known objects, tombstones only queued keys', async () => {
      const f = newFifo();
      f.add(obj('baz', 10));
      f.replace([obj('foo', 5)], '0');
      expect(await popAll(f)).toEqual(['Added baz10', 'Deleted DFSU(baz10)', 'Replaced foo5']);
    });
  });

  it('flips hasSynced only after the last initial event, tombstones included', async () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5), obj('bar', 6), obj('baz', 7)) });
    f.replace([obj('foo', 5)], '0');
    const seen: [string, boolean, boolean][] = [];
    while (f.length > 0) {
      await f.pop(([d], initial) => {
        seen.push([fmt(d as RealFIFODelta<Obj>), initial, f.hasSynced()]);
      });
    }
    expect(seen).toEqual([
      ['Deleted DFSU(bar6)', true, false],
      ['Deleted DFSU(baz7)', true, false],
      ['Replaced foo5', true, false],
    ]);
    expect(f.hasSynced()).toBe(true);
  });

  it('delivers every event in order, re-added keys included', async () => {
    const f = newFifo();
    for (const [n, v] of [
      ['foo', 10],
      ['bar', 1],
      ['foo', 11],
      ['foo', 13],
      ['zab', 30],
    ] as const)
      f.add(obj(n, v));
    expect(fmt((await f.pop(() => {}))[0] as RealFIFODelta<Obj>)).toBe('Added foo10');
    f.add(obj('foo', 14));
    expect(await popAll(f)).toEqual(['Added bar1', 'Added foo11', 'Added foo13', 'Added zab30', 'Added foo14']);
  });

  it.each([
    { what: 'an object', input: obj('A', 1), key: 'A' },
    { what: 'a tombstone', input: new DeletedFinalStateUnknown<Obj>('B', undefined), key: 'B' },
    { what: 'a Delta', input: { type: 'Added', object: obj('C', 1) } as RealFIFODelta<Obj>, key: 'C' },
    { what: 'Deltas', input: [{ type: 'Updated', object: obj('D', 1) }] as RealFIFODelta<Obj>[], key: 'D' },
  ])('keys $what', ({ input, key }) => {
    expect(newFifo().keyOf(input)).toBe(key);
  });

  it('throws KeyError when keying an atomic event or empty Deltas', () => {
    const f = newFifo();
    expect(() => f.keyOf({ type: 'SyncAll' })).toThrow(KeyError);
    expect(() => f.keyOf([])).toThrow(KeyError);
  });

  it('tells events from objects', () => {
    expect(isRealFIFODelta({ type: 'Added', object: obj('a', 1) })).toBe(true);
    expect(isRealFIFODelta({ type: 'Bookmark', resourceVersion: '1' })).toBe(true);
    expect(isRealFIFODelta({ type: 'Opaque', metadata: { name: 'secret' } })).toBe(false);
    expect(isRealFIFODelta(obj('a', 1))).toBe(false);
  });

  it.each([
    { name: 'no operations', ops: (_f: RealFIFO<Obj>) => 0, synced: false },
    {
      name: 'an add',
      ops: (f: RealFIFO<Obj>) => {
        f.add(obj('a', 1));
        return 0;
      },
      synced: true,
    },
    {
      name: 'an empty replace',
      ops: (f: RealFIFO<Obj>) => {
        f.replace([], '0');
        return 0;
      },
      synced: true,
    },
    {
      name: 'two, one pop',
      ops: (f: RealFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
        return 1;
      },
      synced: false,
    },
    {
      name: 'two, two pops',
      ops: (f: RealFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
        return 2;
      },
      synced: true,
    },
    {
      name: 'a key twice, one pop',
      ops: (f: RealFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('a', 2)], '0');
        return 1;
      },
      synced: false,
    },
    {
      name: 'a key twice, two pops',
      ops: (f: RealFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('a', 2)], '0');
        return 2;
      },
      synced: true,
    },
  ])('reports hasSynced $synced after $name', async ({ ops, synced }) => {
    const f = newFifo();
    const pops = ops(f);
    for (let i = 0; i < pops; i++) await f.pop(() => {});
    expect(f.hasSynced()).toBe(synced);
  });

  it('unblocks every waiting pop on close', async () => {
    const f = newFifo();
    const pops = Array.from({ length: 10 }, () => f.pop(() => {}));
    await flushMicrotasks();
    f.close();
    for (const p of pops) await expect(p).rejects.toBeInstanceOf(FIFOClosedError);
  });

  it('rejects pop with the error of process and keeps the rest', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.add(obj('a', 2));
    await expect(
      f.pop(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await popAll(f)).toEqual(['Added a2']);
  });

  it('re-queues with addIfNotPresent only when nothing is queued for the key', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    const popped = await f.pop(() => {});
    f.add(obj('b', 2));
    f.addIfNotPresent([{ type: 'Updated', object: obj('b', 9) }]);
    f.addIfNotPresent(popped);
    expect(await popAll(f)).toEqual(['Added b2', 'Added a1']);
  });

  it('rejects bad input with typed errors and queues nothing', async () => {
    const f = newFifo({
      keyFunction: (o) => {
        if (o.name === '') throw new Error('no name');
        return o.name;
      },
      transformer: (o) => {
        if (o.value < 0) throw new Error('negative');
        return o;
      },
    });
    f.add(obj('a', 1));
    expect(() => f.add(obj('', 1))).toThrow(KeyError);
    expect(() => f.delete(obj('b', -1))).toThrow(TransformError);
    expect(() => f.replace([obj('c', 1), obj('', 1)], '0')).toThrow(KeyError);
    expect(f.hasSynced()).toBe(true);
    expect(await popAll(f)).toEqual(['Added a1']);
  });

  describe('popBatch', () => {
    const short = (d: RealFIFODelta<Obj>): string =>
      'object' in d && !(d.object instanceof DeletedFinalStateUnknown) ? `${d.type[0]}${d.object.name}` : d.type;
    async function batches(f: RealFIFO<Obj>): Promise<[string, string[], boolean][]> {
      const out: [string, string[], boolean][] = [];
      const record = (via: string) => (d: RealFIFODelta<Obj>[], initial: boolean) => {
        out.push([via, d.map(short), initial]);
      };
      while (f.length > 0) await f.popBatch(record('batch'), record('single'));
      return out;
    }
    const o = (i: number) => obj(`o${i}`, i);

    it.each([
      { name: '3 initial items', size: undefined, initial: [1, 2, 3], updates: [], want: [['Ro1', 'Ro2', 'Ro3']] },
      {
        name: '2 initial + 2 updates, batch 2',
        size: 2,
        initial: [1, 2],
        updates: [3, 4],
        want: [
          ['Ro1', 'Ro2'],
          ['Uo3', 'Uo4'],
        ],
      },
      {
        name: '1 initial + 2 updates of it',
        size: undefined,
        initial: [1],
        updates: [1, 1],
        want: [['Ro1'], ['Uo1'], ['Uo1']],
      },
      {
        name: '2 initial + updates of 2 and 3',
        size: undefined,
        initial: [1, 2],
        updates: [2, 3],
        want: [
          ['Ro1', 'Ro2'],
          ['Uo2', 'Uo3'],
        ],
      },
      {
        name: '3 initial + update of 2',
        size: undefined,
        initial: [1, 2, 3],
        updates: [2],
        want: [['Ro1', 'Ro2', 'Ro3'], ['Uo2']],
      },
      { name: '3 initial, batch 2', size: 2, initial: [1, 2, 3], updates: [], want: [['Ro1', 'Ro2'], ['Ro3']] },
      {
        name: 'no initial, 3 updates, batch 2',
        size: 2,
        initial: undefined,
        updates: [1, 2, 3],
        want: [['Uo1', 'Uo2'], ['Uo3']],
      },
      {
        name: '3 initial + 1 update, batch 2',
        size: 2,
        initial: [1, 2, 3],
        updates: [4],
        want: [['Ro1', 'Ro2'], ['Ro3'], ['Uo4']],
      },
    ])('groups $name', async ({ size, initial, updates, want }) => {
      const f = newFifo(size === undefined ? {} : { batchSize: size });
      if (initial !== undefined) f.replace(initial.map(o), '1');
      for (const i of updates) f.update(o(i));
      const got = await batches(f);
      expect(got.map(([, names]) => names)).toEqual(want);
      for (const [via, names, inInitial] of got) {
        expect(via).toBe(names.length === 1 ? 'single' : 'batch');
        expect(inInitial).toBe(names[0]?.startsWith('R'));
      }
      expect(f.hasSynced()).toBe(true);
    });

    it('hands a whole-store event to processSingle alone', async () => {
      const f = newFifo({ atomicEvents: true });
      f.add(obj('a', 1));
      f.resync();
      f.add(obj('b', 2));
      const got = await batches(f);
      expect(got.map(([via, names]) => `${via}:${names.join(',')}`)).toEqual([
        'single:Aa',
        'single:SyncAll',
        'single:Ab',
      ]);
    });
  });

  describe('atomic mode', () => {
    const atomic = () => newFifo({ atomicEvents: true, emitDeltaTypeBookmark: true });

    it.each([
      { name: 'an empty replace', ops: (f: RealFIFO<Obj>) => f.replace([], '123'), want: ['ReplacedAll 123 []'] },
      {
        name: 'an add then an empty replace',
        ops: (f: RealFIFO<Obj>) => {
          f.add(obj('a', 1));
          f.replace([], '123');
        },
        want: ['Added a1', 'ReplacedAll 123 []'],
      },
      {
        name: 'an add and three replaces',
        ops: (f: RealFIFO<Obj>) => {
          f.add(obj('a', 1));
          f.replace([obj('a', 1)], '10');
          f.replace([obj('a', 1)], '20');
          f.replace([], '56');
        },
        want: ['Added a1', 'ReplacedAll 10 [a1]', 'ReplacedAll 20 [a1]', 'ReplacedAll 56 []'],
      },
      {
        name: 'a bookmark then a replace',
        ops: (f: RealFIFO<Obj>) => {
          f.bookmark('123');
          f.replace([], '1234');
        },
        want: ['Bookmark 123', 'ReplacedAll 1234 []'],
      },
      { name: 'a resync', ops: (f: RealFIFO<Obj>) => f.resync(), want: ['SyncAll'] },
      {
        name: 'an add and a resync',
        ops: (f: RealFIFO<Obj>) => {
          f.add(obj('a', 1));
          f.resync();
        },
        want: ['Added a1', 'SyncAll'],
      },
    ])('queues $want after $name', async ({ ops, want }) => {
      const f = atomic();
      ops(f);
      expect(await popAll(f)).toEqual(want);
    });

    it('pops an add, then one ReplacedAll with the list, then nothing', async () => {
      const f = atomic();
      f.add(obj('foo', 10));
      f.replace([obj('foo', 15)], '20');
      expect(await popAll(f)).toEqual(['Added foo10', 'ReplacedAll 20 [foo15]']);
      const ac = new AbortController();
      const next = f.pop(() => {}, ac.signal);
      ac.abort(new Error('idle'));
      await expect(next).rejects.toThrow('idle');
    });

    it('transforms the objects of a ReplacedAll once', async () => {
      const f = newFifo({ atomicEvents: true, transformer: (o) => ({ ...o, value: o.value + 1 }) });
      f.replace([obj('a', 1)], '5');
      expect(await popAll(f)).toEqual(['ReplacedAll 5 [a2]']);
    });

    it('does not queue bookmarks unless asked', () => {
      const f = newFifo({ atomicEvents: true });
      f.bookmark('5');
      expect(f.length).toBe(0);
    });

    it('syncs after the first ReplacedAll is processed', async () => {
      const f = atomic();
      f.replace([obj('a', 1), obj('b', 2)], '7');
      expect(f.hasSynced()).toBe(false);
      await f.pop((_d, initial) => {
        expect(initial).toBe(true);
      });
      expect(f.hasSynced()).toBe(true);
    });
  });
});
