import { describe, expect, it } from '@jest/globals';
import { DeletedFinalStateUnknown, KeyError } from './keys.js';
import {
  applyWrites,
  formatChange,
  knownOf,
  type NamedObj,
  namedObj,
  pickyWrites,
  QUEUE_ONLY_DELETIONS,
  transformOnce,
} from './queue.contract.js';
import { SkippedObjectsError } from './queue.js';
import { isRealFIFODelta, RealFIFO, type RealFIFODelta, type RealFIFOOptions } from './real-fifo.js';
import { TransformError } from './thread-safe-store.js';

type Obj = NamedObj;

const obj = namedObj;
const known = knownOf;

const newFifo = (options: RealFIFOOptions<Obj> = {}) =>
  new RealFIFO<Obj>({
    keyFunction: (o) => o.name,
    ...(options.atomicEvents ? {} : { knownObjects: known() }),
    ...options,
  });

const fmt = formatChange;

async function popAll(f: RealFIFO<Obj>): Promise<string[]> {
  const out: string[] = [];
  while (f.length > 0) {
    const item = await f.pop(() => {});
    expect(item).toHaveLength(1);
    out.push(fmt(item[0] as RealFIFODelta<Obj>));
  }
  return out;
}

// The pop behaviour RealFIFO shares with the other queues is in queue.contract.ts (run by
// queues.contract.test.ts).
describe('RealFIFO (the in-order FIFO)', () => {
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
    it.each(QUEUE_ONLY_DELETIONS)('queues $want after $writes', async ({ writes, want }) => {
      const f = newFifo();
      applyWrites(f, writes);
      expect(await popAll(f)).toEqual(want.map((w) => w.replace('Listed', 'Replaced')));
    });

    it('queues nothing for a bookmark outside atomic mode', async () => {
      const f = newFifo();
      f.bookmark('123');
      expect(await popAll(f)).toEqual([]);
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
    const f = newFifo({ transformer: transformOnce() });
    applyWrites(f, 'add foo10, add bar11, update foo12, delete foo15, replace, add bar16, replace');
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
    applyWrites(f, 'add foo10, update bar15, add qux17, delete qux18, delete baz20');
    expect(await popAll(f)).toEqual(['Added foo10', 'Updated bar15', 'Added qux17', 'Deleted qux18', 'Deleted baz20']);
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
        writes: 'delete baz10, replace foo5',
        want: ['Deleted baz10', 'Deleted DFSU(bar6)', 'Replaced foo5'],
      },
      {
        name: 'a queued add',
        writes: 'add baz10, replace foo5',
        want: ['Added baz10', 'Deleted DFSU(baz10)', 'Deleted DFSU(bar6)', 'Replaced foo5'],
      },
      {
        name: 'a delete then add',
        writes: 'delete bar6, add bar100, replace foo5',
        want: ['Deleted bar6', 'Added bar100', 'Deleted DFSU(bar100)', 'Deleted DFSU(baz7)', 'Replaced foo5'],
      },
      {
        name: 'two replaces',
        writes: 'replace bar100 foo5, replace foo5',
        want: ['Deleted DFSU(baz7)', 'Replaced bar100', 'Replaced foo5', 'Deleted DFSU(bar100)', 'Replaced foo5'],
      },
      {
        name: 'a queued delete (Replaced foo6)',
        writes: 'delete baz10, replace foo6',
        want: ['Deleted baz10', 'Deleted DFSU(bar6)', 'Replaced foo6'],
      },
    ])('after $name', async ({ writes, want }) => {
      const f = newFifo({ knownObjects: k() });
      applyWrites(f, writes);
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

  it('rejects bad input with typed errors and queues nothing', async () => {
    const f = newFifo(pickyWrites);
    f.add(obj('a', 1));
    expect(() => f.add(obj('', 1))).toThrow(KeyError);
    expect(() => f.delete(obj('b', -1))).toThrow(TransformError);
    expect(f.hasSynced()).toBe(true);
    expect(await popAll(f)).toEqual(['Added a1']);
  });

  it.each([false, true])(
    '#3 leaves the objects it cannot key or transform out of a relist (atomic %p), queues the rest and reports them',
    async (atomicEvents) => {
      const f = newFifo({ ...pickyWrites, atomicEvents });
      let thrown: unknown;
      try {
        f.replace([obj('a', 1), obj('', 1), obj('d', -1), obj('c', 1)], '5');
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(SkippedObjectsError);
      expect((thrown as SkippedObjectsError).skipped.map((s) => [s.key, s.cause.name])).toEqual([
        [undefined, 'KeyError'],
        ['d', 'TransformError'],
      ]);
      expect(await popAll(f)).toEqual(atomicEvents ? ['ReplacedAll 5 [a1, c1]'] : ['Replaced a1', 'Replaced c1']);
      expect(f.hasSynced()).toBe(true);
    },
  );

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

    it('keeps a key repeated in one run when batchKeysUnique is off, still stopping at whole-store events', async () => {
      const f = newFifo({ atomicEvents: true, batchKeysUnique: false });
      f.replace([o(1)], '1');
      f.update(o(1));
      f.update(o(2));
      f.delete(o(1));
      f.resync();
      f.add(o(3));
      f.update(o(3));
      const got = await batches(f);
      expect(got.map(([via, names]) => `${via}:${names.join(',')}`)).toEqual([
        'single:ReplacedAll',
        'batch:Uo1,Uo2,Do1',
        'single:SyncAll',
        'batch:Ao3,Uo3',
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
      const flags: boolean[] = [];
      await f.pop((_d, initial) => {
        flags.push(initial);
      });
      expect(flags).toEqual([true]);
      expect(f.hasSynced()).toBe(true);
    });
  });
});

describe('RealFIFO divergences found by differential testing', () => {
  it('#3 RealFIFO non-atomic replace orders tombstones by first queued event', async () => {
    const f = newFifo();
    f.add(obj('n1', 1));
    f.add(obj('n2', 2));
    f.update(obj('n1', 3));
    await f.pop(() => {});
    expect(f.listKeys()).toEqual(['n2', 'n1']);
    f.replace([], '0');
    expect(await popAll(f)).toEqual(['Added n22', 'Updated n13', 'Deleted DFSU(n22)', 'Deleted DFSU(n13)']);
  });
});
