/**
 * @kubernetes/client-node 1.4 against the server over HTTP on 127.0.0.1: typed CRUD with the server's
 * Status errors, and `makeInformer` syncing, watching, relisting after a compaction, and following a CRD.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  makeInformer,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { waitFor } from './wait.js';

let ts: TestServer;
beforeEach(async () => {
  ts = await startTestServer();
});
afterEach(async () => {
  await ts.stop();
});

function codeOf(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

describe('the API server, through client-node', () => {
  it('creates, reads, updates, patches and deletes ConfigMaps with server-owned metadata', async () => {
    const core = ts.kubeConfig.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'a', labels: { app: 'x' } }, data: { k: 'v' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^[0-9]+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const again = await core
      .createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } })
      .catch((e: unknown) => e);
    expect(codeOf(again)).toBe(409);

    const read = await core.readNamespacedConfigMap({ name: 'a', namespace: 'default' });
    expect(read.data).toEqual({ k: 'v' });

    const stale: V1ConfigMap = { ...read, data: { k: 'v2' } };
    const updated = await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'default', body: stale });
    expect(updated.data).toEqual({ k: 'v2' });
    const conflict = await core
      .replaceNamespacedConfigMap({ name: 'a', namespace: 'default', body: { ...stale, data: { k: 'v3' } } })
      .catch((e: unknown) => e);
    expect(codeOf(conflict)).toBe(409);

    const patched = await core.patchNamespacedConfigMap({
      name: 'a',
      namespace: 'default',
      body: [{ op: 'add', path: '/data/n', value: '1' }],
    });
    expect(patched.data).toEqual({ k: 'v2', n: '1' });

    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=x' });
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['a']);

    await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' });
    const gone = await core.readNamespacedConfigMap({ name: 'a', namespace: 'default' }).catch((e: unknown) => e);
    expect(codeOf(gone)).toBe(404);
  });

  it('refuses objects in a missing namespace and pages lists with limit and continue', async () => {
    const core = ts.kubeConfig.makeApiClient(CoreV1Api);
    const missing = await core
      .createNamespacedConfigMap({ namespace: 'nope', body: { metadata: { name: 'a' } } })
      .catch((e: unknown) => e);
    expect(codeOf(missing)).toBe(404);
    for (const name of ['c1', 'c2', 'c3'])
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
    const first = await core.listNamespacedConfigMap({ namespace: 'default', limit: 2 });
    expect(first.items.map((c) => c.metadata?.name)).toEqual(['c1', 'c2']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const rest = await core.listNamespacedConfigMap({
      namespace: 'default',
      limit: 2,
      _continue: first.metadata?._continue,
    });
    expect(rest.items.map((c) => c.metadata?.name)).toEqual(['c3']);
    expect(rest.metadata?._continue).toBeUndefined();
  });

  it('bumps generation on spec changes only and serves /status and /scale of a Deployment', async () => {
    const apps = ts.kubeConfig.makeApiClient(AppsV1Api);
    const body = {
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    };
    const d = await apps.createNamespacedDeployment({ namespace: 'default', body });
    expect(d.metadata?.generation).toBe(1);
    const labelled = await apps.patchNamespacedDeployment({
      name: 'web',
      namespace: 'default',
      body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }],
    });
    expect(labelled.metadata?.generation).toBe(1);
    const status = await apps.replaceNamespacedDeploymentStatus({
      name: 'web',
      namespace: 'default',
      body: { ...labelled, spec: { ...body.spec, replicas: 9 }, status: { replicas: 1 } },
    });
    expect(status.status?.replicas).toBe(1);
    expect(status.spec?.replicas).toBe(1);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'default' });
    expect(scale.spec?.replicas).toBe(1);
    expect(scale.status?.selector).toBe('app=web');
    const scaled = await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'default',
      body: { ...scale, spec: { replicas: 4 } },
    });
    expect(scaled.spec?.replicas).toBe(4);
    const after = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect([after.spec?.replicas, after.metadata?.generation]).toEqual([4, 2]);
  });

  it('keeps an object with finalizers until they are removed', async () => {
    const core = ts.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'f', finalizers: ['example.com/hold'] } },
    });
    await core.deleteNamespacedConfigMap({ name: 'f', namespace: 'default' });
    const held = await core.readNamespacedConfigMap({ name: 'f', namespace: 'default' });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    const adding = await core
      .patchNamespacedConfigMap({
        name: 'f',
        namespace: 'default',
        body: [{ op: 'add', path: '/metadata/finalizers/-', value: 'more' }],
      })
      .catch((e: unknown) => e);
    expect(codeOf(adding)).toBe(422);
    await core.patchNamespacedConfigMap({
      name: 'f',
      namespace: 'default',
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    const gone = await core.readNamespacedConfigMap({ name: 'f', namespace: 'default' }).catch((e: unknown) => e);
    expect(codeOf(gone)).toBe(404);
  });
});

describe('namespaces', () => {
  it('deleting a namespace deletes what it holds', async () => {
    const core = ts.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'team' } } });
    await core.createNamespacedConfigMap({ namespace: 'team', body: { metadata: { name: 'x' } } });
    await core.createNamespacedSecret({ namespace: 'team', body: { metadata: { name: 'y' } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stays' } } });
    await core.deleteNamespace({ name: 'team' });
    const all = await core.listConfigMapForAllNamespaces();
    expect(all.items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`)).toEqual(['default/stays']);
    expect((await core.listSecretForAllNamespaces()).items).toEqual([]);
    const recreate = await core
      .createNamespacedConfigMap({ namespace: 'team', body: { metadata: { name: 'x' } } })
      .catch((e: unknown) => e);
    expect(codeOf(recreate)).toBe(404);
  });
});

describe('client-node makeInformer against the server', () => {
  it('syncs, follows changes and relists after the server compacts its history', async () => {
    const core = ts.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before' } } });
    let lists = 0;
    const informer = makeInformer(ts.kubeConfig, '/api/v1/namespaces/default/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'default' });
    });
    // client-node stops its informer on a non-410 error; the documented remedy is to start it again.
    let stopped = false;
    informer.on('error', () => {
      setTimeout(() => {
        if (!stopped) void informer.start();
      }, 50);
    });
    await informer.start();
    try {
      const names = () =>
        informer
          .list()
          .map((o) => o.metadata?.name)
          .sort()
          .join(',');
      expect(names()).toBe('before');
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'live' } } });
      await waitFor(() => names() === 'before,live', names);

      // A write the informer does not see moves the revision past its resourceVersion, so once history is
      // compacted its watch resumes from an expired resourceVersion: 410, then a relist.
      await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'elsewhere' } } });
      await ts.server.compact();
      await core.deleteNamespacedConfigMap({ name: 'before', namespace: 'default' });
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after' } } });
      await waitFor(() => names() === 'after,live', names);
      expect(lists).toBeGreaterThanOrEqual(2);
      const stored = await core.listNamespacedConfigMap({ namespace: 'default' });
      const rv = new Map(stored.items.map((c) => [c.metadata?.name, c.metadata?.resourceVersion]));
      expect(informer.list().every((o) => rv.get(o.metadata?.name) === o.metadata?.resourceVersion)).toBe(true);
    } finally {
      stopped = true;
      await informer.stop();
    }
  });

  it('serves a custom resource once its CRD exists, to CRUD and to an informer, and stops when it is deleted', async () => {
    const ext = ts.kubeConfig.makeApiClient(CustomObjectsApi);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object' } },
            subresources: { status: {} },
          },
        ],
      },
    };
    const res = await fetch(`${ts.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(crd),
    });
    expect(res.status).toBe(201);
    const list = () =>
      ext.listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' });
    const informer = makeInformer<KubernetesObject>(
      ts.kubeConfig,
      '/apis/example.com/v1/namespaces/default/widgets',
      list as never,
    );
    await informer.start();
    try {
      await ext.createNamespacedCustomObject({
        group: 'example.com',
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
        body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 } },
      });
      await waitFor(
        () => informer.list().length === 1,
        () => JSON.stringify(informer.list()),
      );
      expect(informer.list()[0]?.metadata?.name).toBe('w1');
    } finally {
      await informer.stop();
    }
    const del = await fetch(`${ts.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(200);
    const after = await fetch(`${ts.url}/apis/example.com/v1/namespaces/default/widgets`);
    expect(after.status).toBe(404);
    expect(await after.text()).toBe('404 page not found\n');
  });
});
