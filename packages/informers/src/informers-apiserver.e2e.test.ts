/**
 * Our informers against the real kubecache API server (startTestServer) over HTTP on 127.0.0.1, through
 * KubeListerWatcher: initial sync, watch events, bookmarks keeping a quiet informer's resourceVersion
 * fresh, a relist after the server compacts its history, and an informer on a custom resource.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { startTestServer, type TestServer } from '@kubecache/apiserver';
import type { ListerWatcher } from '@kubecache/cache';
import { SharedInformerFactory } from './factory.js';
import { KubeListerWatcher } from './kube-lister-watcher.js';

async function waitFor(cond: () => boolean, describe: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let ts: TestServer;
let lists: number;
let factory: SharedInformerFactory;
beforeEach(async () => {
  ts = await startTestServer({ server: { cacher: { bookmarkFrequencyMs: 1000 }, progressIntervalMs: 200 } });
  lists = 0;
  factory = new SharedInformerFactory({
    listerWatcherFor: (r): ListerWatcher<KubeObject> => {
      const lw = new KubeListerWatcher({ kubeConfig: ts.kubeConfig, ...r });
      return {
        list: (options, signal) => {
          lists++;
          return lw.list(options, signal);
        },
        watch: (options) => lw.watch(options),
      };
    },
  });
});
afterEach(async () => {
  await factory.shutdown();
  await ts.stop();
});

async function send(method: string, path: string, body?: unknown): Promise<KubeObject> {
  const res = await fetch(`${ts.url}${path}`, {
    method,
    headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as KubeObject;
}

const CM = '/api/v1/namespaces/default/configmaps';
const keys = (informer: { getIndexer(): { listKeys(): string[] } }) =>
  informer.getIndexer().listKeys().sort().join(',');

describe('our informers against the kubecache API server', () => {
  it('sync, follow changes, advance on bookmarks and relist after a compaction', async () => {
    await send('POST', CM, { metadata: { name: 'a' } });
    const cms = factory.informerFor({ version: 'v1', resource: 'configmaps', namespace: 'default' });
    const seen: string[] = [];
    cms.addEventHandler({
      onAdd: (o) => void seen.push(`add ${o.metadata?.name}`),
      onUpdate: (_o, n) => void seen.push(`update ${n.metadata?.name}`),
      onDelete: (d) => void seen.push(`delete ${d.key}`),
    });
    factory.start();
    expect([...(await factory.waitForCacheSync()).values()]).toEqual([true]);
    expect(keys(cms)).toBe('default/a');
    const syncedAt = cms.health().lastEventAt ?? 0;

    await new Promise((resolve) => setTimeout(resolve, 5));
    await send('POST', CM, { metadata: { name: 'b' } });
    await send('PATCH', `${CM}/a`, { data: { k: 'v' } });
    await send('DELETE', `${CM}/b`);
    await waitFor(
      () => seen.length === 4,
      () => seen.join('; '),
    );
    expect(seen).toEqual(['add a', 'add b', 'update a', 'delete default/b']);
    // Watch events count as progress in health, told by the Reflector (not by a hook per event).
    expect(cms.health()).toMatchObject({ phase: 'watching', consecutiveFailures: 0 });
    expect(cms.health().lastEventAt).toBeGreaterThan(syncedAt);

    // A write elsewhere moves the global resourceVersion; bookmarks bring the quiet informer along.
    const other = await send('POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 's' } });
    const target = Number(other.metadata?.resourceVersion);
    await waitFor(
      () => Number(cms.lastSyncResourceVersion()) >= target,
      () => `rv ${cms.lastSyncResourceVersion()} < ${target}`,
    );

    // History the informer has not caught up with (no bookmark yet) is compacted: its watch resumes from
    // an expired resourceVersion, gets 410 and relists.
    const listsBefore = lists;
    await send('POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 't' } });
    await ts.server.compact();
    await send('POST', CM, { metadata: { name: 'c' } });
    await waitFor(
      () => keys(cms) === 'default/a,default/c',
      () => keys(cms),
    );
    expect(lists).toBeGreaterThan(listsBefore);
    const server = (await send('GET', CM)) as unknown as { items: KubeObject[] };
    const want = server.items.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).join(',');
    const have = cms
      .getIndexer()
      .list()
      .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
      .sort()
      .join(',');
    expect(have).toBe(want);
  });

  it('hands onUpdate a new version that shares the parts a PATCH did not change with the old one', async () => {
    await send('POST', CM, { metadata: { name: 'a', labels: { app: 'web' } }, data: { k: 'v' } });
    const cms = factory.informerFor({ version: 'v1', resource: 'configmaps', namespace: 'default' });
    const updates: [KubeObject, KubeObject][] = [];
    cms.addEventHandler({ onUpdate: (o, n) => void updates.push([o, n]) });
    factory.start();
    expect([...(await factory.waitForCacheSync()).values()]).toEqual([true]);
    await send('PATCH', `${CM}/a`, { metadata: { annotations: { note: 'x' } } });
    await waitFor(
      () => updates.length === 1,
      () => `${updates.length} updates`,
    );
    const [old, now] = updates[0] as [KubeObject, KubeObject];
    const data = (o: KubeObject): unknown => (o as { data?: unknown }).data;
    expect(data(now)).toEqual({ k: 'v' });
    expect(data(now)).toBe(data(old));
    expect(now.metadata?.labels).toBe(old.metadata?.labels);
    expect(now.metadata).not.toBe(old.metadata);
    expect(now.metadata?.annotations).toEqual({ note: 'x' });
    expect(Object.isFrozen(now.metadata)).toBe(true);
    expect(cms.getIndexer().getByKey('default/a')).toBe(now);
  });

  it('syncs an informer on a custom resource once its CRD is established', async () => {
    await send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true }],
      },
    });
    await send('POST', '/apis/example.com/v1/namespaces/default/widgets', {
      metadata: { name: 'w1' },
      spec: { size: 1 },
    });
    const widgets = factory.informerFor({
      group: 'example.com',
      version: 'v1',
      resource: 'widgets',
      namespace: 'default',
    });
    factory.start();
    expect([...(await factory.waitForCacheSync()).values()]).toEqual([true]);
    expect(keys(widgets)).toBe('default/w1');
    await send('POST', '/apis/example.com/v1/namespaces/default/widgets', { metadata: { name: 'w2' } });
    await waitFor(
      () => keys(widgets) === 'default/w1,default/w2',
      () => keys(widgets),
    );
  });
});
