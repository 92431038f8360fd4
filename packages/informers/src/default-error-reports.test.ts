import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { FakeControllerSource } from '@kubecache/cache/testing';
import { ControllerRunner } from './controller-runner.js';
import { SharedIndexInformer } from './shared-informer.js';

afterEach(() => {
  jest.restoreAllMocks();
});

describe('default error reports', () => {
  it('logs a reconcile that always throws with the runner name and its key, once per minute', async () => {
    const lines: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const clock = new FakeClock(0);
    const runner = new ControllerRunner({
      name: 'labeler',
      clock,
      reconcile: async () => {
        throw new Error('cannot reach the node');
      },
    });
    const stop = new AbortController();
    const done = runner.run(stop.signal);
    runner.enqueue('default/web');
    await flushMicrotasks();
    for (let i = 0; i < 8; i++) await clock.stepAsync(1_000);
    expect(lines[0]).toBe('[kubecache controller labeler] default/web: cannot reach the node');
    expect(lines).toHaveLength(1);
    await clock.stepAsync(90_000); // the retry at ~82 s (5 ms doubling) is the first past the minute
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[1]).toMatch(
      /^\[kubecache controller labeler\] default\/web: cannot reach the node \(\d+ more since the last report\)$/,
    );
    stop.abort();
    await done;
  });

  it('logs a throwing handler with the informer name when no onError is given', async () => {
    const lines: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const source = new FakeControllerSource<KubeObject>();
    source.add({ metadata: { name: 'a', namespace: 'ns' } });
    const informer = new SharedIndexInformer<KubeObject>({
      name: 'pods',
      listerWatcher: source,
      clock: new FakeClock(0),
    });
    informer.addEventHandler({
      name: 'broken',
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    const stop = new AbortController();
    const done = informer.run(stop.signal);
    await flushMicrotasks();
    expect(
      lines.some((l) => l.startsWith('[kubecache informer pods] HandlerError:') && l.includes('handler bug')),
    ).toBe(true);
    stop.abort();
    await done;
  });
});
