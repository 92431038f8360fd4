import { describe, expect, it } from '@jest/globals';
import { DaemonSetLister, DeploymentLister, ReplicaSetLister, StatefulSetLister } from './apps-listers.js';
import type { DaemonSet, Deployment, LabelSelectorSpec, Pod, ReplicaSet, StatefulSet } from './kinds.js';
import { NoMatchError } from './pod-selection.js';
import { indexedStoreOf } from './testing/stores.js';

const template = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'main', image: 'registry.example.com/web:1.0' }] },
});

function deployment(name: string, uid: string, selector: LabelSelectorSpec | undefined): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'prod', uid, labels: { app: name } },
    spec: { replicas: 3, selector: selector as LabelSelectorSpec, template: template(selector?.matchLabels ?? {}) },
  };
}

function replicaSet(
  name: string,
  labels: Record<string, string>,
  ownerUid?: string,
  selector?: LabelSelectorSpec,
): ReplicaSet {
  const owner = ownerUid
    ? [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          uid: ownerUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]
    : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'prod', uid: `uid-${name}`, labels, ...(owner ? { ownerReferences: owner } : {}) },
    spec: { replicas: 3, selector: selector ?? { matchLabels: labels }, template: template(labels) },
  };
}

function pod(name: string, labels?: Record<string, string>): Pod {
  return { metadata: { name, namespace: 'prod', ...(labels ? { labels } : {}) }, spec: { containers: [] } };
}

describe('ReplicaSetLister', () => {
  const web = deployment('web', 'dep-web', { matchLabels: { app: 'web' } });
  const rsCurrent = replicaSet('web-7d9f', { app: 'web', 'pod-template-hash': '7d9f' }, 'dep-web');
  const rsOld = replicaSet('web-5c4b', { app: 'web', 'pod-template-hash': '5c4b' }, 'dep-web');
  const rsOrphan = replicaSet('web-orphan', { app: 'web', 'pod-template-hash': '0000' });
  const rsForeign = replicaSet('web-foreign', { app: 'web', 'pod-template-hash': '1111' }, 'dep-other');
  const rsDb = replicaSet('db-1', { app: 'db' }, 'dep-db');
  const rsBroken = replicaSet('broken', { app: 'web' }, undefined, {
    matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['web'] }],
  });
  const lister = new ReplicaSetLister({
    indexer: indexedStoreOf([rsCurrent, rsOld, rsOrphan, rsForeign, rsDb, rsBroken]),
  });

  it('finds the ReplicaSets a Deployment owns by selector and controller reference', () => {
    expect(
      lister
        .getDeploymentReplicaSets(web)
        .map((r) => r.metadata?.name)
        .sort(),
    ).toEqual(['web-5c4b', 'web-7d9f']);
  });

  it('adopts nothing for a Deployment with an empty or invalid selector', () => {
    expect(lister.getDeploymentReplicaSets(deployment('web', 'dep-web', {}))).toEqual([]);
    expect(lister.getDeploymentReplicaSets(deployment('web', 'dep-web', undefined))).toEqual([]);
    const bad = deployment('web', 'dep-web', { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] });
    expect(lister.getDeploymentReplicaSets(bad)).toEqual([]);
  });

  it('finds the ReplicaSets selecting a pod, skipping broken selectors', () => {
    const got = lister.getPodReplicaSets(pod('web-7d9f-x', { app: 'web', 'pod-template-hash': '7d9f' }));
    expect(got.map((r) => r.metadata?.name)).toEqual(['web-7d9f']);
  });

  it('throws NoMatchError for a pod without labels or one nothing selects', () => {
    expect(() => lister.getPodReplicaSets(pod('bare'))).toThrow(
      'no ReplicaSets found for pod bare because it has no labels',
    );
    expect(() => lister.getPodReplicaSets(pod('x', { app: 'cache' }))).toThrow(NoMatchError);
  });
});

describe('DeploymentLister.getDeploymentsForReplicaSet', () => {
  const lister = new DeploymentLister({
    indexer: indexedStoreOf([
      deployment('web', 'dep-web', { matchLabels: { app: 'web' } }),
      deployment('web-all', 'dep-all', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }),
      deployment('empty', 'dep-empty', {}),
      deployment('db', 'dep-db', { matchLabels: { app: 'db' } }),
    ]),
  });

  it('finds the Deployments whose selector matches the ReplicaSet labels, never an empty selector', () => {
    const got = lister.getDeploymentsForReplicaSet(replicaSet('web-1', { app: 'web', 'pod-template-hash': '1' }));
    expect(got.map((d) => d.metadata?.name).sort()).toEqual(['web', 'web-all']);
  });

  it('reports a ReplicaSet without labels', () => {
    const rs = replicaSet('nolabels', {});
    expect(() => lister.getDeploymentsForReplicaSet(rs)).toThrow(
      'no deployments found for ReplicaSet nolabels because it has no labels',
    );
  });
});

describe('StatefulSetLister and DaemonSetLister', () => {
  const ss = (name: string, matchLabels: Record<string, string>): StatefulSet => ({
    metadata: { name, namespace: 'prod' },
    spec: { serviceName: name, selector: { matchLabels }, template: template(matchLabels) },
  });
  const ds = (name: string, selector: LabelSelectorSpec): DaemonSet => ({
    metadata: { name, namespace: 'prod' },
    spec: { selector, template: template(selector.matchLabels ?? {}) },
  });

  it('finds the StatefulSets selecting a pod', () => {
    const lister = new StatefulSetLister({
      indexer: indexedStoreOf([ss('kafka', { app: 'kafka' }), ss('zk', { app: 'zk' })]),
    });
    expect(lister.getPodStatefulSets(pod('kafka-0', { app: 'kafka' })).map((s) => s.metadata?.name)).toEqual(['kafka']);
    expect(() => lister.getPodStatefulSets(pod('x', { app: 'redis' }))).toThrow(
      'could not find StatefulSet for pod x in namespace prod with labels: map[app:redis]',
    );
  });

  it('finds the DaemonSets selecting a pod, set-based selectors included', () => {
    const lister = new DaemonSetLister({
      indexer: indexedStoreOf([
        ds('fluentd', { matchExpressions: [{ key: 'name', operator: 'In', values: ['fluentd', 'fluent-bit'] }] }),
        ds('node-exporter', { matchLabels: { name: 'node-exporter' } }),
      ]),
    });
    expect(lister.getPodDaemonSets(pod('fb-x', { name: 'fluent-bit' })).map((d) => d.metadata?.name)).toEqual([
      'fluentd',
    ]);
    expect(() => lister.getPodDaemonSets(pod('bare'))).toThrow(
      'no daemon sets found for pod bare because it has no labels',
    );
  });
});
