import { describe, expect, it } from '@jest/globals';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { type GetResult, WorkQueue } from './queue.js';

function item<T>(r: GetResult<T>): T {
  if (r.shutdown) throw new Error('unexpected shutdown');
  return r.item;
}

describe('WorkQueue', () => {
  it('counts queued items only and collapses duplicates (TestLen)', () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    expect(q.len()).toBe(1);
    q.add('bar');
    expect(q.len()).toBe(2);
    q.add('foo');
    expect(q.len()).toBe(2);
  });

  it('hands items out in FIFO order', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 5; i++) q.add(i);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(item(await q.get()));
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('returns a re-added item again after done (TestReinsert)', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    const first = item(await q.get());
    q.add('foo');
    expect(q.len()).toBe(0);
    q.done(first);
    expect(item(await q.get())).toBe('foo');
    q.done('foo');
    expect(q.len()).toBe(0);
  });

  it('never hands an item to two workers at once (TestCollapseWhileProcessing)', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    expect(item(await q.get())).toBe('foo');
    q.add('foo');
    q.add('foo');
    let second: string | undefined;
    void q.get().then((r) => {
      second = item(r);
    });
    await flushMicrotasks();
    expect(second).toBeUndefined();
    q.done('foo');
    await flushMicrotasks();
    expect(second).toBe('foo');
    q.done('foo');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.add('a');
    expect(await pending).toEqual({ shutdown: false, item: 'a' });
  });

  it('processes every item exactly once more when each is re-added while processing (TestAddWhileProcessing)', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 100; i++) q.add(i);
    const seen = new Map<number, number>();
    const worker = async (): Promise<void> => {
      for (;;) {
        const r = await q.get();
        if (r.shutdown) return;
        const n = (seen.get(r.item) ?? 0) + 1;
        seen.set(r.item, n);
        if (n === 1) q.add(r.item);
        await Promise.resolve();
        q.done(r.item);
        if (q.len() === 0 && q.processingCount() === 0) q.shutDown();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect([...seen.values()].every((n) => n === 2)).toBe(true);
    expect(seen.size).toBe(100);
    expect(q.len()).toBe(0);
  });

  it('ignores adds after shutdown and still hands out queued items (TestBasic)', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const waiting = new WorkQueue<string>();
    const blocked = waiting.get();
    waiting.shutDown();
    expect(await blocked).toEqual({ shutdown: true });
    q.shutDown();
    q.add('b');
    expect(await q.get()).toEqual({ shutdown: false, item: 'a' });
    expect(await q.get()).toEqual({ shutdown: true });
  });

  it('shutDownWithDrain waits until in-flight items are done (TestQueueDrainageUsingShutDownWithDrain)', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    await q.get();
    await q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await flushMicrotasks();
    q.done('a');
    await flushMicrotasks();
    expect(drained).toBe(false);
    q.done('b');
    await drain;
    expect(drained).toBe(true);
  });

  it('shutDown releases a drain in progress (TestForceQueueShutdownUsingShutDown)', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    await q.get();
    const drain = q.shutDownWithDrain();
    q.shutDown();
    await expect(drain).resolves.toBeUndefined();
  });

  it('drains a dirty item re-added during processing (TestQueueDrainageUsingShutDownWithDrainWithDirtyItem)', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    await q.get();
    q.add('foo');
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    expect(await q.get()).toEqual({ shutdown: true });
    q.done('foo');
    // Nothing is processing any more, so the drain ends; the re-added item is still handed out.
    await drain;
    expect(drained).toBe(true);
    expect(await q.get()).toEqual({ shutdown: false, item: 'foo' });
    q.done('foo');
    expect(await q.get()).toEqual({ shutdown: true });
  });

  it('makes a later shutDownWithDrain wait for items handed out after an earlier drain finished', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    await q.shutDownWithDrain(); // nothing processing: returns at once, 'a' is still queued
    expect(await q.get()).toEqual({ shutdown: false, item: 'a' });
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await flushMicrotasks();
    expect(drained).toBe(false);
    q.done('a');
    await drain;
    expect(drained).toBe(true);
  });

  it('stops the metrics timer on shutdown', () => {
    const clock = new FakeClock(0);
    const q = new WorkQueue<string>({ clock, metricsProvider: undefined });
    expect(clock.pendingTimers()).toBe(0);
    q.shutDown();
  });

  it('keeps FIFO order across ring growth', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 50; i++) q.add(i);
    for (let i = 0; i < 30; i++) q.done(item(await q.get()));
    for (let i = 50; i < 300; i++) q.add(i);
    const rest: number[] = [];
    while (q.len() > 0) rest.push(item(await q.get()));
    expect(rest).toEqual(Array.from({ length: 270 }, (_, i) => i + 30));
  });
});

describe('WorkQueue divergences found by differential testing', () => {
  it('#4 shutDownWithDrain waits only while items are processing, not for a re-added item', async () => {
    const q = new WorkQueue<string>();
    q.add('foo');
    const foo = item(await q.get());
    q.add('foo');
    let drained = false;
    const d = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await flushMicrotasks();
    expect(drained).toBe(false);
    q.done(foo);
    await flushMicrotasks();
    expect(drained).toBe(true);
    await d;
    expect(q.len()).toBe(1);
    expect(item(await q.get())).toBe('foo');
  });

  it('#5 done on an item that was never fetched re-queues a dirty item, as client-go does', async () => {
    const q = new WorkQueue<string>();
    q.add('x');
    q.done('x');
    expect(q.len()).toBe(2);
    expect(item(await q.get())).toBe('x');
    expect(item(await q.get())).toBe('x');
    expect(q.processingCount()).toBe(1);
    q.done('x');
    expect(q.processingCount()).toBe(0);
    expect(q.len()).toBe(0);
    q.done('never-added');
    expect(q.len()).toBe(0);
  });
});
