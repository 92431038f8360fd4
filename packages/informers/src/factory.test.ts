import { describe, expect, it } from '@jest/globals';
import { failureStatus, type KubeObject, StatusError } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { FakeControllerSource } from '@kubecache/cache/testing';
import { InformerSyncError, SharedInformerFactory } from './factory.js';

function pod(name: string, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } } as KubeObject;
}

function setup() {
  const clock = new FakeClock(0);
  const sources = new Map<string, FakeControllerSource<KubeObject>>();
  const errors: Error[] = [];
  const factory = new SharedInformerFactory({
    clock,
    informerOptions: { onError: (e) => void errors.push(e) },
    listerWatcherFor: (r) => {
      const key = `${r.resource}/${r.namespace}/${r.labelSelector ?? ''}`;
      let s = sources.get(key);
      if (!s) {
        s = new FakeControllerSource<KubeObject>();
        sources.set(key, s);
      }
      return s;
    },
  });
  return { clock, sources, factory, errors };
}

describe('SharedInformerFactory', () => {
  it('shares one informer per resource, namespace, selectors and transform', () => {
    const { factory } = setup();
    const a = factory.informerFor({ version: 'v1', resource: 'pods' });
    expect(factory.informerFor({ version: 'v1', resource: 'pods' })).toBe(a);
    expect(factory.informerFor({ version: 'v1', resource: 'pods', namespace: 'kube-system' })).not.toBe(a);
    expect(factory.informerFor({ version: 'v1', resource: 'pods', labelSelector: 'app=x' })).not.toBe(a);
    const strip = (o: KubeObject): KubeObject => o;
    const t = factory.informerFor({ version: 'v1', resource: 'pods', transform: strip });
    expect(t).not.toBe(a);
    expect(factory.informerFor({ version: 'v1', resource: 'pods', transform: strip })).toBe(t);
    expect(factory.keys()).toHaveLength(4);
  });

  it('registers the namespace index on every informer', async () => {
    const { factory, sources } = setup();
    const pods = factory.informerFor({ version: 'v1', resource: 'pods' });
    factory.start();
    sources.get('pods//')?.add(pod('a', 'ns1'));
    await flushMicrotasks();
    expect(pods.getIndexer().byIndex('namespace', 'ns1')).toHaveLength(1);
    await factory.shutdown();
  });

  it('#6 keeps objects of another kind or outside the namespace out of an informer', async () => {
    const errors: Error[] = [];
    const source = new FakeControllerSource<KubeObject>();
    const factory = new SharedInformerFactory({
      clock: new FakeClock(0),
      listerWatcherFor: () => source,
      informerOptions: { onError: (e) => void errors.push(e) },
    });
    const pods = factory.informerFor({ version: 'v1', resource: 'pods', namespace: 'default', kind: 'Pod' });
    source.add(pod('a'));
    source.add({ kind: 'Secret', metadata: { name: 'token', namespace: 'default' } });
    factory.start();
    await flushMicrotasks();
    source.add(pod('b', 'kube-system'));
    source.add(pod('c'));
    await flushMicrotasks();
    expect(pods.getStore().listKeys().sort()).toEqual(['default/a', 'default/c']);
    expect(errors.map((e) => e.name)).toEqual(['UnexpectedObjectError', 'UnexpectedObjectError']);
    await factory.shutdown();
  });

  it('starts idempotently, including informers created later, and not after shutdown', async () => {
    const { factory, sources } = setup();
    const pods = factory.informerFor({ version: 'v1', resource: 'pods' });
    factory.start();
    factory.start();
    await flushMicrotasks();
    expect(sources.get('pods//')?.listCalls).toHaveLength(1);
    const cms = factory.informerFor({ version: 'v1', resource: 'configmaps' });
    expect(cms.isStarted()).toBe(false);
    factory.start();
    expect(cms.isStarted()).toBe(true);
    await factory.shutdown();
    expect(pods.isStopped()).toBe(true);
    const late = factory.informerFor({ version: 'v1', resource: 'secrets' });
    factory.start();
    expect(late.isStarted()).toBe(false);
    await factory.shutdown();
  });

  it('waits for the stores and the registered handlers', async () => {
    const { factory, sources, clock } = setup();
    const pods = factory.informerFor({ version: 'v1', resource: 'pods' });
    sources.get('pods//')?.add(pod('a'));
    let release!: () => void;
    pods.addEventHandler({
      onAdd: () =>
        new Promise<void>((r) => {
          release = r;
        }),
    });
    factory.start();
    let result: Map<string, boolean> | undefined;
    void factory.waitForCacheSync().then((r) => {
      result = r;
    });
    await clock.stepAsync(100);
    expect(pods.hasSynced()).toBe(true);
    expect(result).toBeUndefined();
    release();
    await clock.stepAsync(100);
    expect([...(result ?? new Map()).values()]).toEqual([true]);
    await factory.shutdown();
  });

  it('rejects waitForCacheSync with an error naming the informer that is forbidden', async () => {
    const { factory, sources } = setup();
    factory.informerFor({ version: 'v1', resource: 'pods' });
    const forbidden = new StatusError(failureStatus(403, 'Forbidden', 'pods is forbidden'));
    sources.get('pods//')?.failNextList(forbidden);
    factory.start();
    const err = await factory.waitForCacheSync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InformerSyncError);
    expect((err as InformerSyncError).cause).toBe(forbidden);
    expect((err as Error).message).toBe('informer /v1/pods|ns=|l=|f= failed to sync: pods is forbidden');
    await factory.shutdown();
  });

  it("adds one listener to the caller's signal however many informers wait (no MaxListenersExceededWarning)", async () => {
    const { factory } = setup();
    for (let i = 0; i < 12; i++) factory.informerFor({ version: 'v1', resource: `r${i}` });
    factory.start();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    const stop = new AbortController();
    const added: string[] = [];
    const add = stop.signal.addEventListener.bind(stop.signal);
    stop.signal.addEventListener = ((type: string, ...rest: unknown[]) => {
      added.push(type);
      return (add as (...a: unknown[]) => void)(type, ...rest);
    }) as typeof stop.signal.addEventListener;
    const waiting = factory.waitForCacheSync(stop.signal);
    await flushMicrotasks();
    stop.abort();
    const result = await waiting;
    await flushMicrotasks();
    process.off('warning', onWarning);
    expect(added).toEqual(['abort']);
    expect(result.size).toBe(12);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    await factory.shutdown();
  });

  it("passes the watch settings of informerOptions to every informer's list and watch", async () => {
    const calls: { list: unknown[]; watch: unknown[] } = { list: [], watch: [] };
    const source = new FakeControllerSource<KubeObject>();
    const factory = new SharedInformerFactory({
      clock: new FakeClock(0),
      informerOptions: { pageSize: 7, minWatchTimeoutMs: 600_000 },
      listerWatcherFor: () => ({
        list: (o, s) => {
          calls.list.push(o);
          return source.list(o, s);
        },
        watch: (o) => {
          calls.watch.push(o);
          return source.watch(o);
        },
      }),
    });
    factory.informerFor({ version: 'v1', resource: 'pods' });
    factory.start();
    await flushMicrotasks();
    expect(calls.list[0]).toMatchObject({ limit: 7 });
    const timeout = (calls.watch[0] as { timeoutSeconds: number }).timeoutSeconds;
    expect(timeout).toBeGreaterThanOrEqual(600);
    expect(timeout).toBeLessThan(1200);
    await factory.shutdown();
  });

  it('stops an acquired informer when its last lease is released', async () => {
    const { factory, sources } = setup();
    factory.start();
    const l1 = factory.acquire({ version: 'v1', resource: 'pods' });
    const l2 = factory.acquire({ version: 'v1', resource: 'pods' });
    expect(l2.informer).toBe(l1.informer);
    await flushMicrotasks();
    expect(sources.get('pods//')?.openWatches()).toBe(1);
    l1.release();
    l1.release();
    await flushMicrotasks();
    expect(l1.informer.isStopped()).toBe(false);
    l2.release();
    await flushMicrotasks();
    expect(l1.informer.isStopped()).toBe(true);
    expect(sources.get('pods//')?.openWatches()).toBe(0);
    const l3 = factory.acquire({ version: 'v1', resource: 'pods' });
    expect(l3.informer).not.toBe(l1.informer);
    l3.release();
    await factory.shutdown();
  });

  it('waits in shutdown for informers whose last lease was released but which have not stopped yet', async () => {
    const { factory, sources } = setup();
    factory.start();
    let release!: () => void;
    const lease = factory.acquire({ version: 'v1', resource: 'pods' });
    lease.informer.addEventHandler({
      onAdd: () =>
        new Promise<void>((r) => {
          release = r;
        }),
    });
    await flushMicrotasks();
    sources.get('pods//')?.add(pod('a')); // a handler call is now in progress
    await flushMicrotasks();
    lease.release();
    let done = false;
    const shutdown = factory.shutdown().then(() => {
      done = true;
    });
    await flushMicrotasks();
    expect(done).toBe(false);
    release();
    await shutdown;
    expect(lease.informer.isStopped()).toBe(true);
  });

  it('keeps an informer that someone holds through informerFor', async () => {
    const { factory } = setup();
    const held = factory.informerFor({ version: 'v1', resource: 'pods' });
    const lease = factory.acquire({ version: 'v1', resource: 'pods' });
    factory.start();
    lease.release();
    await flushMicrotasks();
    expect(held.isStopped()).toBe(false);
    await factory.shutdown();
  });
});
