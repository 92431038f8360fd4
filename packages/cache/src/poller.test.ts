import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { Poller } from './poller.js';
import { IndexedStore } from './thread-safe-store.js';

const obj = (name: string): KubeObject => ({ metadata: { name, namespace: 'ns' } });

describe('Poller', () => {
  it('replaces the store with each poll, one period after the last one ends, until stopped', async () => {
    const clock = new FakeClock(0);
    const store = new IndexedStore<KubeObject>();
    const results: KubeObject[][] = [[obj('a')], [obj('a'), obj('b')], [obj('b')]];
    let calls = 0;
    const poller = new Poller<KubeObject>({
      getFunc: async () => ({ items: results[Math.min(calls++, 2)]!, resourceVersion: String(calls) }),
      periodMs: 1000,
      store,
      clock,
    });
    const stop = new AbortController();
    const done = poller.run(stop.signal);
    await flushMicrotasks();
    expect(store.listKeys()).toEqual(['ns/a']);
    await clock.stepAsync(999);
    expect(calls).toBe(1);
    await clock.stepAsync(1);
    expect(store.listKeys().sort()).toEqual(['ns/a', 'ns/b']);
    await clock.stepAsync(1000);
    expect(store.listKeys()).toEqual(['ns/b']);
    expect(store.lastStoreSyncResourceVersion()).toBe('3');
    stop.abort();
    await done;
    await clock.stepAsync(5000);
    expect(calls).toBe(3);
  });

  it('reports a failed poll, keeps the store, and polls again on schedule', async () => {
    const clock = new FakeClock(0);
    const store = new IndexedStore<KubeObject>();
    store.add(obj('kept'));
    const errors: string[] = [];
    let fail = true;
    const poller = new Poller<KubeObject>({
      getFunc: async () => {
        if (fail) throw new Error('server down');
        return [obj('new')];
      },
      periodMs: 500,
      store,
      clock,
      onError: (e) => errors.push(e.message),
    });
    const stop = new AbortController();
    const done = poller.run(stop.signal);
    await flushMicrotasks();
    expect(errors).toEqual(['server down']);
    expect(store.listKeys()).toEqual(['ns/kept']);
    fail = false;
    await clock.stepAsync(500);
    expect(store.listKeys()).toEqual(['ns/new']);
    stop.abort();
    await done;
  });

  it('refuses a period it cannot honour', () => {
    const store = new IndexedStore<KubeObject>();
    expect(() => new Poller({ getFunc: async () => [], periodMs: 0, store })).toThrow(
      new RangeError('Poller: periodMs must be > 0, got 0'),
    );
  });
});
