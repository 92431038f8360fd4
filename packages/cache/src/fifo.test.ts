import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from './clock.js';
import { FIFO } from './fifo.js';
import { KeyError } from './keys.js';
import { FIFOClosedError } from './queue.js';

interface Obj {
  name: string;
  value: number;
}

const obj = (name: string, value: number): Obj => ({ name, value });
const newFifo = () => new FIFO<Obj>({ keyFunction: (o) => o.name });
const popValue = async (f: FIFO<Obj>): Promise<number> => (await f.pop(() => {})).value;

/** Starts a pop and reports whether it settled after the microtask queue drained. */
async function isBlocked(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await flushMicrotasks();
  return !settled;
}

describe('FIFO', () => {
  it('keeps the order of each of two interleaved producers', async () => {
    const f = newFifo();
    const produce = async (prefix: string) => {
      for (let i = 0; i < 500; i++) {
        f.add(obj(`${prefix}${i}`, i + 1));
        if (i % 7 === 0) await Promise.resolve();
      }
    };
    const consumed: Obj[] = [];
    const consume = async () => {
      while (consumed.length < 1000) consumed.push(await f.pop(() => {}));
    };
    await Promise.all([produce('a'), produce('b'), consume()]);
    for (const prefix of ['a', 'b']) {
      const values = consumed.filter((o) => o.name.startsWith(prefix)).map((o) => o.value);
      expect(values).toHaveLength(500);
      expect(values).toEqual([...values].sort((x, y) => x - y));
    }
  });

  it('keeps one entry per key and hands out the newest value on update', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.update(obj('foo', 15));
    expect(f.list()).toEqual([obj('foo', 15)]);
    expect(f.listKeys()).toEqual(['foo']);
    expect(await popValue(f)).toBe(15);
    const ac = new AbortController();
    const second = f.pop(() => {}, ac.signal);
    expect(await isBlocked(second)).toBe(true);
    ac.abort(new Error('stop'));
    await expect(second).rejects.toThrow('stop');
    expect(f.getByKey('foo')).toBeUndefined();
  });

  it('pops only the replaced value after add then replace', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.replace([obj('foo', 15)], '0');
    expect(f.length).toBe(1);
    expect(await popValue(f)).toBe(15);
    expect(f.length).toBe(0);
  });

  it('does not let a re-added key jump the line', async () => {
    const f = newFifo();
    f.add(obj('foo', 10));
    f.add(obj('bar', 1));
    f.add(obj('foo', 11));
    f.add(obj('foo', 13));
    f.add(obj('zab', 30));
    expect(await popValue(f)).toBe(13);
    f.add(obj('foo', 14));
    expect([await popValue(f), await popValue(f), await popValue(f)]).toEqual([1, 30, 14]);
  });

  it('skips the slot of a deleted key', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.add(obj('b', 2));
    f.delete(obj('a', 0));
    expect(f.listKeys()).toEqual(['b']);
    expect(await popValue(f)).toBe(2);
    expect(f.length).toBe(0);
  });

  it.each([
    { name: 'no operations', ops: (_f: FIFO<Obj>) => 0, synced: false },
    {
      name: 'an add',
      ops: (f: FIFO<Obj>) => {
        f.add(obj('a', 1));
        return 0;
      },
      synced: true,
    },
    {
      name: 'an empty replace',
      ops: (f: FIFO<Obj>) => {
        f.replace([], '0');
        return 0;
      },
      synced: true,
    },
    {
      name: 'a replace of two',
      ops: (f: FIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
        return 0;
      },
      synced: false,
    },
    {
      name: 'a replace of two and one pop',
      ops: (f: FIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
        return 1;
      },
      synced: false,
    },
    {
      name: 'a replace of two and two pops',
      ops: (f: FIFO<Obj>) => {
        f.replace([obj('a', 1), obj('b', 2)], '0');
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

  it('counts an initial item as delivered only after its process returns', async () => {
    const f = newFifo();
    f.replace([obj('a', 1)], '0');
    const seen: [boolean, boolean][] = [];
    await f.pop((_o, initial) => {
      seen.push([initial, f.hasSynced()]);
    });
    expect(seen).toEqual([[true, false]]);
    expect(f.hasSynced()).toBe(true);
  });

  it('syncs when every initial item was popped or deleted', async () => {
    const f = newFifo();
    f.replace([obj('a', 1), obj('b', 2)], '0');
    f.delete(obj('a', 0));
    expect(await popValue(f)).toBe(2);
    expect(f.hasSynced()).toBe(true);
  });

  it('unblocks every waiting pop on close with FIFOClosedError', async () => {
    const f = newFifo();
    const pops = Array.from({ length: 10 }, () => f.pop(() => {}));
    expect(await isBlocked(pops[0] as Promise<Obj>)).toBe(true);
    f.close();
    expect(f.isClosed()).toBe(true);
    for (const p of pops) await expect(p).rejects.toBeInstanceOf(FIFOClosedError);
  });

  it('still drains queued items after close', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.close();
    expect(await popValue(f)).toBe(1);
    await expect(f.pop(() => {})).rejects.toBeInstanceOf(FIFOClosedError);
  });

  it('rejects pop with the error process threw and loses nothing else', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.add(obj('b', 2));
    await expect(
      f.pop(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(f.listKeys()).toEqual(['b']);
    expect(await popValue(f)).toBe(2);
  });

  it('awaits an async process and serves the next pop only after it', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.add(obj('b', 2));
    const order: string[] = [];
    let release = () => {};
    const first = f.pop(async (o) => {
      order.push(`start ${o.name}`);
      await new Promise<void>((r) => {
        release = r;
      });
      order.push(`end ${o.name}`);
    });
    const second = f.pop((o) => {
      order.push(`start ${o.name}`);
    });
    await flushMicrotasks();
    expect(order).toEqual(['start a']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['start a', 'end a', 'start b']);
  });

  it('rejects a waiting pop when its signal aborts, taking nothing', async () => {
    const f = newFifo();
    const ac = new AbortController();
    const aborted = f.pop(() => {}, ac.signal);
    ac.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    f.add(obj('a', 1));
    expect(await popValue(f)).toBe(1);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    await expect(f.pop(() => {}, AbortSignal.abort(new Error('late')))).rejects.toThrow('late');
    expect(f.length).toBe(1);
  });

  it('wakes a waiting pop when an item arrives', async () => {
    const f = newFifo();
    const waiting = f.pop(() => {});
    expect(await isBlocked(waiting)).toBe(true);
    f.add(obj('a', 7));
    expect((await waiting).value).toBe(7);
  });

  it('adds with addIfNotPresent only when the key is absent', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.addIfNotPresent(obj('a', 2));
    f.addIfNotPresent(obj('b', 3));
    expect(f.getByKey('a')).toEqual(obj('a', 1));
    expect([await popValue(f), await popValue(f)]).toEqual([1, 3]);
  });

  it('replaces queue and values wholesale', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.replace([obj('b', 2), obj('c', 3), obj('b', 4)], '0');
    expect(f.listKeys().sort()).toEqual(['b', 'c']);
    const values = [await popValue(f), await popValue(f)].sort();
    expect(values).toEqual([3, 4]);
  });

  it('re-queues nothing on resync when every stored key is queued', () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.resync();
    expect(f.length).toBe(1);
    expect(f.list()).toEqual([obj('a', 1)]);
  });

  it('throws KeyError and changes nothing for objects it cannot key', () => {
    const f = new FIFO<Obj>({
      keyFunction: (o) => {
        if (o.name === '') throw new Error('no name');
        return o.name;
      },
    });
    f.add(obj('a', 1));
    expect(() => f.add(obj('', 2))).toThrow(KeyError);
    expect(() => f.delete(obj('', 2))).toThrow(KeyError);
    expect(() => f.replace([obj('b', 1), obj('', 2)], '0')).toThrow(KeyError);
    expect(f.list()).toEqual([obj('a', 1)]);
    expect(f.hasSynced()).toBe(true);
  });

  it('keeps the order across many pops with interleaved adds', async () => {
    const f = newFifo();
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 200; i++) f.add(obj(`k${next}`, next++));
      for (let i = 0; i < 150; i++) seen.push(await popValue(f));
    }
    while (f.length > 0) seen.push(await popValue(f));
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
  });
});
