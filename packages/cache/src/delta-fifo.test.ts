import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from './clock.js';
import { type Delta, DeltaFIFO, type DeltaFIFOOptions, type Deltas } from './delta-fifo.js';
import { DeletedFinalStateUnknown, KeyError } from './keys.js';
import { FIFOClosedError, type KeyListerGetter } from './queue.js';
import { TransformError } from './thread-safe-store.js';

interface Obj {
  name: string;
  value: number;
}

const obj = (name: string, value: number): Obj => ({ name, value });

/** Known objects backed by a Map, in insertion order. */
function known(...objs: Obj[]): KeyListerGetter<Obj> {
  const map = new Map(objs.map((o) => [o.name, o]));
  return { listKeys: () => Array.from(map.keys()), getByKey: (k) => map.get(k) };
}

const newFifo = (options: DeltaFIFOOptions<Obj> = {}) => new DeltaFIFO<Obj>({ keyFunction: (o) => o.name, ...options });

/** `Added foo10`, `Deleted DFSU(bar6)`, `Deleted DFSU(bar)` (tombstone without an object). */
function fmt(d: Delta<Obj>): string {
  const o = d.object;
  if (o instanceof DeletedFinalStateUnknown) return `${d.type} DFSU(${o.obj ? `${o.obj.name}${o.obj.value}` : o.key})`;
  return `${d.type} ${o.name}${o.value}`;
}

async function popAll(f: DeltaFIFO<Obj>): Promise<string[][]> {
  const out: string[][] = [];
  while (f.length > 0) out.push((await f.pop(() => {})).map(fmt));
  return out;
}

const newest = async (f: DeltaFIFO<Obj>) => (((await f.pop(() => {})).at(-1) as Delta<Obj>).object as Obj).value;

describe('DeltaFIFO', () => {
  it('keeps the order of each of two interleaved producers', async () => {
    const f = newFifo();
    const produce = async (prefix: string) => {
      for (let i = 0; i < 500; i++) {
        f.add(obj(`${prefix}${i}`, i + 1));
        if (i % 5 === 0) await Promise.resolve();
      }
    };
    const got: Obj[] = [];
    const consume = async () => {
      while (got.length < 1000) got.push((await f.pop(() => {}))[0]?.object as Obj);
    };
    await Promise.all([produce('a'), produce('b'), consume()]);
    for (const p of ['a', 'b']) {
      const values = got.filter((o) => o.name.startsWith(p)).map((o) => o.value);
      expect(values).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    }
  });

  it('does not swallow the Sync of a replace after a queued delete', async () => {
    const f = newFifo({ knownObjects: known(obj('foo', 1)) });
    f.delete(obj('foo', 1));
    f.replace([obj('foo', 2)], '0');
    expect(await popAll(f)).toEqual([['Deleted foo1', 'Sync foo2']]);
  });

  describe.each([
    { label: 'without known objects', knownObjects: undefined },
    { label: 'with empty known objects', knownObjects: known() },
  ])('replace makes deletions for objects only in the queue ($label)', ({ knownObjects }) => {
    const a = obj('a', 1);
    it.each([
      {
        ops: (f: DeltaFIFO<Obj>) => {
          f.add(a);
          f.replace([], '0');
        },
        want: ['Added a1', 'Deleted DFSU(a1)'],
      },
      {
        ops: (f: DeltaFIFO<Obj>) => {
          f.add(a);
          f.delete(a);
          f.replace([], '0');
        },
        want: ['Added a1', 'Deleted a1'],
      },
      {
        ops: (f: DeltaFIFO<Obj>) => {
          f.add(a);
          f.replace([a], '0');
          f.replace([a], '0');
          f.replace([], '0');
        },
        want: ['Added a1', 'Sync a1', 'Sync a1', 'Deleted DFSU(a1)'],
      },
      {
        ops: (f: DeltaFIFO<Obj>) => {
          f.add(a);
          f.replace([], '0');
          f.replace([], '0');
        },
        want: ['Added a1', 'Deleted DFSU(a1)'],
      },
      {
        ops: (f: DeltaFIFO<Obj>) => {
          f.add(obj('a', 2));
          f.delete(obj('a', 2));
          f.add(obj('a', 3));
          f.replace([], '0');
        },
        want: ['Added a2', 'Deleted a2', 'Added a3', 'Deleted DFSU(a3)'],
      },
    ])('queues $want', async ({ ops, want }) => {
      const f = newFifo({ knownObjects });
      ops(f);
      expect(await popAll(f)).toEqual([want]);
      expect(f.length).toBe(0);
    });

    it('queues Replaced then a tombstone with emitDeltaTypeReplaced', async () => {
      const f = newFifo({ knownObjects, emitDeltaTypeReplaced: true });
      f.add(a);
      f.replace([a], '0');
      f.replace([], '0');
      expect(await popAll(f)).toEqual([['Added a1', 'Replaced a1', 'Deleted DFSU(a1)']]);
    });
  });

  it('merges add, update and delete of one key into one pop', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.update(obj('foo', 12));
    f.delete(obj('foo', 15));
    expect(f.listKeys()).toEqual(['foo']);
    expect(f.getByKey('foo')?.at(-1)?.object).toEqual(obj('foo', 15));
    expect(await newest(f)).toBe(15);
    expect(f.length).toBe(0);
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
    expect(f.listKeys()).toEqual(['foo', 'bar']);
    const foo = await f.pop(() => {});
    expect(foo.at(-1)).toEqual({ type: 'Deleted', object: obj('foo', 1500) });
    const bar = await f.pop(() => {});
    const tomb = bar.at(-1)?.object as DeletedFinalStateUnknown<Obj>;
    expect(tomb).toBeInstanceOf(DeletedFinalStateUnknown);
    expect(tomb.obj).toEqual(obj('bar', 1600));
  });

  it('replaces a queued tombstone with a later plain delete', () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.replace([], '0');
    f.delete(obj('a', 2));
    expect(f.getByKey('a')?.map(fmt)).toEqual(['Added a1', 'Deleted a2']);
  });

  it('does not transform the known objects it resyncs', () => {
    let calls = 0;
    const f = newFifo({
      knownObjects: known(obj('foo', 5)),
      transformer: (o) => {
        calls++;
        return o;
      },
    });
    f.resync();
    f.replace([obj('bar', 1)], '0');
    expect(calls).toBe(1);
    expect(f.list().map((d) => d.map(fmt))).toEqual([['Sync foo5', 'Deleted DFSU(foo5)'], ['Sync bar1']]);
  });

  it('drops the delete of a key neither queued nor known', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.update(obj('bar', 15));
    f.add(obj('qux', 17));
    f.delete(obj('qux', 18));
    f.delete(obj('baz', 20));
    expect((await popAll(f)).map((d) => d.at(-1))).toEqual(['Added foo10', 'Updated bar15', 'Deleted qux18']);
  });

  it('keeps the delete of a known key', async () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5), obj('bar', 6), obj('baz', 7)) });
    f.add(obj('foo', 10));
    f.update(obj('bar', 15));
    f.delete(obj('baz', 20));
    expect((await popAll(f)).map((d) => d.at(-1))).toEqual(['Added foo10', 'Updated bar15', 'Deleted baz20']);
  });

  it('pops a single newest value after add then replace', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.replace([obj('foo', 15)], '0');
    expect(f.length).toBe(1);
    expect(await newest(f)).toBe(15);
    expect(f.length).toBe(0);
  });

  it('does not resync a key with a queued delete', () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5)) });
    f.delete(obj('foo', 10));
    f.resync();
    expect(f.getByKey('foo')?.map(fmt)).toEqual(['Deleted foo10']);
  });

  it('resyncs a known key as Sync of the known object', () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5)) });
    f.resync();
    expect(f.getByKey('foo')?.map(fmt)).toEqual(['Sync foo5']);
  });

  it('does nothing on resync without known objects', () => {
    const f = newFifo();
    f.resync();
    expect(f.length).toBe(0);
  });

  it('queues the delete of a key that is queued but not known', () => {
    const f = newFifo({ knownObjects: known() });
    f.add(obj('foo', 5));
    f.delete(obj('foo', 6));
    expect(f.getByKey('foo')?.map(fmt)).toEqual(['Added foo5', 'Deleted foo6']);
  });

  describe('replace makes deletions (known foo5, bar6, baz7)', () => {
    const k = () => known(obj('foo', 5), obj('bar', 6), obj('baz', 7));
    it.each([
      {
        name: 'a queued delete',
        ops: (f: DeltaFIFO<Obj>) => {
          f.delete(obj('baz', 10));
          f.replace([obj('foo', 5)], '0');
        },
        want: [['Deleted baz10'], ['Sync foo5'], ['Deleted DFSU(bar6)']],
      },
      {
        name: 'a queued add',
        ops: (f: DeltaFIFO<Obj>) => {
          f.add(obj('baz', 10));
          f.replace([obj('foo', 5)], '0');
        },
        want: [['Added baz10', 'Deleted DFSU(baz10)'], ['Sync foo5'], ['Deleted DFSU(bar6)']],
      },
      {
        name: 'a delete then add',
        ops: (f: DeltaFIFO<Obj>) => {
          f.delete(obj('bar', 6));
          f.add(obj('bar', 100));
          f.replace([obj('foo', 5)], '0');
        },
        want: [['Deleted bar6', 'Added bar100', 'Deleted DFSU(bar100)'], ['Sync foo5'], ['Deleted DFSU(baz7)']],
      },
      {
        name: 'two replaces',
        ops: (f: DeltaFIFO<Obj>) => {
          f.replace([obj('bar', 100), obj('foo', 5)], '0');
          f.replace([obj('foo', 5)], '0');
        },
        want: [['Sync bar100', 'Deleted DFSU(bar100)'], ['Sync foo5', 'Sync foo5'], ['Deleted DFSU(baz7)']],
      },
    ])('after $name', async ({ ops, want }) => {
      const f = newFifo({ knownObjects: k() });
      ops(f);
      expect(await popAll(f)).toEqual(want);
    });

    it('without known objects, tombstones only queued keys', async () => {
      const f = newFifo();
      f.add(obj('baz', 10));
      f.replace([obj('foo', 5)], '0');
      expect(await popAll(f)).toEqual([['Added baz10', 'Deleted DFSU(baz10)'], ['Sync foo5']]);
    });

    it('emits Replaced with emitDeltaTypeReplaced', async () => {
      const f = newFifo({ knownObjects: k(), emitDeltaTypeReplaced: true });
      f.delete(obj('baz', 10));
      f.replace([obj('foo', 6)], '0');
      expect(await popAll(f)).toEqual([['Deleted baz10'], ['Replaced foo6'], ['Deleted DFSU(bar6)']]);
    });
  });

  it('emits Replaced for a known listed object with emitDeltaTypeReplaced', async () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5)), emitDeltaTypeReplaced: true });
    f.replace([obj('foo', 5)], '0');
    expect(await popAll(f)).toEqual([['Replaced foo5']]);
  });

  it('gives a tombstone without object when the known store lost the key', async () => {
    const f = newFifo({ knownObjects: { listKeys: () => ['ghost'], getByKey: () => undefined } });
    f.replace([], '0');
    expect(await popAll(f)).toEqual([['Deleted DFSU(ghost)']]);
  });

  it('does not resync a key with a queued update', () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5)) });
    f.update(obj('foo', 6));
    f.resync();
    expect(f.getByKey('foo')?.map(fmt)).toEqual(['Updated foo6']);
  });

  it('counts tombstones of the first replace toward hasSynced', async () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5), obj('bar', 6), obj('baz', 7)) });
    f.replace([obj('foo', 5)], '0');
    const seen: [string, boolean][] = [];
    for (let i = 0; i < 3; i++) {
      expect(f.hasSynced()).toBe(false);
      await f.pop((d, initial) => {
        seen.push([fmt(d.at(-1) as Delta<Obj>), initial]);
      });
    }
    expect(seen).toEqual([
      ['Sync foo5', true],
      ['Deleted DFSU(bar6)', true],
      ['Deleted DFSU(baz7)', true],
    ]);
    expect(f.hasSynced()).toBe(true);
  });

  it('does not let a re-added key jump the line', async () => {
    const f = newFifo();
    for (const [n, v] of [
      ['foo', 10],
      ['bar', 1],
      ['foo', 11],
      ['foo', 13],
      ['zab', 30],
    ] as const)
      f.add(obj(n, v));
    expect(await newest(f)).toBe(13);
    f.add(obj('foo', 14));
    expect([await newest(f), await newest(f), await newest(f)]).toEqual([1, 30, 14]);
  });

  it.each([
    { what: 'an object', input: obj('A', 1), key: 'A' },
    { what: 'a tombstone', input: new DeletedFinalStateUnknown<Obj>('B', undefined), key: 'B' },
    { what: 'Deltas of an object', input: [{ type: 'Added', object: obj('C', 1) }] as Deltas<Obj>, key: 'C' },
    {
      what: 'Deltas of a tombstone',
      input: [{ type: 'Deleted', object: new DeletedFinalStateUnknown<Obj>('D', undefined) }] as Deltas<Obj>,
      key: 'D',
    },
  ])('keys $what', ({ input, key }) => {
    expect(newFifo().keyOf(input)).toBe(key);
  });

  it('throws KeyError for zero-length Deltas', () => {
    expect(() => newFifo().keyOf([])).toThrow(KeyError);
  });

  it.each([
    { name: 'no operations', ops: (_f: DeltaFIFO<Obj>) => 0, synced: false },
    {
      name: 'an add',
      ops: (f: DeltaFIFO<Obj>) => {
        f.add(obj('a', 1));
        return 0;
      },
      synced: true,
    },
    {
      name: 'an empty replace',
      ops: (f: DeltaFIFO<Obj>) => {
        f.replace([], '0');
        return 0;
      },
      synced: true,
    },
    {
      name: 'a replace of two',
      ops: (f: DeltaFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
        return 0;
      },
      synced: false,
    },
    {
      name: 'two, one pop',
      ops: (f: DeltaFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
        return 1;
      },
      synced: false,
    },
    {
      name: 'two, two pops',
      ops: (f: DeltaFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
        return 2;
      },
      synced: true,
    },
    {
      name: 'one key twice, one pop',
      ops: (f: DeltaFIFO<Obj>) => {
        f.replace([obj('a', 1), obj('a', 2)], '0');
        return 1;
      },
      synced: true,
    },
  ])('reports hasSynced $synced after $name', async ({ ops, synced }) => {
    const f = newFifo();
    const pops = ops(f);
    for (let i = 0; i < pops; i++) await f.pop(() => {});
    expect(f.hasSynced()).toBe(synced);
  });

  it('counts a popped initial key before process runs', async () => {
    const f = newFifo();
    f.replace([obj('a', 1)], '0');
    let syncedDuring: boolean | undefined;
    await f.pop(() => {
      syncedDuring = f.hasSynced();
    });
    expect(syncedDuring).toBe(true);
  });

  it('unblocks every waiting pop on close', async () => {
    const f = newFifo();
    const pops = Array.from({ length: 10 }, () => f.pop(() => {}));
    await flushMicrotasks();
    f.close();
    for (const p of pops) await expect(p).rejects.toBeInstanceOf(FIFOClosedError);
  });

  it('keeps accepting writes after close and drains them', async () => {
    const f = newFifo();
    f.close();
    f.add(obj('a', 1));
    expect(await newest(f)).toBe(1);
    await expect(f.pop(() => {})).rejects.toBeInstanceOf(FIFOClosedError);
  });

  it('rejects pop with the error of process and keeps the rest', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.add(obj('b', 2));
    await expect(
      f.pop(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(f.listKeys()).toEqual(['b']);
  });

  it('re-queues popped Deltas with addIfNotPresent only when the key is absent', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    const popped = await f.pop(() => {});
    f.add(obj('b', 2));
    f.addIfNotPresent(popped);
    f.addIfNotPresent([{ type: 'Added', object: obj('b', 9) }]);
    expect(await popAll(f)).toEqual([['Added b2'], ['Added a1']]);
  });

  it('rejects bad input with typed errors and changes nothing', () => {
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
    expect(() => f.update(obj('b', -1))).toThrow(TransformError);
    expect(() => f.replace([obj('c', 1), obj('d', -1)], '0')).toThrow(TransformError);
    expect(() => f.replace([obj('c', 1), obj('', 1)], '0')).toThrow(KeyError);
    expect(f.list().map((d) => d.map(fmt))).toEqual([['Added a1']]);
  });

  it('hands out copies from list and getByKey', () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.getByKey('a')?.push({ type: 'Sync', object: obj('a', 9) });
    f.list()[0]?.push({ type: 'Sync', object: obj('a', 9) });
    expect(f.getByKey('a')?.map(fmt)).toEqual(['Added a1']);
  });
});
