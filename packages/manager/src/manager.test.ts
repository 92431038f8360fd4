import { describe, expect, it } from '@jest/globals';
import { internalError, type KubeObject, type ListOptions } from '@kubecache/apimachinery';
import type { ListerWatcher } from '@kubecache/cache';
import { FakeClock, FakeControllerSource } from '@kubecache/cache/testing';
import { TerminalError } from '@kubecache/informers';
import { defer, type Observable, throwError } from 'rxjs';
import { MemoryLeaseLock } from './lease-lock.js';
import { Manager } from './manager.js';
import { LeaderElectionLostError, ShutdownTimeoutError } from './manager-options.js';
import { MemoryEventSink } from './memory-event-sink.js';
import { parsePromText, sampleValue } from './testing/prom-text.js';

function pod(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' } };
}

/** A source that can be taken down: while down, every list and watch fails with a 500. */
class FlakySource implements ListerWatcher<KubeObject> {
  down = false;
  constructor(readonly inner: FakeControllerSource<KubeObject>) {}
  list(options: ListOptions, signal?: AbortSignal) {
    if (this.down) return Promise.reject(internalError('server down'));
    return this.inner.list(options, signal);
  }
  watch(options: ListOptions): Observable<import('@kubecache/apimachinery').WatchEvent<KubeObject>> {
    return defer(() => (this.down ? throwError(() => internalError('server down')) : this.inner.watch(options)));
  }
}

interface Setup {
  clock: FakeClock;
  source: FakeControllerSource<KubeObject>;
  flaky: FlakySource;
  lock: MemoryLeaseLock;
  logs: string[];
  manager: Manager;
}

function setup(extra: Partial<ConstructorParameters<typeof Manager>[0]> = {}): Setup {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const source = new FakeControllerSource<KubeObject>();
  const flaky = new FlakySource(source);
  const lock = new MemoryLeaseLock();
  const logs: string[] = [];
  const log = (m: string): number => logs.push(m);
  const manager = new Manager({
    listerWatcherFor: () => flaky,
    clock,
    metricsPort: 0,
    healthPort: 0,
    eventSink: new MemoryEventSink(),
    logger: { info: log, warn: log, error: log },
    ...extra,
  });
  return { clock, source, flaky, lock, logs, manager };
}

async function until(clock: FakeClock, cond: () => boolean | Promise<boolean>, stepMs = 10, max = 2_000) {
  for (let i = 0; i < max; i++) {
    if (await cond()) return;
    await clock.stepAsync(stepMs);
  }
  throw new Error('condition not reached');
}

async function status(url: string | undefined, path: string): Promise<number> {
  return (await fetch(`${url}${path}`)).status;
}

describe('Manager', () => {
  it('serves /readyz not-ready until the caches sync, then ready; /healthz ok throughout', async () => {
    const s = setup();
    s.source.add(pod('a'));
    s.manager.informerFor({ version: 'v1', resource: 'pods' });
    const { health } = await s.manager.listen();
    expect(health).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await status(health, '/readyz')).toBe(503);
    expect(await status(health, '/healthz')).toBe(200);
    const abort = new AbortController();
    const run = s.manager.start(abort.signal);
    await until(s.clock, async () => (await status(health, '/readyz')) === 200);
    const verbose = await (await fetch(`${health}/readyz?verbose`)).text();
    expect(verbose).toBe('[+]informer-sync ok\n[+]informers ok\nreadyz check passed\n');
    abort.abort();
    await run;
  });

  it('turns not-ready while an informer has been failing past the threshold, and ready again after', async () => {
    const s = setup({ readinessBackoffThresholdMs: 5_000 });
    s.manager.informerFor({ version: 'v1', resource: 'pods' });
    const { health } = await s.manager.listen();
    const abort = new AbortController();
    const run = s.manager.start(abort.signal);
    await until(s.clock, async () => (await status(health, '/readyz')) === 200);
    s.flaky.down = true;
    s.source.closeWatches();
    await s.clock.stepAsync(1_000);
    expect(await status(health, '/readyz')).toBe(200); // failing, but not for long yet
    await until(s.clock, async () => (await status(health, '/readyz')) === 503, 500, 40);
    const text = await (await fetch(`${health}/readyz?verbose`)).text();
    expect(text).toMatch(/\[-\]informers failed: informers failing for more than 5000 ms: v1\/pods/);
    s.flaky.down = false;
    await until(s.clock, async () => (await status(health, '/readyz')) === 200, 1_000, 120);
    abort.abort();
    await run;
  });

  it('counts adds, retries and reconcile results exactly on /metrics', async () => {
    const s = setup();
    const pods = s.manager.informerFor({ version: 'v1', resource: 'pods' });
    const seen = new Map<string, number>();
    const ctrl = s.manager.addController({
      name: 'pods',
      reconcile: async (key) => {
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (key === 'default/fails-once' && n === 1) throw new Error('transient');
        if (key === 'default/terminal') throw new TerminalError('bad spec');
        if (key === 'default/requeue' && n === 1) return { requeueAfterMs: 100 };
      },
    });
    pods.addEventHandler({ onAdd: (p) => ctrl.enqueue(`default/${p.metadata?.name}`) });
    for (const name of ['ok', 'fails-once', 'terminal', 'requeue']) s.source.add(pod(name));
    const { metrics } = await s.manager.listen();
    const abort = new AbortController();
    const run = s.manager.start(abort.signal);
    await until(s.clock, () => seen.get('default/fails-once') === 2 && seen.get('default/requeue') === 2);
    await s.clock.stepAsync(1_000);
    const samples = parsePromText(await (await fetch(`${metrics}/metrics`)).text());
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);
    expect(v('workqueue_adds_total', { name: 'pods' })).toBe(6); // 4 keys + 1 retry + 1 requeueAfter
    expect(v('workqueue_retries_total', { name: 'pods' })).toBe(2);
    expect(v('workqueue_depth', { name: 'pods' })).toBe(0);
    expect(v('controller_runtime_reconcile_total', { controller: 'pods', result: 'success' })).toBe(3);
    expect(v('controller_runtime_reconcile_total', { controller: 'pods', result: 'error' })).toBe(2);
    expect(v('controller_runtime_reconcile_total', { controller: 'pods', result: 'requeue_after' })).toBe(1);
    expect(v('controller_runtime_reconcile_total', { controller: 'pods', result: 'requeue' })).toBe(0);
    expect(v('controller_runtime_reconcile_errors_total', { controller: 'pods' })).toBe(2);
    expect(v('controller_runtime_terminal_reconcile_errors_total', { controller: 'pods' })).toBe(1);
    expect(v('controller_runtime_reconcile_time_seconds_count', { controller: 'pods' })).toBe(6);
    expect(v('reflector_lists_total', { name: 'v1/pods' })).toBe(1);
    expect(v('reflector_watches_total', { name: 'v1/pods' })).toBe(1);
    expect(v('reflector_last_resource_version', { name: 'v1/pods' })).toBe(4);
    abort.abort();
    await run;
  });

  it('runs controllers only while leading, and shuts down in order: drain, informers, lease', async () => {
    const s = setup();
    const lock = new MemoryLeaseLock();
    const m = new Manager({
      listerWatcherFor: () => s.flaky,
      clock: s.clock,
      logger: { info: (l) => s.logs.push(l), warn: (l) => s.logs.push(l), error: (l) => s.logs.push(l) },
      leaderElection: { name: 'op', identity: 'me', lock, random: () => 0 },
    });
    m.informerFor({ version: 'v1', resource: 'pods' });
    let running = false;
    m.add({
      name: 'probe',
      run: async (signal) => {
        running = true;
        await new Promise((r) => signal.addEventListener('abort', r));
        s.logs.push('probe stopped');
      },
    });
    const abort = new AbortController();
    const run = m.start(abort.signal);
    await until(s.clock, () => running);
    expect(lock.current()?.record.holderIdentity).toBe('me');
    abort.abort();
    await run;
    const order = s.logs.filter((l) => /probe stopped|^shutdown: /.test(l));
    expect(order).toEqual([
      'probe stopped',
      'shutdown: controllers drained',
      'shutdown: informers stopped',
      'shutdown: events flushed',
      'shutdown: leader election stopped',
      'shutdown: lease released',
    ]);
    expect(lock.current()?.record.holderIdentity).toBe('');
  });

  it('stops controllers at once when the lease is lost, keeps the lease, and rejects start', async () => {
    const s = setup();
    const lock = new MemoryLeaseLock();
    const m = new Manager({
      listerWatcherFor: () => s.flaky,
      clock: s.clock,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      leaderElection: { name: 'op', identity: 'me', lock },
    });
    let stoppedAt: number | undefined;
    m.add({
      run: async (signal) => {
        await new Promise((r) => signal.addEventListener('abort', r));
        stoppedAt = s.clock.now();
      },
    });
    const run = m.start(new AbortController().signal);
    const settled = run.catch((e: unknown) => e);
    await until(s.clock, () => lock.current()?.record.holderIdentity === 'me');
    const held = lock.current();
    if (!held) throw new Error('no lease');
    await lock.update({ ...held.record, holderIdentity: 'thief' }, held.resourceVersion, new AbortController().signal);
    const takenAt = s.clock.now();
    await until(s.clock, () => stoppedAt !== undefined);
    expect((stoppedAt as number) - takenAt).toBeLessThanOrEqual(2_000); // the next renewal notices
    expect(await settled).toBeInstanceOf(LeaderElectionLostError);
    expect(lock.current()?.record.holderIdentity).toBe('thief');
  });

  it('gives up on a controller that will not stop, and then does not release the lease', async () => {
    const s = setup();
    const lock = new MemoryLeaseLock();
    const m = new Manager({
      listerWatcherFor: () => s.flaky,
      clock: s.clock,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      leaderElection: { name: 'op', identity: 'me', lock },
      gracefulShutdownTimeoutMs: 1_000,
    });
    let started = false;
    m.add({
      run: () => {
        started = true;
        return new Promise(() => {});
      },
    });
    const abort = new AbortController();
    const run = m.start(abort.signal).catch((e: unknown) => e);
    await until(s.clock, () => started);
    abort.abort();
    await s.clock.stepAsync(1_500);
    expect(await run).toBeInstanceOf(ShutdownTimeoutError);
    expect(lock.current()?.record.holderIdentity).toBe('me');
  });

  it('records Events through its recorder and flushes them on shutdown', async () => {
    const sink = new MemoryEventSink();
    const s = setup({ eventSink: sink });
    const recorder = s.manager.eventRecorderFor('my-operator');
    const abort = new AbortController();
    const run = s.manager.start(abort.signal);
    for (let i = 0; i < 5; i++) recorder.event(pod('a'), 'Warning', 'Failed', 'no zone label');
    abort.abort();
    await run;
    expect([...sink.events.values()].map((e) => [e.reason, e.count])).toEqual([['Failed', 5]]);
  });
});
