import { describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import {
  NamespaceObjectLister,
  NodeLister,
  PodLister,
  ReplicationControllerLister,
  ServiceLister,
} from './core-listers.js';
import type { Namespace, Node, Pod, ReplicationController, Service } from './kinds.js';
import { NoMatchError } from './pod-selection.js';
import { indexedStoreOf } from './testing/stores.js';

function pod(name: string, namespace: string, labels?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${name}`, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27' }], nodeName: 'node-1' },
    status: { phase: 'Running' },
  };
}

function service(name: string, namespace: string, selector?: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ port: 80, targetPort: 8080 }], type: 'ClusterIP', ...(selector ? { selector } : {}) },
  };
}

describe('ServiceLister.getPodServices', () => {
  const services = indexedStoreOf([
    service('web', 'prod', { app: 'web' }),
    service('web-canary', 'prod', { app: 'web', track: 'canary' }),
    service('db', 'prod', { app: 'db' }),
    service('manual', 'prod'),
    service('web', 'staging', { app: 'web' }),
  ]);
  const lister = new ServiceLister({ indexer: services });

  it('returns the services of the pod namespace whose selector matches its labels', () => {
    const got = lister.getPodServices(pod('web-1', 'prod', { app: 'web', track: 'stable' }));
    expect(got.map((s) => s.metadata?.name)).toEqual(['web']);
    const canary = lister.getPodServices(pod('web-2', 'prod', { app: 'web', track: 'canary' }));
    expect(canary.map((s) => s.metadata?.name).sort()).toEqual(['web', 'web-canary']);
  });

  it('ignores services without a selector and throws NoMatchError when none selects the pod', () => {
    expect(() => lister.getPodServices(pod('x', 'prod', { app: 'cache' }))).toThrow(NoMatchError);
    expect(() => lister.getPodServices(pod('x', 'prod', { app: 'cache', tier: 'a' }))).toThrow(
      'could not find service for pod x in namespace prod with labels: map[app:cache tier:a]',
    );
  });
});

describe('ReplicationControllerLister.getPodControllers', () => {
  const rc = (name: string, selector?: Record<string, string>): ReplicationController => ({
    metadata: { name, namespace: 'default' },
    spec: { replicas: 2, ...(selector ? { selector } : {}) },
  });
  const lister = new ReplicationControllerLister({
    indexer: indexedStoreOf([rc('frontend', { app: 'frontend' }), rc('empty', {}), rc('nil')]),
  });

  it('finds the controllers selecting the pod and skips empty selectors', () => {
    const got = lister.getPodControllers(pod('f-1', 'default', { app: 'frontend', extra: 'x' }));
    expect(got.map((r) => r.metadata?.name)).toEqual(['frontend']);
  });

  it('refuses a pod without labels and reports a pod nothing selects', () => {
    expect(() => lister.getPodControllers(pod('bare', 'default'))).toThrow(
      'no controllers found for pod bare because it has no labels',
    );
    expect(() => lister.getPodControllers(pod('b', 'default', { app: 'backend' }))).toThrow(
      'could not find controller for pod b in namespace default with labels: map[app:backend]',
    );
  });
});

describe('NodeLister', () => {
  const node = (name: string, conditions: [string, string][], labels: Record<string, string> = {}): Node => ({
    metadata: { name, labels },
    status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
  });
  const nodes = new NodeLister({
    indexer: indexedStoreOf([
      node(
        'ready',
        [
          ['MemoryPressure', 'False'],
          ['Ready', 'True'],
        ],
        { zone: 'a' },
      ),
      node('not-ready', [['Ready', 'False']], { zone: 'a' }),
      node('unknown', [['Ready', 'Unknown']], { zone: 'b' }),
      node(
        'flapped',
        [
          ['Ready', 'True'],
          ['Ready', 'False'],
        ],
        { zone: 'b' },
      ),
      node('no-conditions', [], { zone: 'b' }),
    ]),
  });

  it.each([
    ['Ready', 'True', ['ready']],
    ['Ready', 'False', ['flapped', 'not-ready']],
    ['Ready', 'Unknown', ['unknown']],
    ['MemoryPressure', 'False', ['ready']],
    ['DiskPressure', 'True', []],
  ])('lists nodes whose last %s condition is %s', (type, status, expected) => {
    expect(
      nodes
        .withCondition(type, status)
        .list()
        .map((n) => n.metadata?.name)
        .sort(),
    ).toEqual(expected);
  });

  it('combines the condition with a label selector', () => {
    expect(
      nodes
        .withCondition('Ready', 'False')
        .list('zone=b')
        .map((n) => n.metadata?.name),
    ).toEqual(['flapped']);
  });

  it('gets a node by name and has no namespace view', () => {
    expect(nodes.get('ready').metadata?.name).toBe('ready');
    expect(() => nodes.get('gone')).toThrow('node "gone" not found');
    expect((nodes as unknown as { namespace?: unknown }).namespace).toBeUndefined();
  });

  it('filters with any predicate', () => {
    const zoneA = nodes.filtered((n) => n.metadata?.labels?.zone === 'a').list();
    expect(zoneA.map((n) => n.metadata?.name).sort()).toEqual(['not-ready', 'ready']);
  });
});

describe('typed listers', () => {
  it('PodLister lists and gets pods per namespace with a 404 naming pods', () => {
    const p = pod('web-0', 'prod', { app: 'web' });
    const pods = new PodLister({ indexer: indexedStoreOf([p, pod('db-0', 'prod', { app: 'db' })]) });
    expect(pods.namespace('prod').list('app=web')).toHaveLength(1);
    expect(pods.namespace('prod').get('web-0').metadata?.uid).toBe('uid-web-0');
    expect(() => pods.namespace('prod').get('web-9')).toThrow(StatusError);
    expect(() => pods.namespace('prod').get('web-9')).toThrow('pod "web-9" not found');
  });

  it('NamespaceObjectLister is cluster-scoped', () => {
    const ns: Namespace = { metadata: { name: 'prod', labels: { env: 'prod' } }, status: { phase: 'Active' } };
    const lister = new NamespaceObjectLister({ indexer: indexedStoreOf([ns]) });
    expect(lister.list('env=prod')).toHaveLength(1);
    expect(lister.get('prod')).toBe(lister.list()[0]);
    expect(() => lister.get('dev')).toThrow('namespace "dev" not found');
  });
});
