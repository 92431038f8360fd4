import { describe, expect, it } from '@jest/globals';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { ItemExponentialFailureRateLimiter, RateLimitingQueue } from '@kubecache/workqueue';
import {
  ControllerRunner,
  type ReconcileOutcome,
  type ReconcileResult,
  RequeueAfterError,
  TerminalError,
} from './controller-runner.js';

function setup(reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult | undefined>, workers = 1) {
  const clock = new FakeClock(0);
  const queue = new RateLimitingQueue<string>({
    clock,
    rateLimiter: new ItemExponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 1000 }),
  });
  const outcomes: ReconcileOutcome[] = [];
  const errors: string[] = [];
  const runner = new ControllerRunner({
    reconcile,
    workers,
    clock,
    queue,
    onError: (key) => errors.push(key),
    metricsProvider: {
      newReconcileOutcomeMetric: (_n, o) => ({ inc: () => outcomes.push(o) }),
      newReconcileTimeMetric: () => ({ observe() {} }),
    },
  });
  const ac = new AbortController();
  return { clock, queue, runner, ac, outcomes, errors };
}

describe('ControllerRunner', () => {
  it('#1 stops within stopTimeoutMs when a reconcile never settles, reporting the stuck key', async () => {
    const clock = new FakeClock(0);
    const reports: [string, unknown][] = [];
    const runner = new ControllerRunner({
      reconcile: () => new Promise<undefined>(() => {}),
      clock,
      stopTimeoutMs: 5000,
      onError: (key, err) => void reports.push([key, err]),
    });
    const ac = new AbortController();
    let resolved = false;
    const done = runner.run(ac.signal).then((r) => {
      resolved = true;
      return r;
    });
    runner.enqueue('ns/stuck');
    await flushMicrotasks();
    ac.abort();
    await clock.stepAsync(4999);
    expect(resolved).toBe(false);
    await clock.stepAsync(1);
    await expect(done).resolves.toBe(true);
    expect(reports).toEqual([['ns/stuck', expect.objectContaining({ name: 'StopTimeoutError' })]]);
    expect(String((reports[0]?.[1] as Error | undefined)?.message)).toContain('ns/stuck');
  });

  it('requeues a failing key with growing backoff and forgets it on success', async () => {
    let calls = 0;
    const t = setup(async () => {
      calls++;
      if (calls <= 2) throw new Error('boom');
      return undefined;
    });
    const done = t.runner.run(t.ac.signal);
    t.runner.enqueue('ns/a');
    await flushMicrotasks();
    expect(calls).toBe(1);
    expect(t.queue.numRequeues('ns/a')).toBe(1);
    await t.clock.stepAsync(5);
    expect(calls).toBe(2);
    await t.clock.stepAsync(9);
    expect(calls).toBe(2); // second backoff is 10 ms
    await t.clock.stepAsync(1);
    expect(calls).toBe(3);
    expect(t.queue.numRequeues('ns/a')).toBe(0);
    expect(t.outcomes).toEqual(['error', 'error', 'success']);
    expect(t.errors).toEqual(['ns/a', 'ns/a']);
    t.ac.abort();
    await expect(done).resolves.toBe(true);
  });

  it('requeues after the asked delay and resets the backoff', async () => {
    let calls = 0;
    const t = setup(async () => {
      calls++;
      if (calls === 1) throw new Error('first');
      return calls === 2 ? { requeueAfterMs: 1000 } : undefined;
    });
    const done = t.runner.run(t.ac.signal);
    t.runner.enqueue('k');
    await t.clock.stepAsync(5);
    expect(calls).toBe(2);
    expect(t.queue.numRequeues('k')).toBe(0);
    await t.clock.stepAsync(999);
    expect(calls).toBe(2);
    await t.clock.stepAsync(1);
    expect(calls).toBe(3);
    expect(t.outcomes).toEqual(['error', 'requeue_after', 'success']);
    t.ac.abort();
    await done;
  });

  it('does not requeue a terminal error', async () => {
    let calls = 0;
    const t = setup(async () => {
      calls++;
      throw new TerminalError('bad spec');
    });
    const done = t.runner.run(t.ac.signal);
    t.runner.enqueue('k');
    await t.clock.stepAsync(10_000);
    expect(calls).toBe(1);
    expect(t.outcomes).toEqual(['terminal']);
    expect(t.clock.pendingTimers()).toBe(0);
    t.ac.abort();
    await done;
  });

  it('retries after the delay an error asks for, and still reports the error', async () => {
    let calls = 0;
    const t = setup(async () => {
      calls++;
      if (calls === 1) throw new RequeueAfterError('dependency not ready', 30_000);
      return undefined;
    });
    const done = t.runner.run(t.ac.signal);
    t.runner.enqueue('k');
    await t.clock.stepAsync(29_999);
    expect(calls).toBe(1);
    await t.clock.stepAsync(1);
    expect(calls).toBe(2);
    expect(t.errors).toEqual(['k']);
    expect(t.outcomes).toEqual(['error', 'success']);
    t.ac.abort();
    await done;
  });

  it('never reconciles one key in two workers at once', async () => {
    const running = new Set<string>();
    let overlap = false;
    let calls = 0;
    const gates: (() => void)[] = [];
    const t = setup(async (key) => {
      if (running.has(key)) overlap = true;
      running.add(key);
      calls++;
      await new Promise<void>((r) => gates.push(r));
      running.delete(key);
      return undefined;
    }, 4);
    const done = t.runner.run(t.ac.signal);
    t.runner.enqueue('k');
    await flushMicrotasks();
    t.runner.enqueue('k');
    t.runner.enqueue('k');
    await flushMicrotasks();
    expect(calls).toBe(1);
    gates.shift()?.();
    await flushMicrotasks();
    expect(calls).toBe(2);
    gates.shift()?.();
    await flushMicrotasks();
    expect(overlap).toBe(false);
    expect(calls).toBe(2);
    t.ac.abort();
    await done;
  });

  it('starts workers only after the given caches have synced', async () => {
    let synced = false;
    let calls = 0;
    const clock = new FakeClock(0);
    const runner = new ControllerRunner({
      clock,
      waitFor: [() => synced, { hasSynced: () => true }],
      reconcile: async () => {
        calls++;
      },
    });
    const ac = new AbortController();
    const done = runner.run(ac.signal);
    runner.enqueue('k');
    await clock.stepAsync(500);
    expect(calls).toBe(0);
    synced = true;
    await clock.stepAsync(100);
    expect(calls).toBe(1);
    ac.abort();
    await expect(done).resolves.toBe(true);
  });

  it('resolves false when stopped before the caches synced', async () => {
    const clock = new FakeClock(0);
    const runner = new ControllerRunner({ clock, waitFor: [() => false], reconcile: async () => undefined });
    const ac = new AbortController();
    const done = runner.run(ac.signal);
    await clock.stepAsync(300);
    ac.abort();
    await expect(done).resolves.toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('lets in-flight reconciles finish on shutdown and aborts their signal', async () => {
    let release!: () => void;
    let sawAbort = false;
    let finished = false;
    const t = setup(async (_key, signal) => {
      await new Promise<void>((r) => {
        release = r;
      });
      sawAbort = signal.aborted;
      finished = true;
      return undefined;
    });
    const done = t.runner.run(t.ac.signal);
    t.runner.enqueue('a');
    t.runner.enqueue('b');
    await flushMicrotasks();
    let resolved = false;
    void done.then(() => {
      resolved = true;
    });
    t.ac.abort();
    await flushMicrotasks();
    expect(resolved).toBe(false);
    release();
    await done;
    expect(finished).toBe(true);
    expect(resolved).toBe(true);
    expect(sawAbort).toBe(true);
    expect(t.outcomes).toEqual(['success']); // 'b' was not started after the stop
  });

  it('refuses to run twice', async () => {
    const t = setup(async () => undefined);
    const done = t.runner.run(t.ac.signal);
    await expect(t.runner.run(t.ac.signal)).rejects.toThrow('already running');
    t.ac.abort();
    await done;
  });
});
