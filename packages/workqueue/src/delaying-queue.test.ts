import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { DelayingQueue } from './delaying-queue.js';
import type { GetResult } from './queue.js';

function item<T>(r: GetResult<T>): T {
  if (r.shutdown) throw new Error('unexpected shutdown');
  return r.item;
}

describe('DelayingQueue', () => {
  it('adds an item once its delay has passed, and only once (TestSimpleQueue)', async () => {
    const clock = new FakeClock(0);
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 50);
    expect(q.len()).toBe(0);
    clock.step(60);
    expect(q.len()).toBe(1);
    q.done(item(await q.get()));
    clock.step(11_000);
    expect(q.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps the earlier ready time of duplicate requests (TestDeduping)', async () => {
    const clock = new FakeClock(0);
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 50);
    q.addAfter('foo', 70);
    clock.step(60);
    expect(q.len()).toBe(1);
    q.done(item(await q.get()));
    clock.step(20);
    expect(q.len()).toBe(0);

    q.addAfter('foo', 50);
    q.addAfter('foo', 30);
    clock.step(40);
    expect(q.len()).toBe(1);
    q.done(item(await q.get()));
    clock.step(20);
    expect(q.len()).toBe(0);
  });

  it('fires items in ready order whatever the add order (TestAddTwoFireEarly)', async () => {
    const clock = new FakeClock(0);
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 1000);
    q.addAfter('bar', 50);
    clock.step(60);
    expect(item(await q.get())).toBe('bar');
    q.addAfter('baz', 2000);
    clock.step(1000);
    expect(item(await q.get())).toBe('foo');
    expect(q.len()).toBe(0);
    clock.step(2000);
    expect(item(await q.get())).toBe('baz');
  });

  it('hands items out in ready order when several come due at once (TestCopyShifting)', async () => {
    const clock = new FakeClock(0);
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('foo', 1000);
    q.addAfter('bar', 500);
    q.addAfter('baz', 250);
    clock.step(2000);
    const got = [item(await q.get()), item(await q.get()), item(await q.get())];
    expect(got).toEqual(['baz', 'bar', 'foo']);
  });

  it('arms one clock timer for many waiting items', () => {
    const clock = new FakeClock(0);
    const q = new DelayingQueue<number>({ clock });
    for (let i = 0; i < 1000; i++) q.addAfter(i, 1000 - i);
    expect(clock.pendingTimers()).toBe(1);
    expect(q.waitingCount()).toBe(1000);
    clock.step(1000);
    expect(q.len()).toBe(1000);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('adds at once for a zero or negative delay', () => {
    const q = new DelayingQueue<string>({ clock: new FakeClock(0) });
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).toBe(2);
  });

  it('drops its timer and ignores addAfter after shutdown', () => {
    const clock = new FakeClock(0);
    const q = new DelayingQueue<string>({ clock });
    q.addAfter('a', 10);
    q.shutDown();
    q.addAfter('b', 10);
    expect(clock.pendingTimers()).toBe(0);
    clock.step(100);
    expect(q.len()).toBe(0);
  });
});
