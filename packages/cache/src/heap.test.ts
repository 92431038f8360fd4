import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import { Heap, HeapClosedError, HeapKeyNotFoundError } from './heap.js';
import { KeyError } from './keys.js';

interface Obj {
  name: string;
  value: number;
}

const obj = (name: string, value: number): Obj => ({ name, value });
const newHeap = () => new Heap<Obj>({ keyFunction: (o) => o.name, less: (a, b) => a.value < b.value });
const popValue = async (h: Heap<Obj>) => (await h.pop()).value;

/** Writes the objects of `spec`, `name=value` separated by spaces, in order, with `add` or `addIfNotPresent`. */
function fill(h: Heap<Obj>, spec: string, write: 'add' | 'addIfNotPresent' = 'add'): void {
  for (const entry of spec.split(' ')) {
    const [name, value] = entry.split('=') as [string, string];
    h[write](obj(name, Number(value)));
  }
}

describe('Heap', () => {
  it('pops in non-decreasing order after interleaved ascending and descending inserts', async () => {
    const h = newHeap();
    for (let i = 0; i < 500; i++) {
      h.add(obj(`up${i}`, i));
      h.add(obj(`down${i}`, 500 - i));
    }
    const out: number[] = [];
    while (h.length > 0) out.push(await popValue(h));
    expect(out).toHaveLength(1000);
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });

  it('updates an existing key in place', async () => {
    const h = newHeap();
    fill(h, 'foo=10 bar=1 baz=11 zab=30 foo=13');
    expect(await popValue(h)).toBe(1);
    expect(await popValue(h)).toBe(11);
    expect(() => h.delete(obj('baz', 0))).toThrow(HeapKeyNotFoundError);
    h.add(obj('foo', 14));
    expect(await popValue(h)).toBe(14);
    expect(await popValue(h)).toBe(30);
  });

  it('pops a bulk add of descending values in increasing order', async () => {
    const h = newHeap();
    h.bulkAdd(Array.from({ length: 500 }, (_, i) => obj(`k${i}`, 500 - i)));
    const out: number[] = [];
    while (h.length > 0) out.push(await popValue(h));
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  });

  it('blocks pop while empty and rejects it with HeapClosedError on close', async () => {
    const h = newHeap();
    let settled = false;
    const waiting = h.pop().finally(() => {
      settled = true;
    });
    await flushMicrotasks();
    expect(settled).toBe(false);
    h.close();
    await expect(waiting).rejects.toBeInstanceOf(HeapClosedError);
    await expect(waiting).rejects.toThrow('heap is closed');
  });

  it('wakes a waiting pop when an object arrives', async () => {
    const h = newHeap();
    const waiting = h.pop();
    await flushMicrotasks();
    h.add(obj('a', 3));
    expect((await waiting).value).toBe(3);
  });

  it('ignores addIfNotPresent for a present key', async () => {
    const h = newHeap();
    fill(h, 'foo=10 bar=1 baz=11 zab=30', 'addIfNotPresent');
    h.addIfNotPresent(obj('foo', 13));
    expect(h.length).toBe(4);
    expect(h.getByKey('foo')?.value).toBe(10);
    expect(await popValue(h)).toBe(1);
    expect(await popValue(h)).toBe(10);
    h.addIfNotPresent(obj('bar', 14));
    expect(await popValue(h)).toBe(11);
    expect(await popValue(h)).toBe(14);
  });

  it('deletes by key only and refuses a missing key', async () => {
    const h = newHeap();
    fill(h, 'foo=10 bar=1 bal=31 baz=11');
    h.delete(obj('bar', 200));
    expect(await popValue(h)).toBe(10);
    h.add(obj('zab', 30));
    h.add(obj('faz', 30));
    const before = h.length;
    expect(() => h.delete(obj('non-existent', 10))).toThrow(HeapKeyNotFoundError);
    expect(h.length).toBe(before);
    h.delete(obj('bal', 31));
    h.delete(obj('zab', 30));
    expect(await popValue(h)).toBe(11);
    expect(await popValue(h)).toBe(30);
    expect(h.length).toBe(0);
  });

  it('re-orders on update in both directions', () => {
    const h = newHeap();
    fill(h, 'foo=10 bar=1 bal=31 baz=11');
    h.update(obj('baz', 0));
    expect(h.peek()).toEqual(obj('baz', 0));
    h.update(obj('baz', 100));
    h.update(obj('bar', 100));
    expect(h.peek()).toEqual(obj('foo', 10));
  });

  it('finds objects by key, ignoring the value of the query', () => {
    const h = newHeap();
    h.add(obj('foo', 10));
    expect(h.get(obj('foo', 999))).toEqual(obj('foo', 10));
    expect(h.getByKey('foo')).toEqual(obj('foo', 10));
    expect(h.get(obj('nope', 1))).toBeUndefined();
    expect(h.getByKey('nope')).toBeUndefined();
  });

  it('reports closing', () => {
    const h = newHeap();
    expect(h.isClosed()).toBe(false);
    h.close();
    expect(h.isClosed()).toBe(true);
  });

  it('lists exactly what was added', () => {
    const h = newHeap();
    expect(h.list()).toEqual([]);
    expect(h.listKeys()).toEqual([]);
    const items = [obj('foo', 10), obj('bar', 1), obj('baz', 11)];
    for (const o of items) h.add(o);
    expect(h.list().sort((a, b) => a.value - b.value)).toEqual([items[1], items[0], items[2]]);
    expect(h.listKeys().sort()).toEqual(['bar', 'baz', 'foo']);
  });

  it('refuses writes after close', () => {
    const h = newHeap();
    h.close();
    expect(() => h.add(obj('a', 1))).toThrow(HeapClosedError);
    expect(() => h.addIfNotPresent(obj('a', 1))).toThrow(HeapClosedError);
    expect(() => h.bulkAdd([obj('a', 1)])).toThrow(HeapClosedError);
    expect(h.length).toBe(0);
  });

  it('keys a whole bulk add before inserting anything', () => {
    const h = new Heap<Obj>({
      keyFunction: (o) => {
        if (o.name === '') throw new Error('no name');
        return o.name;
      },
      less: (a, b) => a.value < b.value,
    });
    expect(() => h.bulkAdd([obj('a', 1), obj('', 2)])).toThrow(KeyError);
    expect(h.length).toBe(0);
  });

  it('rejects a waiting pop when its signal aborts', async () => {
    const h = newHeap();
    const ac = new AbortController();
    const waiting = h.pop(ac.signal);
    ac.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    h.add(obj('a', 1));
    expect(await popValue(h)).toBe(1);
  });

  it('keeps heap order through random updates and deletes', async () => {
    const h = newHeap();
    const model = new Map<string, number>();
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const key = `k${rand(200)}`;
      if (rand(4) === 0 && model.has(key)) {
        h.delete(obj(key, 0));
        model.delete(key);
      } else {
        const v = rand(10000);
        h.update(obj(key, v));
        model.set(key, v);
      }
    }
    const out: number[] = [];
    while (h.length > 0) out.push(await popValue(h));
    expect(out).toEqual([...model.values()].sort((a, b) => a - b));
  });
});

describe('Heap departures from client-go (see DESIGN)', () => {
  it('#16 bulkAdd([good, bad]) adds nothing, where client-go adds the good ones and returns the KeyError (departure)', () => {
    const h = new Heap<Obj>({
      keyFunction: (o) => {
        if (o.name === '') throw new Error('no name');
        return o.name;
      },
      less: (a, b) => a.value < b.value,
    });
    expect(() => h.bulkAdd([obj('good', 1), obj('', 2)])).toThrow(KeyError);
    expect(h.listKeys()).toEqual([]);
  });

  it('#17 a closed heap refuses add with HeapClosedError before keying, where client-go reports the KeyError first (departure)', () => {
    const h = new Heap<Obj>({
      keyFunction: (o) => {
        if (o.name === '') throw new Error('no name');
        return o.name;
      },
      less: (a, b) => a.value < b.value,
    });
    h.close();
    expect(() => h.add(obj('', 1))).toThrow(HeapClosedError);
    expect(() => h.add(obj('a', 1))).toThrow(HeapClosedError);
  });
});
