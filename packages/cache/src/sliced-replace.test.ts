import { describe, expect, it } from '@jest/globals';
import { type Delta, DeltaFIFO, type DeltaFIFOOptions } from './delta-fifo.js';
import { DeletedFinalStateUnknown, KeyError } from './keys.js';
import { formatChange, knownOf, type NamedObj, namedObj } from './queue.contract.js';
import { SkippedObjectsError } from './queue.js';
import { RealFIFO } from './real-fifo.js';

const N = 5_000;
const newFifo = (options: DeltaFIFOOptions<NamedObj> = {}) =>
  new DeltaFIFO<NamedObj>({ keyFunction: nameOf, emitDeltaTypeReplaced: true, ...options });

function nameOf(o: NamedObj): string {
  if (o.name === '') throw new KeyError('no name', o);
  return o.name;
}

function lists(): { known: NamedObj[]; listed: NamedObj[] } {
  const known: NamedObj[] = [];
  const listed: NamedObj[] = [];
  for (let i = 0; i < N; i++) {
    known.push(namedObj(`gone-${i}`, 1), namedObj(`kept-${i}`, 1));
    listed.push(namedObj(`kept-${i}`, 2), namedObj(`new-${i}`, 2));
  }
  return { known, listed };
}

const everything = (f: DeltaFIFO<NamedObj>): string[][] =>
  f.list().map((ds) => ds.map((d: Delta<NamedObj>) => formatChange(d)));

describe('DeltaFIFO.replaceSliced', () => {
  it('queues exactly what replace queues, giving the event loop turns on the way', async () => {
    const { known, listed } = lists();
    const plain = newFifo({ knownObjects: knownOf(...known) });
    plain.replace(listed, '2');
    const sliced = newFifo({ knownObjects: knownOf(...known) });
    let turns = 0;
    let done = false;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const pending = sliced.replaceSliced(listed, '2', 0);
    expect(pending).toBeInstanceOf(Promise);
    expect(sliced.hasSynced()).toBe(false);
    await pending;
    done = true;
    expect(everything(sliced)).toEqual(everything(plain));
    // At least one turn per 1024 objects keyed and per 1024 queued.
    expect(turns).toBeGreaterThanOrEqual(Math.floor((2 * N) / 1024) * 2);
  });

  it('is done at once, and throws at once, when the list fits in one slice', () => {
    const f = newFifo();
    expect(f.replaceSliced([namedObj('a', 1)], '1', 1_000)).toBeUndefined();
    expect(f.listKeys()).toEqual(['a']);
    expect(() => f.replaceSliced([namedObj('b', 1), namedObj('', 1)], '2', 1_000)).toThrow(SkippedObjectsError);
    expect(f.listKeys()).toEqual(['a', 'b']);
  });

  it('leaves out an object it cannot key, queues the rest, then rejects naming it, even after pausing', async () => {
    const { listed } = lists();
    const f = newFifo();
    await expect(f.replaceSliced([...listed, namedObj('', 1)], '1', 0)).rejects.toThrow(SkippedObjectsError);
    expect(f.length).toBe(listed.length);
  });

  it('counts the initial list for hasSynced even when pops take items while it runs', async () => {
    const { listed } = lists();
    const f = newFifo();
    const popped: boolean[] = [];
    const pending = f.replaceSliced(listed, '1', 0);
    const drain = (async () => {
      while (popped.length < listed.length) await f.pop((_d, initial) => void popped.push(initial));
    })();
    await pending;
    await drain;
    expect(popped.every((initial) => initial)).toBe(true);
    expect(f.hasSynced()).toBe(true);
  });
});

describe('DeltaFIFO.replaceSliced tombstones', () => {
  it('does not tombstone a known key again after a pop delivered its queued delete while the relist paused', async () => {
    const kept = Array.from({ length: 4 * 1024 }, (_, i) => namedObj(`kept-${i}`, 1));
    const gone = namedObj('gone', 1);
    const store = new Map([...kept, gone].map((o) => [o.name, o]));
    let snapshotTaken = false;
    const f = newFifo({
      knownObjects: {
        listKeys: () => {
          snapshotTaken = true;
          return Array.from(store.keys());
        },
        getByKey: (key) => store.get(key),
      },
    });
    f.delete(gone);
    const deleted: string[] = [];
    const apply = (deltas: Delta<NamedObj>[]): void => {
      for (const d of deltas) {
        if (d.type !== 'Deleted') store.set(d.object.name, d.object);
        else {
          const key = d.object instanceof DeletedFinalStateUnknown ? d.object.key : d.object.name;
          store.delete(key);
          deleted.push(key);
        }
      }
    };
    const pending = f.replaceSliced(
      kept.map((o) => namedObj(o.name, 2)),
      '2',
      0,
    );
    // The consumer wakes once the known keys were read: at the relist's next pause, it applies the queued
    // delete of `gone`, which the relist has yet to reach in its snapshot.
    const consumer = (async () => {
      while (!snapshotTaken) await new Promise((resolve) => setImmediate(resolve));
      while (f.length > 0) await f.pop(apply);
    })();
    await pending;
    await consumer;
    while (f.length > 0) await f.pop(apply);
    expect(deleted).toEqual(['gone']);
    expect(store.size).toBe(kept.length);
  });
});

describe('RealFIFO.replaceSliced', () => {
  it('queues the same atomic relist as replace, after pausing, and counts it for hasSynced', async () => {
    const { listed } = lists();
    const plain = new RealFIFO<NamedObj>({ keyFunction: nameOf, atomicEvents: true });
    plain.replace(listed, '2');
    const sliced = new RealFIFO<NamedObj>({ keyFunction: nameOf, atomicEvents: true });
    const pending = sliced.replaceSliced(listed, '2', 0);
    expect(pending).toBeInstanceOf(Promise);
    expect(sliced.length).toBe(0);
    await pending;
    expect(sliced.list()).toEqual(plain.list());
    await sliced.pop(() => {});
    expect(sliced.hasSynced()).toBe(true);
  });

  it('leaves out an object it cannot key and queues the relist of the rest, then rejects naming it', async () => {
    const { listed } = lists();
    const f = new RealFIFO<NamedObj>({ keyFunction: nameOf, atomicEvents: true });
    await expect(f.replaceSliced([...listed, namedObj('', 1)], '1', 0)).rejects.toThrow(SkippedObjectsError);
    const [[relist]] = f.list() as [[{ type: string; objects: NamedObj[] }]];
    expect(relist.type).toBe('ReplacedAll');
    expect(relist.objects).toHaveLength(listed.length);
  });
});
