import { describe, expect, it } from '@jest/globals';
import { FIFO } from './fifo.js';
import { KeyError } from './keys.js';
import { isBlocked } from './queue.contract.js';

interface Obj {
  name: string;
  value: number;
}

const obj = (name: string, value: number): Obj => ({ name, value });
const newFifo = () => new FIFO<Obj>({ keyFunction: (o) => o.name });
const popValue = async (f: FIFO<Obj>): Promise<number> => (await f.pop(() => {})).value;

// The pop behaviour FIFO shares with the other queues is in queue.contract.ts (run by queues.contract.test.ts).
describe('FIFO', () => {
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

  it('skips the slot of a deleted key', async () => {
    const f = newFifo();
    f.add(obj('a', 1));
    f.add(obj('b', 2));
    f.delete(obj('a', 0));
    expect(f.listKeys()).toEqual(['b']);
    expect(await popValue(f)).toBe(2);
    expect(f.length).toBe(0);
  });

  it('syncs when every initial item was popped or deleted', async () => {
    const f = newFifo();
    f.replace([obj('a', 1), obj('b', 2)], '0');
    f.delete(obj('a', 0));
    expect(await popValue(f)).toBe(2);
    expect(f.hasSynced()).toBe(true);
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
});

describe('FIFO divergences found by differential testing', () => {
  it('#9 FIFO synced latch: a deleted initial item does not count as delivered', async () => {
    const f = newFifo();
    f.replace([obj('a', 1)], '0');
    f.delete(obj('a', 1));
    const ac = new AbortController();
    const blocked = f.pop(() => {}, ac.signal);
    expect(await isBlocked(blocked)).toBe(true);
    expect(f.hasSynced()).toBe(false);
    ac.abort(new Error('stop'));
    await expect(blocked).rejects.toThrow('stop');

    const g = newFifo();
    g.replace([obj('a', 1)], '0');
    g.delete(obj('a', 1));
    g.add(obj('n2', 2));
    const seen: boolean[] = [];
    await g.pop((_item, initial) => void seen.push(initial));
    expect(seen).toEqual([true]);
    expect(g.hasSynced()).toBe(true);
  });
});
