/**
 * The API server over real etcd (3.4 on loopback, `storage: { type: 'etcd3' }`): namespaces bootstrapped,
 * client-node CRUD, an informer following changes, and a restart of the server on the same etcd finding
 * the objects (and a CRD's resource) again.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithEtcd, startEtcd, type TestEtcd } from '@kubecache/etcd/testing';
import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import { startTestServer } from '../testing/start-test-server.js';
import { waitFor } from './wait.js';

describeWithEtcd('the API server over etcd3', () => {
  let etcd: TestEtcd;
  beforeAll(async () => {
    etcd = await startEtcd({ progressNotifyIntervalMs: 1000 });
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('serves CRUD and an informer, and keeps what it stored across a restart', async () => {
    const storage = { type: 'etcd3' as const, serverList: etcd.endpoints, prefix: '/registry-e2e' };
    const first = await startTestServer({ storage });
    try {
      const core = first.kubeConfig.makeApiClient(CoreV1Api);
      const namespaces = await core.listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toEqual([
        'default',
        'kube-node-lease',
        'kube-public',
        'kube-system',
      ]);
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'a' }, data: { k: 'v' } },
      });
      const informer = makeInformer(first.kubeConfig, '/api/v1/namespaces/default/configmaps', () =>
        core.listNamespacedConfigMap({ namespace: 'default' }),
      );
      await informer.start();
      try {
        await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'b' } } });
        await core.patchNamespacedConfigMap({
          name: 'a',
          namespace: 'default',
          body: [{ op: 'replace', path: '/data/k', value: 'w' }],
        });
        const names = () =>
          informer
            .list()
            .map((o) => `${o.metadata?.name}:${(o as { data?: { k?: string } }).data?.k ?? ''}`)
            .sort()
            .join(',');
        await waitFor(() => names() === 'a:w,b:', names);
      } finally {
        await informer.stop();
      }
      const crd = {
        metadata: { name: 'gadgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Cluster',
          names: { plural: 'gadgets', kind: 'Gadget' },
          versions: [{ name: 'v1', served: true, storage: true }],
        },
      };
      expect(
        (
          await fetch(`${first.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(crd),
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await fetch(`${first.url}/apis/example.com/v1/gadgets`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ metadata: { name: 'g' } }),
          })
        ).status,
      ).toBe(201);
    } finally {
      await first.stop();
    }
    const second = await startTestServer({ storage });
    try {
      const core = second.kubeConfig.makeApiClient(CoreV1Api);
      const list = await core.listNamespacedConfigMap({ namespace: 'default' });
      expect(list.items.map((c) => `${c.metadata?.name}:${c.data?.k ?? ''}`)).toEqual(['a:w', 'b:']);
      const gadgets = (await (await fetch(`${second.url}/apis/example.com/v1/gadgets`)).json()) as {
        items: { metadata: { name: string } }[];
      };
      expect(gadgets.items.map((g) => g.metadata.name)).toEqual(['g']);
    } finally {
      await second.stop();
    }
  });
});
