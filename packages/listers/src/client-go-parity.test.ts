/**
 * Review findings: places where the listers differed from client-go's generated listers and their
 * expansions (listers/<group>/<version>/*_expansion.go). Each case failed before its fix.
 */
import { describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import { IndexedStore } from '@kubecache/cache';
import { ReplicaSetLister, StatefulSetLister } from './apps-listers.js';
import { JobLister } from './batch-listers.js';
import { NodeLister, PodLister } from './core-listers.js';
import type { Job, Pod, ReplicaSet, StatefulSet } from './kinds.js';
import { indexedStoreOf } from './testing/stores.js';

function caught(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

describe('NotFound from the typed listers', () => {
  // The generated listers build their NotFound from `<group>.Resource("<singular kind>")`.
  it.each([
    [
      'PodLister',
      () => new PodLister({ indexer: new IndexedStore() }).namespace('ns').get('x'),
      'pod',
      '',
      'pod "x" not found',
    ],
    ['NodeLister', () => new NodeLister({ indexer: new IndexedStore() }).get('x'), 'node', '', 'node "x" not found'],
    [
      'ReplicaSetLister',
      () => new ReplicaSetLister({ indexer: new IndexedStore() }).namespace('ns').get('x'),
      'replicaset',
      'apps',
      'replicaset.apps "x" not found',
    ],
    [
      'JobLister',
      () => new JobLister({ indexer: new IndexedStore() }).namespace('ns').get('x'),
      'job',
      'batch',
      'job.batch "x" not found',
    ],
  ])('%s names the singular resource', (_lister, get, kind, group, message) => {
    const err = caught(get);
    expect(err.message).toBe(message);
    expect(err.status.code).toBe(404);
    expect(err.status.reason).toBe('NotFound');
    expect(err.status.details).toMatchObject({ name: 'x', group, kind });
  });
});

const selectorPod = (namespace: string | undefined): Pod => ({
  metadata: { name: 'web-1', ...(namespace === undefined ? {} : { namespace }), labels: { app: 'web' } },
});

describe('owners of a pod that has no namespace', () => {
  const rs: ReplicaSet = {
    metadata: { name: 'web-rs', namespace: 'prod' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: {} },
  } as ReplicaSet;
  const ss: StatefulSet = {
    metadata: { name: 'web-ss', namespace: 'prod' },
    spec: { selector: { matchLabels: { app: 'web' } }, serviceName: 'web', template: {} },
  } as StatefulSet;

  it('are not ReplicaSets of another namespace (GetPodReplicaSets skips rs.Namespace != pod.Namespace)', () => {
    const lister = new ReplicaSetLister({ indexer: indexedStoreOf([rs]) });
    expect(lister.getPodReplicaSets(selectorPod('prod')).map((r) => r.metadata?.name)).toEqual(['web-rs']);
    expect(() => lister.getPodReplicaSets(selectorPod(undefined))).toThrow('could not find ReplicaSet');
  });

  it('are not StatefulSets of another namespace', () => {
    const lister = new StatefulSetLister({ indexer: indexedStoreOf([ss]) });
    expect(lister.getPodStatefulSets(selectorPod('prod')).map((s) => s.metadata?.name)).toEqual(['web-ss']);
    expect(() => lister.getPodStatefulSets(selectorPod(undefined))).toThrow('could not find StatefulSet');
  });
});

describe('JobLister.getPodJobs with an empty selector', () => {
  it('matches every labelled pod of the namespace: GetPodJobs has no selector.Empty() guard', () => {
    const job = { metadata: { name: 'all', namespace: 'prod' }, spec: { selector: {}, template: {} } } as Job;
    const lister = new JobLister({ indexer: indexedStoreOf([job]) });
    expect(lister.getPodJobs(selectorPod('prod')).map((j) => j.metadata?.name)).toEqual(['all']);
  });

  it('still matches nothing for a missing selector (LabelSelectorAsSelector(nil) is Nothing)', () => {
    const job = { metadata: { name: 'none', namespace: 'prod' }, spec: { template: {} } } as Job;
    const lister = new JobLister({ indexer: indexedStoreOf([job]) });
    expect(() => lister.getPodJobs(selectorPod('prod'))).toThrow('could not find jobs');
  });
});
