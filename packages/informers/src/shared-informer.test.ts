import { describe, expect, it } from '@jest/globals';
import {
  expiredError,
  failureStatus,
  internalError,
  type KubeObject,
  StatusError,
  tooManyRequestsError,
} from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { metaNamespaceKeyFunc } from '@kubecache/cache';
import { FakeControllerSource } from '@kubecache/cache/testing';
import { map, config as rxjsConfig } from 'rxjs';
import type { DeletedObject, InformerEvent } from './resource-event-handler.js';
import { InformerLifecycleError, type InformerQueueKind, SharedIndexInformer } from './shared-informer.js';
import { fakeInformer } from './testing/fake-informer.js';

function pod(name: string, labels: Record<string, string> = {}, v = 1): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { v } } as KubeObject;
}

const nameOf = (o: KubeObject): string => o.metadata?.name ?? '';
const QUEUES: InformerQueueKind[] = ['in-order', 'delta-fifo'];

function setup(resyncPeriodMs = 0, queue: InformerQueueKind = 'in-order') {
  return fakeInformer<KubeObject>({ resyncPeriodMs, queue });
}

function recorder() {
  const events: string[] = [];
  return {
    events,
    handler: {
      onAdd: (o: KubeObject) => void events.push(`add ${nameOf(o)}`),
      onUpdate: (_o: KubeObject, n: KubeObject) => void events.push(`update ${nameOf(n)}`),
      onDelete: (d: DeletedObject<KubeObject>) => void events.push(`delete ${d.key} ${d.kind}`),
    },
  };
}

describe('SharedIndexInformer', () => {
  it('indexes before and after start (TestIndexer)', async () => {
    const t = setup();
    t.informer.addIndexers({ labels: (o) => Object.values(o.metadata?.labels ?? {}) });
    t.source.add(pod('pod1', { a: 'a', b: 'b' }));
    t.source.add(pod('pod2', { b: 'b' }));
    await t.start();
    expect(t.informer.getIndexer().byIndex('labels', 'a').map(nameOf)).toEqual(['pod1']);
    t.source.add(pod('pod3', { a: 'a' }));
    await flushMicrotasks();
    expect(t.informer.getIndexer().byIndex('labels', 'a').map(nameOf).sort()).toEqual(['pod1', 'pod3']);
    t.informer.addIndexers({ labels2: (o) => Object.values(o.metadata?.labels ?? {}) });
    expect(t.informer.getIndexer().byIndex('labels2', 'a').map(nameOf).sort()).toEqual(['pod1', 'pod3']);
    expect(t.informer.getIndexer().listIndexFuncValues('labels2').sort()).toEqual(['a', 'b']);
    await t.stop();
    expect(() => t.informer.addIndexers({ x: () => [] })).toThrow('stopped already');
  });

  it.each(QUEUES)('keys each listed, watched and resynced object once on its way to the store (%s)', async (queue) => {
    const clock = new FakeClock(0);
    const source = new FakeControllerSource<KubeObject>();
    source.add(pod('pod1'));
    source.add(pod('pod2'));
    let keyed = 0;
    const keyFunc = (o: KubeObject): string => {
      keyed++;
      return metaNamespaceKeyFunc(o);
    };
    const informer = new SharedIndexInformer<KubeObject>({
      listerWatcher: source,
      clock,
      queue,
      keyFunc,
      resyncPeriodMs: 1000,
    });
    const r = recorder();
    informer.addEventHandler(r.handler);
    const ac = new AbortController();
    const running = informer.run(ac.signal);
    try {
      await flushMicrotasks();
      expect(informer.hasSynced()).toBe(true);
      expect(keyed).toBe(2);
      source.modify(pod('pod1', { a: 'b' }));
      source.add(pod('pod3'));
      source.delete(pod('pod2'));
      await flushMicrotasks();
      expect(keyed).toBe(5);
      // A resync re-delivers the stored objects under their store keys: nothing is keyed.
      await clock.stepAsync(1000);
      expect(r.events).toEqual([
        'add pod1',
        'add pod2',
        'update pod1',
        'add pod3',
        'delete default/pod2 object',
        'update pod1',
        'update pod3',
      ]);
      expect(keyed).toBe(5);
    } finally {
      ac.abort();
      await running;
    }
  });

  it('lowers the check period for handlers added before start (TestResyncCheckPeriod)', () => {
    const t = setup(12 * 3600_000);
    const regs = [0, 60_000, 55_000, 5_000].map((p) => {
      t.informer.addEventHandler({}, { resyncPeriodMs: p });
      return t.informer.resyncCheckPeriodMs();
    });
    expect(regs).toEqual([12 * 3600_000, 60_000, 55_000, 5_000]);
  });

  it.each(QUEUES)('resyncs each handler on its own period (TestListenerResyncPeriods, %s)', async (queue) => {
    const t = setup(1000, queue);
    t.source.add(pod('pod1'));
    t.source.add(pod('pod2'));
    const r = [recorder(), recorder(), recorder()];
    t.informer.addEventHandler(r[0]!.handler, { resyncPeriodMs: 0 });
    t.informer.addEventHandler(r[1]!.handler, { resyncPeriodMs: 2000 });
    t.informer.addEventHandler(r[2]!.handler, { resyncPeriodMs: 3000 });
    await t.start();
    for (const x of r) expect(x.events.sort()).toEqual(['add pod1', 'add pod2']);
    for (const x of r) x.events.length = 0;
    await t.clock.stepAsync(2000);
    expect(r.map((x) => x.events.sort())).toEqual([[], ['update pod1', 'update pod2'], []]);
    for (const x of r) x.events.length = 0;
    await t.clock.stepAsync(1000);
    expect(r.map((x) => x.events.sort())).toEqual([[], [], ['update pod1', 'update pod2']]);
    await t.stop();
  });

  it.each(QUEUES)(
    'after a watch reset sends unchanged objects only to resyncing handlers (TestSharedInformerWatchDisruption, %s)',
    async (queue) => {
      const t = setup(1000, queue);
      t.source.add(pod('pod1'));
      t.source.add(pod('pod2'));
      const noResync = recorder();
      const withResync = recorder();
      t.informer.addEventHandler(noResync.handler, { resyncPeriodMs: 0 });
      t.informer.addEventHandler(withResync.handler, { resyncPeriodMs: 1000 });
      await t.start();
      await t.clock.stepAsync(1000); // first tick: the no-resync handler stops getting sync updates
      noResync.events.length = 0;
      withResync.events.length = 0;
      t.source.modifyDropWatch(pod('pod2', {}, 2));
      t.source.addDropWatch(pod('pod3'));
      t.source.resetWatch();
      await t.clock.stepAsync(800); // the relist after progress waits the first backoff step
      expect(new Set(noResync.events)).toEqual(new Set(['update pod2', 'add pod3']));
      expect(new Set(withResync.events)).toEqual(new Set(['update pod1', 'update pod2', 'add pod3']));
      await t.stop();
    },
  );

  it.each(QUEUES)('applies the TestResetWatch vector (%s)', async (queue) => {
    const t = setup(0, queue);
    const seen: string[] = [];
    t.informer.addEventHandler({
      onAdd: (o, initial) => void seen.push(`add ${nameOf(o)} ${initial}`),
      onUpdate: (_o, n) => void seen.push(`update ${nameOf(n)}`),
    });
    t.source.add(pod('pod-1'));
    await t.start();
    t.source.modifyDropWatch(pod('pod-1', {}, 2));
    t.source.addDropWatch(pod('pod-2'));
    t.source.resetWatch();
    await t.clock.stepAsync(2000);
    expect(seen).toEqual(['add pod-1 true', 'update pod-1', 'add pod-2 false']);
    await t.stop();
  });

  it('applies the transform before the store and the handlers (TestSharedInformerTransformer)', async () => {
    const t = setup();
    t.informer.setTransform((o) => ({ ...o, metadata: { ...o.metadata, name: nameOf(o).toUpperCase() } }));
    const r = recorder();
    t.informer.addEventHandler(r.handler);
    t.source.add(pod('pod1'));
    t.source.add(pod('pod2'));
    await t.start();
    expect(r.events.sort()).toEqual(['add POD1', 'add POD2']);
    expect(t.informer.getStore().listKeys().sort()).toEqual(['default/POD1', 'default/POD2']);
    expect(() => t.informer.setTransform((o) => o)).toThrow(InformerLifecycleError);
    expect(() => t.informer.setWatchErrorHandler(() => {})).toThrow('already started');
    await t.stop();
  });

  it.each(QUEUES)(
    'never transforms an object twice, through resyncs and relists (TestTransformingInformerRace, %s)',
    async (queue) => {
      const t = setup(1000, queue);
      const seen = new Set<unknown>();
      let twice = 0;
      t.informer.setTransform((o) => {
        if (seen.has(o)) twice++;
        seen.add(o);
        return { ...o, metadata: { ...o.metadata, annotations: { transformed: 'yes' } } };
      });
      t.informer.addEventHandler({}, { resyncPeriodMs: 1000 });
      t.source.add(pod('pod1'));
      await t.start();
      t.source.add(pod('pod2'));
      await t.clock.stepAsync(3000);
      t.source.resetWatch();
      await t.clock.stepAsync(2000);
      expect(twice).toBe(0);
      const stored = t.informer.getStore().list();
      expect(stored.map((o) => [nameOf(o), o.metadata?.annotations?.transformed]).sort()).toEqual([
        ['pod1', 'yes'],
        ['pod2', 'yes'],
      ]);
      await t.stop();
    },
  );

  it('removes handlers idempotently and ignores foreign registrations', () => {
    const a = setup();
    const b = setup();
    const h1 = a.informer.addEventHandler({});
    const h2 = a.informer.addEventHandler({});
    b.informer.removeEventHandler(h1);
    expect(a.informer.handlerCount()).toBe(2);
    a.informer.removeEventHandler(h1);
    a.informer.removeEventHandler(h1);
    expect(a.informer.handlerCount()).toBe(1);
    a.informer.removeEventHandler(h2);
    expect(a.informer.handlerCount()).toBe(0);
    const handler = {};
    const r1 = a.informer.addEventHandler(handler);
    const r2 = a.informer.addEventHandler(handler);
    expect(r1).not.toBe(r2);
    a.informer.removeEventHandler(r1);
    expect(a.informer.handlerCount()).toBe(1);
  });

  it('reports its lifecycle and refuses handlers once stopped (TestStateSharedInformer)', async () => {
    const t = setup();
    expect([t.informer.isStarted(), t.informer.isStopped()]).toEqual([false, false]);
    await t.start();
    expect([t.informer.isStarted(), t.informer.isStopped()]).toEqual([true, false]);
    const h = t.informer.addEventHandler({});
    await t.stop();
    expect([t.informer.isStarted(), t.informer.isStopped()]).toEqual([true, true]);
    expect(() => t.informer.addEventHandler({ name: 'late' })).toThrow(
      /handler late was not added to shared informer because it has stopped already$/,
    );
    expect(() => t.informer.removeEventHandler(h)).not.toThrow();
    expect(t.informer.health().phase).toBe('stopped');
  });

  it('stops delivering to a removed handler (TestRemoveWhileActive)', async () => {
    const t = setup();
    const r = recorder();
    const kept = recorder();
    const reg = t.informer.addEventHandler(r.handler);
    t.informer.addEventHandler(kept.handler);
    t.source.add(pod('pod1'));
    await t.start();
    t.informer.removeEventHandler(reg);
    t.source.add(pod('pod2'));
    await flushMicrotasks();
    expect(kept.events).toEqual(['add pod1', 'add pod2']);
    expect(r.events).toEqual(['add pod1']);
    await t.stop();
  });

  it('gives a late handler synthetic adds and syncs it only once it handled them (TestAddWhileActive)', async () => {
    const t = setup();
    const r1 = recorder();
    const h1 = t.informer.addEventHandler(r1.handler);
    expect(h1.hasSynced()).toBe(false);
    t.source.add(pod('pod1'));
    await t.start();
    expect(h1.hasSynced()).toBe(true);
    const seen: string[] = [];
    let release!: () => void;
    const h2 = t.informer.addEventHandler({
      onAdd: (o, initial) => {
        seen.push(`add ${nameOf(o)} ${initial}`);
        return new Promise<void>((res) => {
          release = res;
        });
      },
    });
    expect(h2.hasSynced()).toBe(false);
    t.source.add(pod('pod2'));
    await flushMicrotasks();
    expect(h2.backlog()).toBe(1);
    expect(h2.hasSynced()).toBe(false);
    release();
    await flushMicrotasks();
    expect(h2.hasSynced()).toBe(true);
    release();
    await flushMicrotasks();
    expect(seen).toEqual(['add pod1 true', 'add pod2 false']);
    expect(r1.events).toEqual(['add pod1', 'add pod2']);
    await t.stop();
  });

  it('reports a throwing handler with its name and keeps delivering to it and to others', async () => {
    const t = setup();
    const good = recorder();
    t.informer.addEventHandler({
      name: 'crashy',
      onAdd: (o) => {
        if (nameOf(o) === 'pod1') throw new Error('boom');
      },
    });
    t.informer.addEventHandler(good.handler);
    t.source.add(pod('pod1'));
    t.source.add(pod('pod2'));
    await t.start();
    expect(good.events.sort()).toEqual(['add pod1', 'add pod2']);
    expect(t.errors.map((e) => e.message)).toEqual(['handler crashy failed on add: boom']);
    expect(t.informer.hasSynced()).toBe(true);
    await t.stop();
  });

  it('delivers a watched delete as the object and a missed one as a tombstone', async () => {
    const t = setup();
    const deletes: DeletedObject<KubeObject>[] = [];
    t.informer.addEventHandler({ onDelete: (d) => void deletes.push(d) });
    const p1 = t.source.add(pod('pod1'));
    const p2 = t.source.add(pod('pod2'));
    await t.start();
    t.source.delete(p1);
    t.source.deleteDropWatch(p2);
    t.source.resetWatch();
    await t.clock.stepAsync(2000);
    expect(deletes.map((d) => [d.kind, d.key, d.obj && nameOf(d.obj)])).toEqual([
      ['object', 'default/pod1', 'pod1'],
      ['tombstone', 'default/pod2', 'pod2'],
    ]);
    await t.stop();
  });

  it('tells update from resync by resource version', async () => {
    const t = setup(1000);
    const events: InformerEvent<KubeObject>[] = [];
    t.informer.addEventHandler({ onEvent: (e) => void events.push(e) }, { resyncPeriodMs: 1000 });
    const p = t.source.add(pod('pod1'));
    await t.start();
    t.source.modify({ ...p, spec: { v: 2 } } as KubeObject);
    await flushMicrotasks();
    await t.clock.stepAsync(1000);
    const updates = events.filter((e) => e.type === 'update').map((e) => e.type === 'update' && e.isSync);
    expect(updates).toEqual([false, true]);
    await t.stop();
  });

  it('hands out frozen objects', async () => {
    const t = setup();
    t.source.add(pod('pod1'));
    await t.start();
    const obj = t.informer.getStore().getByKey('default/pod1') as KubeObject;
    expect(Object.isFrozen(obj.metadata)).toBe(true);
    await t.stop();
  });

  it.each(QUEUES)(
    '#3 syncs the other objects when one cannot be transformed or keyed, reporting it (%s)',
    async (queue) => {
      const t = setup(0, queue);
      t.informer.setTransform((o) => {
        if (nameOf(o) === 'bad') throw new Error('cannot transform');
        return o;
      });
      const r = recorder();
      t.informer.addEventHandler(r.handler);
      t.source.add(pod('good'));
      t.source.add(pod('bad'));
      t.source.add(pod('other'));
      await t.start();
      expect(t.informer.hasSynced()).toBe(true);
      expect(t.informer.getStore().listKeys().sort()).toEqual(['default/good', 'default/other']);
      expect(r.events.sort()).toEqual(['add good', 'add other']);
      expect(t.errors.map((e) => e.message)).toEqual([expect.stringContaining('default/bad: TransformError')]);
      expect(t.source.listCalls).toHaveLength(1);
      t.source.add(pod('later'));
      await flushMicrotasks();
      expect(t.informer.getStore().listKeys()).toContain('default/later');
      await t.stop();
    },
  );

  it('exposes health, calls the watch error handler and fails waitForCacheSync fast on 403', async () => {
    const t = setup();
    const seen: Error[] = [];
    t.informer.setWatchErrorHandler((e) => void seen.push(e));
    const forbidden = new StatusError(failureStatus(403, 'Forbidden', 'Access Denied'));
    t.source.failNextList(forbidden);
    const sync = t.informer.waitForCacheSync();
    await t.start();
    await expect(sync).rejects.toBe(forbidden);
    expect(seen).toEqual([forbidden]);
    expect(t.informer.health()).toMatchObject({ phase: 'backoff', lastError: forbidden, consecutiveFailures: 1 });
    await t.clock.stepAsync(800);
    expect(t.informer.hasSynced()).toBe(true);
    expect(t.informer.health()).toMatchObject({ phase: 'watching', consecutiveFailures: 0 });
    expect(t.informer.lastSyncResourceVersion()).toBe(t.source.resourceVersion());
    await expect(t.informer.waitForCacheSync()).resolves.toBe(true);
    await t.stop();
  });

  it('health: lastEventAt follows the list and the watch events', async () => {
    const t = setup();
    t.clock.step(100);
    await t.start();
    expect(t.informer.health().lastEventAt).toBe(100);
    t.clock.step(50);
    t.source.add(pod('a'));
    t.source.add(pod('b'));
    await flushMicrotasks();
    expect(t.informer.health().lastEventAt).toBe(150);
    // Events a run apart: the time of the later run.
    t.clock.step(25);
    t.source.add(pod('c'));
    await flushMicrotasks();
    expect(t.informer.health()).toMatchObject({ phase: 'watching', lastEventAt: 175, consecutiveFailures: 0 });
    await t.stop();
  });

  it('#5 shows a 429 at watch start as a backoff with its deadline and error', async () => {
    const t = setup();
    await t.start();
    await t.clock.stepAsync(2000);
    const slowDown = tooManyRequestsError('slow down', 10);
    t.source.failNextWatch(slowDown);
    t.source.closeWatches();
    await flushMicrotasks();
    expect(t.informer.health()).toMatchObject({
      phase: 'backoff',
      backoffUntil: 12_000,
      lastError: slowDown,
      consecutiveFailures: 1,
    });
    await t.clock.stepAsync(10_000);
    expect(t.informer.health()).toMatchObject({ phase: 'watching', backoffUntil: undefined, lastError: slowDown });
    await t.stop();
  });

  it('#5 records a 410 or an undecodable line on an open watch as the last error', async () => {
    const t = setup();
    await t.start();
    const expired = expiredError('too old resource version');
    t.source.sendError(expired.status);
    await flushMicrotasks();
    // After the progress of the first list, the first backoff step.
    expect(t.informer.health()).toMatchObject({ phase: 'backoff', backoffUntil: 800, lastError: { code: 410 } });
    await t.clock.stepAsync(800);
    const garbled = internalError('unable to decode an event from the watch stream');
    t.source.sendError(garbled.status);
    await flushMicrotasks();
    expect(t.informer.health()).toMatchObject({ phase: 'backoff', backoffUntil: 1600, lastError: { code: 500 } });
    await t.clock.stepAsync(800);
    expect(t.informer.health()).toMatchObject({ phase: 'watching', lastError: { code: 500 } });
    expect(t.source.listCalls).toHaveLength(3);
    await t.stop();
  });

  it('keeps waiting through a transient 500 and resolves once synced', async () => {
    const t = setup();
    t.source.failNextList(new StatusError(failureStatus(500, 'InternalError', 'oops')));
    const sync = t.informer.waitForCacheSync();
    await t.start();
    await t.clock.stepAsync(800);
    await expect(sync).resolves.toBe(true);
    await t.stop();
  });

  it('#11 isolates a throwing events$ subscriber: the error is reported, the stream and the process go on', async () => {
    const unhandled: unknown[] = [];
    rxjsConfig.onUnhandledError = (err) => void unhandled.push(err);
    try {
      const t = setup();
      const direct: string[] = [];
      const piped: string[] = [];
      t.informer.events$.subscribe((e) => {
        if (e.type === 'add' && nameOf(e.obj) === 'bad') throw new Error('subscriber bug');
        direct.push(e.type === 'add' ? nameOf(e.obj) : e.type);
      });
      t.informer.events$.pipe(map((e) => (e.type === 'add' ? nameOf(e.obj) : e.type))).subscribe({
        next: (name) => {
          if (name === 'bad') throw new Error('piped subscriber bug');
          piped.push(name);
        },
      });
      t.source.add(pod('bad'));
      await t.start();
      t.source.add(pod('good'));
      await flushMicrotasks();
      await new Promise((resolve) => setTimeout(resolve, 0)); // after rxjs's own 0 ms report timer
      expect(unhandled).toEqual([]);
      expect(direct).toEqual(['good']);
      expect(piped).toEqual(['good']);
      expect(t.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('subscriber bug'),
        expect.stringContaining('piped subscriber bug'),
      ]);
      await t.stop();
    } finally {
      rxjsConfig.onUnhandledError = null;
    }
  });

  it('streams events through events$ and the async iterator', async () => {
    const t = setup();
    t.source.add(pod('pod1'));
    const viaRx: string[] = [];
    let completed = false;
    const sub = t.informer.events$.subscribe({
      next: (e) => void viaRx.push(e.type),
      complete: () => {
        completed = true;
      },
    });
    const it = t.informer.events();
    await t.start();
    t.source.add(pod('pod2'));
    await flushMicrotasks();
    const first = await it.next();
    const second = await it.next();
    expect([first.value?.type, second.value?.type]).toEqual(['add', 'add']);
    expect(viaRx).toEqual(['add', 'add']);
    await t.stop();
    expect(completed).toBe(true);
    expect((await it.next()).done).toBe(true);
    sub.unsubscribe();
  });

  it('ends an event iterator on abort or return, releasing its handler and a pending next', async () => {
    const t = setup();
    await t.start();
    const ac = new AbortController();
    const aborted = t.informer.events(ac.signal);
    const returned = t.informer.events();
    expect(t.informer.handlerCount()).toBe(2);
    const pending = aborted.next();
    ac.abort();
    expect((await pending).done).toBe(true);
    await returned.return?.();
    expect((await returned.next()).done).toBe(true);
    expect(t.informer.handlerCount()).toBe(0);
    const already = t.informer.events(ac.signal);
    expect((await already.next()).done).toBe(true);
    expect(t.informer.handlerCount()).toBe(0);
    await t.stop();
  });

  it('#1 stops within stopTimeoutMs when a handler never settles, naming the stuck handler', async () => {
    const t = setup();
    t.informer.addEventHandler({ name: 'stuck-handler', onAdd: () => new Promise<void>(() => {}) });
    t.source.add(pod('a'));
    await t.start();
    let stopped = false;
    t.informer.onStopped(() => {
      stopped = true;
    });
    t.ac.abort();
    await t.clock.stepAsync(9999);
    expect(stopped).toBe(false);
    await t.clock.stepAsync(1);
    await t.running();
    expect(stopped).toBe(true);
    expect(t.errors.map((e) => [e.name, e.message])).toEqual([
      ['StopTimeoutError', expect.stringContaining('stuck-handler')],
    ]);
  });

  it('runs only once', async () => {
    const t = setup();
    await t.start();
    expect(t.informer.run(t.ac.signal)).toBe(t.running());
    expect(t.source.watchCalls.length).toBe(1);
    await t.stop();
  });
});

describe('SharedIndexInformer divergences found by differential testing', () => {
  it.each(QUEUES)('#13 registration.hasSynced() never goes true then false (%s)', async (queue) => {
    const t = setup(0, queue);
    for (const name of ['p1', 'p2', 'p3', 'p4']) t.source.add(pod(name));
    const seen: boolean[] = [];
    let churned = false;
    const reg = t.informer.addEventHandler({
      onAdd: (o) => {
        seen.push(reg.hasSynced());
        if (!churned && nameOf(o) === 'p1') {
          churned = true;
          // The object is deleted and re-created while the first list is still being applied.
          t.source.delete(pod('p4'));
          t.source.add(pod('p4', {}, 2));
        }
      },
      onUpdate: () => void seen.push(reg.hasSynced()),
      onDelete: () => void seen.push(reg.hasSynced()),
    });
    await t.start();
    await flushMicrotasks();
    expect(seen.length).toBeGreaterThanOrEqual(5);
    const firstTrue = seen.indexOf(true);
    expect(firstTrue === -1 || seen.slice(firstTrue).every((s) => s)).toBe(true);
    expect(reg.hasSynced()).toBe(true);
    expect(t.informer.getStore().list().map(nameOf).sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
    await t.stop();
  });
});

describe('SharedIndexInformer frozen objects', () => {
  it.each(QUEUES)('#12 deleted objects reach handlers frozen (%s)', async (queue) => {
    const t = setup(0, queue);
    const deleted: DeletedObject<KubeObject>[] = [];
    const added: KubeObject[] = [];
    t.informer.addEventHandler({ onAdd: (o) => void added.push(o), onDelete: (d) => void deleted.push(d) });
    await t.start();
    t.source.add(pod('p1'));
    await flushMicrotasks();
    t.source.delete(pod('p1'));
    await flushMicrotasks();
    expect(added).toHaveLength(1);
    expect(Object.isFrozen(added[0])).toBe(true);
    expect(deleted).toHaveLength(1);
    const d = deleted[0]!;
    expect(d.kind).toBe('object');
    const obj = d.kind === 'object' ? d.obj : d.obj;
    expect(Object.isFrozen(obj)).toBe(true);
    expect(Object.isFrozen(obj?.metadata)).toBe(true);
    await t.stop();
  });
});
