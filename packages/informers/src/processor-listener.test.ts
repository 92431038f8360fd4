import { describe, expect, it } from '@jest/globals';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { type HandlerError, ProcessorListener } from './processor-listener.js';
import type { InformerEvent, ResourceEventHandler } from './resource-event-handler.js';

const add = (obj: string, isInInitialList = false): InformerEvent<string> => ({ type: 'add', obj, isInInitialList });

function listener(handler: ResourceEventHandler<string>, clock = new FakeClock(0)) {
  const errors: HandlerError[] = [];
  const l = new ProcessorListener<string>({
    handler,
    name: 'h1',
    clock,
    resyncPeriodMs: 0,
    onError: (e) => errors.push(e),
  });
  return { l, errors, clock };
}

describe('ProcessorListener', () => {
  it('delivers events to an async handler one at a time, in order', async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const gates: (() => void)[] = [];
    const { l } = listener({
      onAdd: async (obj) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => gates.push(r));
        seen.push(obj);
        active--;
      },
    });
    for (const x of ['a', 'b', 'c']) l.add(add(x));
    expect(l.backlog()).toBe(2);
    for (let turn = 0; turn < 10 && seen.length < 3; turn++) {
      await flushMicrotasks();
      gates.shift()?.();
      await flushMicrotasks();
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(maxActive).toBe(1);
    expect(l.backlog()).toBe(0);
  });

  it('reports a throwing handler with its name and keeps delivering', () => {
    const seen: string[] = [];
    const { l, errors } = listener({
      onAdd: (obj) => {
        if (obj === 'bad') throw new Error('kaboom');
        seen.push(obj);
      },
    });
    l.add(add('a'));
    l.add(add('bad'));
    l.add(add('c'));
    expect(seen).toEqual(['a', 'c']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.name).toBe('HandlerError');
    expect(errors[0]?.handlerName).toBe('h1');
    expect(errors[0]?.message).toContain('kaboom');
    expect(l.errors().count).toBe(1);
  });

  it('reports a rejecting async handler and goes on', async () => {
    const seen: string[] = [];
    const { l, errors } = listener({
      onAdd: async (obj) => {
        if (obj === 'bad') throw new Error('async kaboom');
        seen.push(obj);
      },
    });
    l.add(add('bad'));
    l.add(add('b'));
    await flushMicrotasks();
    expect(seen).toEqual(['b']);
    expect(errors[0]?.cause).toEqual(new Error('async kaboom'));
  });

  it('exposes the backlog length and the age of the oldest pending event', async () => {
    let release!: () => void;
    const clock = new FakeClock(1000);
    const { l } = listener(
      {
        onAdd: () =>
          new Promise<void>((r) => {
            release = r;
          }),
      },
      clock,
    );
    l.add(add('a'));
    clock.step(100);
    l.add(add('b'));
    l.add(add('c'));
    clock.step(50);
    expect(l.backlog()).toBe(2);
    expect(l.oldestPendingAgeMs()).toBe(150);
    release();
    await flushMicrotasks();
    expect(l.backlog()).toBe(1);
    expect(l.oldestPendingAgeMs()).toBe(0); // 'b' started at t=1150
  });

  it('counts initial adds until the handler has processed them, even when one fails', async () => {
    const gates: (() => void)[] = [];
    const { l } = listener({
      onAdd: (obj) => {
        if (obj === 'bad') throw new Error('x');
        return new Promise<void>((r) => gates.push(r));
      },
    });
    l.add(add('a', true));
    l.add(add('bad', true));
    expect(l.pendingInitial()).toBe(2);
    gates.shift()?.();
    await flushMicrotasks();
    expect(l.pendingInitial()).toBe(0);
  });

  it('queues events a synchronous handler causes behind the current one', () => {
    const seen: string[] = [];
    const { l } = listener({
      onAdd: (obj) => {
        seen.push(`start ${obj}`);
        if (obj === 'a') l.add(add('b'));
        seen.push(`end ${obj}`);
      },
    });
    l.add(add('a'));
    expect(seen).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('stop drops queued events and waits for the call in progress', async () => {
    let release!: () => void;
    const seen: string[] = [];
    const { l } = listener({
      onAdd: (obj) => {
        seen.push(obj);
        return new Promise<void>((r) => {
          release = r;
        });
      },
    });
    l.add(add('a'));
    l.add(add('b'));
    let stopped = false;
    const stop = l.stop().then(() => {
      stopped = true;
    });
    await flushMicrotasks();
    expect(stopped).toBe(false);
    release();
    await stop;
    l.add(add('c'));
    expect(seen).toEqual(['a']);
  });

  it('resolves every stop call, not only the last, once the call in progress returns', async () => {
    let release!: () => void;
    const { l } = listener({
      onAdd: () =>
        new Promise<void>((r) => {
          release = r;
        }),
    });
    l.add(add('a'));
    const settled: string[] = [];
    const first = l.stop().then(() => settled.push('first'));
    const second = l.stop().then(() => settled.push('second'));
    await flushMicrotasks();
    expect(settled).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(settled.sort()).toEqual(['first', 'second']);
  });

  it('flags itself for resync only when its period has passed', () => {
    const clock = new FakeClock(0);
    const l = new ProcessorListener<string>({ handler: {}, name: 'x', clock, resyncPeriodMs: 2000, onError: () => {} });
    expect(l.shouldResync(1000)).toBe(false);
    expect(l.shouldResync(2000)).toBe(true);
    const none = new ProcessorListener<string>({ handler: {}, name: 'y', clock, resyncPeriodMs: 0, onError: () => {} });
    expect(none.syncing).toBe(true);
    expect(none.shouldResync(5000)).toBe(false);
  });
});
