import { describe, expect, it } from '@jest/globals';
import { type Delta, DeltaCompressorError, DeltaFIFO, type DeltaFIFOOptions, type Deltas } from './delta-fifo.js';
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
import { TransformError } from './thread-safe-store.js';

type Obj = NamedObj;

const obj = namedObj;
const known = knownOf;

const newFifo = (options: DeltaFIFOOptions<Obj> = {}) => new DeltaFIFO<Obj>({ keyFunction: (o) => o.name, ...options });

const fmt = (d: Delta<Obj>): string => formatChange(d);

async function popAll(f: DeltaFIFO<Obj>): Promise<string[][]> {
  const out: string[][] = [];
  while (f.length > 0) out.push((await f.pop(() => {})).map(fmt));
  return out;
}

const newest = async (f: DeltaFIFO<Obj>) => (((await f.pop(() => {})).at(-1) as Delta<Obj>).object as Obj).value;

// The pop behaviour DeltaFIFO shares with the other queues is in queue.contract.ts (run by
// queues.contract.test.ts).
describe('DeltaFIFO', () => {
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
    it.each(QUEUE_ONLY_DELETIONS)('queues $want after $writes', async ({ writes, want }) => {
      const f = newFifo({ knownObjects });
      applyWrites(f, writes);
      expect(await popAll(f)).toEqual([want.map((w) => w.replace('Listed', 'Sync'))]);
      expect(f.length).toBe(0);
    });

    it('queues Replaced then a tombstone with emitDeltaTypeReplaced', async () => {
      const f = newFifo({ knownObjects, emitDeltaTypeReplaced: true });
      applyWrites(f, 'add a1, replace a1, replace');
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
    const f = newFifo({ transformer: transformOnce() });
    applyWrites(f, 'add foo10, add bar11, update foo12, delete foo15, replace, add bar16, replace');
    expect(f.listKeys()).toEqual(['foo', 'bar']);
    const foo = await f.pop(() => {});
    expect(foo.at(-1)).toEqual({ type: 'Deleted', object: obj('foo', 1500) });
    const bar = await f.pop(() => {});
    const tomb = bar.at(-1)?.object as DeletedFinalStateUnknown<Obj>;
    expect(tomb).toBeInstanceOf(DeletedFinalStateUnknown);
    expect(tomb.obj).toEqual(obj('bar', 1600));
  });

  it('has every delta carry the key it was queued under, unless a transformer ran on its object', () => {
    const keysOf = (f: DeltaFIFO<Obj>): (string | undefined)[] => f.list().flatMap((ds) => ds.map((d) => d.key));
    const writes = (f: DeltaFIFO<Obj>): void => {
      f.resync();
      f.add(obj('a', 1));
      f.update(obj('a', 2));
      f.delete(obj('a', 3));
      f.replace([obj('b', 1)], '0');
    };
    const plain = newFifo({ knownObjects: known(obj('k', 1)) });
    writes(plain);
    expect(plain.list().map((ds) => ds.map(fmt))).toEqual([
      ['Sync k1', 'Deleted DFSU(k1)'],
      ['Added a1', 'Updated a2', 'Deleted a3'],
      ['Sync b1'],
    ]);
    expect(keysOf(plain)).toEqual(['k', 'k', 'a', 'a', 'a', 'b']);
    // With a transformer only the known objects' Sync and the tombstones name their key.
    const transformed = newFifo({ knownObjects: known(obj('k', 1)), transformer: (o) => ({ ...o }) });
    writes(transformed);
    expect(keysOf(transformed)).toEqual(['k', 'k', undefined, undefined, undefined, undefined]);
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
    applyWrites(f, 'add foo10, update bar15, add qux17, delete qux18, delete baz20');
    expect((await popAll(f)).map((d) => d.at(-1))).toEqual(['Added foo10', 'Updated bar15', 'Deleted qux18']);
  });

  it('keeps the delete of a known key', async () => {
    const f = newFifo({ knownObjects: known(obj('foo', 5), obj('bar', 6), obj('baz', 7)) });
    f.add(obj('foo', 10));
    f.update(obj('bar', 15));
    f.delete(obj('baz', 20));
    expect((await popAll(f)).map((d) => d.at(-1))).toEqual(['Added foo10', 'Updated bar15', 'Deleted baz20']);
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
        writes: 'delete baz10, replace foo5',
        want: [['Deleted baz10'], ['Sync foo5'], ['Deleted DFSU(bar6)']],
      },
      {
        name: 'a queued add',
        writes: 'add baz10, replace foo5',
        want: [['Added baz10', 'Deleted DFSU(baz10)'], ['Sync foo5'], ['Deleted DFSU(bar6)']],
      },
      {
        name: 'a delete then add',
        writes: 'delete bar6, add bar100, replace foo5',
        want: [['Deleted bar6', 'Added bar100', 'Deleted DFSU(bar100)'], ['Sync foo5'], ['Deleted DFSU(baz7)']],
      },
      {
        name: 'two replaces',
        writes: 'replace bar100 foo5, replace foo5',
        want: [['Sync bar100', 'Deleted DFSU(bar100)'], ['Sync foo5', 'Sync foo5'], ['Deleted DFSU(baz7)']],
      },
    ])('after $name', async ({ writes, want }) => {
      const f = newFifo({ knownObjects: k() });
      applyWrites(f, writes);
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

  it('rejects bad input with typed errors and changes nothing', () => {
    const f = newFifo(pickyWrites);
    f.add(obj('a', 1));
    expect(() => f.add(obj('', 1))).toThrow(KeyError);
    expect(() => f.update(obj('b', -1))).toThrow(TransformError);
    expect(f.list().map((d) => d.map(fmt))).toEqual([['Added a1']]);
  });

  it('#3 leaves the objects it cannot key or transform out of a relist, queues the rest and reports them', async () => {
    const f = newFifo({ ...pickyWrites, emitDeltaTypeReplaced: true });
    let thrown: unknown;
    try {
      f.replace([obj('a', 1), obj('', 1), obj('d', -1), obj('c', 1)], '5');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SkippedObjectsError);
    const skipped = (thrown as SkippedObjectsError).skipped.map((s) => [s.key, s.cause.name]);
    expect(skipped).toEqual([
      [undefined, 'KeyError'],
      ['d', 'TransformError'],
    ]);
    expect((thrown as Error).message).toContain('d: TransformError');
    expect(await popAll(f)).toEqual([['Replaced a1'], ['Replaced c1']]);
    expect(f.hasSynced()).toBe(true);
  });

  it('hands out copies from list and getByKey', () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.getByKey('a')?.push({ type: 'Sync', object: obj('a', 9) });
    f.list()[0]?.push({ type: 'Sync', object: obj('a', 9) });
    expect(f.getByKey('a')?.map(fmt)).toEqual(['Added a1']);
  });
});

describe('DeltaFIFO compressor', () => {
  const keyOf = (o: { name: string }): string => o.name;
  type O = { name: string; v: number };

  it('keeps only what the compressor returns for a key', () => {
    const q = new DeltaFIFO<O>({ keyFunction: keyOf, compressor: (ds) => ds.slice(-1) });
    q.add({ name: 'a', v: 1 });
    q.update({ name: 'a', v: 2 });
    q.update({ name: 'a', v: 3 });
    expect(q.getByKey('a')).toEqual([{ type: 'Updated', object: { name: 'a', v: 3 }, key: 'a' }]);
  });

  it('takes a key off the queue when the compressor removes all of its deltas', () => {
    // An add followed by a delete cancels out, as the seed's compressors may decide.
    const cancel = (ds: Deltas<O>): Deltas<O> =>
      ds[0]?.type === 'Added' && ds[ds.length - 1]?.type === 'Deleted' ? [] : ds;
    const q = new DeltaFIFO<O>({ keyFunction: keyOf, compressor: cancel });
    q.add({ name: 'a', v: 1 });
    q.add({ name: 'b', v: 1 });
    q.delete({ name: 'a', v: 1 });
    expect(q.listKeys()).toEqual(['b']);
    expect(q.length).toBe(1);
  });

  it('refuses the write when the compressor throws, leaving the queue as it was', () => {
    let boom = false;
    const q = new DeltaFIFO<O>({
      keyFunction: keyOf,
      compressor: (ds) => {
        if (boom) throw new Error('nope');
        return ds;
      },
    });
    q.add({ name: 'a', v: 1 });
    boom = true;
    expect(() => q.update({ name: 'a', v: 2 })).toThrow(DeltaCompressorError);
    expect(() => q.add({ name: 'n', v: 1 })).toThrow('delta compressor failed for "n": nope');
    expect(q.listKeys()).toEqual(['a']);
    expect(q.getByKey('a')).toEqual([{ type: 'Added', object: { name: 'a', v: 1 }, key: 'a' }]);
  });
});

describe('DeltaFIFO departures from client-go (see DESIGN)', () => {
  it('#16 replace([good, bad, good]) queues every good object and names the bad one (client-go stops at it)', () => {
    const f = new DeltaFIFO<Obj>({ ...pickyWrites, knownObjects: known(obj('old', 1)) });
    expect(() => f.replace([obj('good', 1), obj('', 2), obj('later', 1)], '0')).toThrow(SkippedObjectsError);
    expect(f.listKeys()).toEqual(['good', 'later', 'old']);
    expect(f.hasSynced()).toBe(false);
  });
});
