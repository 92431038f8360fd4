import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from './clock.js';
import { FIFO } from './fifo.js';
import { KeyError } from './keys.js';
import { Backlog, FIFOClosedError, keyWith } from './queue.js';

describe('Backlog', () => {
  it('hands entries out in order across compactions', () => {
    const b = new Backlog<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 3000; i++) b.push(next++);
      for (let i = 0; i < 2500; i++) out.push(b.shift() as number);
      expect(b.length).toBe(next - out.length);
      expect(b.at(0)).toBe(out.length);
    }
    while (b.length > 0) out.push(b.shift() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(b.shift()).toBeUndefined();
  });

  it('copies its entries head first', () => {
    const b = new Backlog<string>();
    b.push('a');
    b.push('b');
    b.push('c');
    b.shift();
    const copy = b.toArray();
    copy.push('x');
    expect(b.toArray()).toEqual(['b', 'c']);
    expect(b.at(-1)).toBeUndefined();
  });
});

describe('the pop gate', () => {
  const key = (o: { name: string }) => o.name;

  it('passes a wake-up on when the woken pop was aborted', async () => {
    const f = new FIFO<{ name: string }>({ keyFunction: key });
    const ac = new AbortController();
    const first = f.pop(() => {}, ac.signal);
    const second = f.pop(() => {});
    await flushMicrotasks();
    f.add({ name: 'a' });
    ac.abort(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    await expect(second).resolves.toEqual({ name: 'a' });
  });

  it('serves waiting pops one item each', async () => {
    const f = new FIFO<{ name: string }>({ keyFunction: key });
    const pops = [f.pop(() => {}), f.pop(() => {}), f.pop(() => {})];
    await flushMicrotasks();
    for (const name of ['a', 'b', 'c']) f.add({ name });
    const got = (await Promise.all(pops)).map((o) => o.name).sort();
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('rejects a pop that waited through a busy close', async () => {
    const f = new FIFO<{ name: string }>({ keyFunction: key });
    f.add({ name: 'a' });
    let release = () => {};
    const busy = f.pop(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const waiting = f.pop(() => {});
    await flushMicrotasks();
    f.close();
    release();
    await expect(busy).resolves.toEqual({ name: 'a' });
    await expect(waiting).rejects.toBeInstanceOf(FIFOClosedError);
  });
});

describe('keyWith', () => {
  it('wraps a foreign error from the key function in a KeyError with its cause', () => {
    const cause = new RangeError('bad');
    let caught: unknown;
    try {
      keyWith(() => {
        throw cause;
      }, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KeyError);
    expect((caught as KeyError).cause).toBe(cause);
  });
});
