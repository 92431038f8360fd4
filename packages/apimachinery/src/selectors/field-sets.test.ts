import { describe, expect, it } from '@jest/globals';
import { makePod } from '../testing/pods.js';
import { fieldSetFor, matchesFieldSelector, supportedFields, validateFieldSelector } from './field-sets.js';
import { parseFieldSelector } from './fields.js';
import { SelectorError } from './selector-error.js';

describe('fieldSetFor', () => {
  it('computes the pod fields the API server selects on', () => {
    const pod = makePod(7);
    expect(fieldSetFor('Pod', pod)).toEqual({
      'metadata.name': pod.metadata.name,
      'metadata.namespace': 'ns-7',
      'spec.nodeName': 'node-7',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': '',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'false',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.7',
      'status.nominatedNodeName': '',
    });
  });

  it('prefers status.podIPs[0] and prints hostNetwork as a boolean', () => {
    const pod = {
      metadata: { name: 'p' },
      spec: { hostNetwork: true },
      status: { podIP: '1.1.1.1', podIPs: [{ ip: 'fd00::1' }] },
    };
    const set = fieldSetFor('pods', pod);
    expect(set['status.podIP']).toBe('fd00::1');
    expect(set['spec.hostNetwork']).toBe('true');
  });

  it.each([
    [
      'Node',
      { metadata: { name: 'n1' }, spec: { unschedulable: true } },
      { 'metadata.name': 'n1', 'spec.unschedulable': 'true' },
    ],
    [
      'Namespace',
      { metadata: { name: 'ns' }, status: { phase: 'Active' } },
      { 'metadata.name': 'ns', 'status.phase': 'Active', name: 'ns' },
    ],
    [
      'Secret',
      { metadata: { name: 's', namespace: 'd' }, type: 'Opaque' },
      { 'metadata.name': 's', 'metadata.namespace': 'd', type: 'Opaque' },
    ],
    [
      'ReplicationController',
      { metadata: { name: 'r', namespace: 'd' }, status: { replicas: 3 } },
      { 'metadata.name': 'r', 'metadata.namespace': 'd', 'status.replicas': '3' },
    ],
    [
      'ReplicaSet',
      { metadata: { name: 'r', namespace: 'd' } },
      { 'metadata.name': 'r', 'metadata.namespace': 'd', 'status.replicas': '0' },
    ],
    [
      'Job',
      { metadata: { name: 'j', namespace: 'd' }, status: { succeeded: 2 } },
      { 'metadata.name': 'j', 'metadata.namespace': 'd', 'status.successful': '2' },
    ],
    ['ConfigMap', { metadata: { name: 'c', namespace: 'd' } }, { 'metadata.name': 'c', 'metadata.namespace': 'd' }],
    ['PersistentVolume', { metadata: { name: 'pv' } }, { 'metadata.name': 'pv' }],
  ])('computes the %s field set', (kind, obj, expected) => {
    expect(fieldSetFor(kind, obj)).toEqual(expected);
  });

  it('computes event fields, falling back to reportingComponent for source', () => {
    const ev = {
      metadata: { name: 'e', namespace: 'd' },
      involvedObject: {
        kind: 'Pod',
        name: 'web-0',
        namespace: 'd',
        uid: 'u1',
        apiVersion: 'v1',
        fieldPath: 'spec.containers{main}',
      },
      reason: 'BackOff',
      type: 'Warning',
      reportingComponent: 'kubelet',
    };
    const set = fieldSetFor('Event', ev);
    expect(set['involvedObject.name']).toBe('web-0');
    expect(set['involvedObject.fieldPath']).toBe('spec.containers{main}');
    expect(set['involvedObject.resourceVersion']).toBe('');
    expect(set.source).toBe('kubelet');
    expect(set.reason).toBe('BackOff');
    const withSource = { ...ev, source: { component: 'scheduler' } };
    expect(fieldSetFor('Event', withSource).source).toBe('scheduler');
  });

  it('never throws on malformed objects', () => {
    expect(fieldSetFor('Pod', {} as never)['metadata.name']).toBe('');
    expect(fieldSetFor('Pod', { metadata: { name: 5 } } as never)['metadata.name']).toBe('');
  });
});

describe('supportedFields', () => {
  it.each([
    ['Node', ['metadata.name', 'spec.unschedulable']],
    ['nodes', ['metadata.name', 'spec.unschedulable']],
    ['Namespace', ['metadata.name', 'status.phase']],
    ['Secret', ['metadata.name', 'metadata.namespace', 'type']],
    ['ConfigMap', ['metadata.name', 'metadata.namespace']],
    ['Deployment', ['metadata.name', 'metadata.namespace']],
    ['Service', ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type']],
  ])('lists the fields of %s', (kind, fields) => {
    expect(supportedFields(kind)).toEqual(fields);
  });

  it('lists every pod field', () => {
    expect(supportedFields('Pod')).toEqual([
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
      'status.podIPs',
    ]);
  });
});

describe('validateFieldSelector', () => {
  it.each([
    ['Pod', 'spec.foo=x', 'field label not supported: spec.foo'],
    ['Node', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['Event', 'involvedObject.bogus=x', 'field label not supported: involvedObject.bogus'],
    ['ConfigMap', 'data.x=y', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'],
  ])('rejects an unsupported field for %s (%j)', (kind, s, message) => {
    let caught: unknown;
    try {
      validateFieldSelector(kind, parseFieldSelector(s));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SelectorError);
    expect((caught as SelectorError).message).toBe(message);
    expect((caught as SelectorError).kind).toBe('UnsupportedField');
  });

  it('accepts supported fields and rewrites the legacy spec.host of pods', () => {
    const sel = validateFieldSelector('Pod', parseFieldSelector('spec.host=node-1,status.phase!=Failed'));
    expect(sel.toString()).toBe('spec.nodeName=node-1,status.phase!=Failed');
    expect(sel.requiresExactMatch('spec.nodeName')).toBe('node-1');
  });
});

describe('matchesFieldSelector', () => {
  it('matches realistic pods by node and phase', () => {
    const pods = [makePod(1), makePod(2), makePod(51)];
    const sel = parseFieldSelector('spec.nodeName=node-1,status.phase=Running');
    expect(pods.filter((p) => matchesFieldSelector('Pod', sel, p)).map((p) => p.metadata.name)).toEqual([
      pods[0]!.metadata.name,
      pods[2]!.metadata.name,
    ]);
  });

  it('treats a missing field as the empty string', () => {
    expect(matchesFieldSelector('Pod', parseFieldSelector('spec.schedulerName='), makePod(1))).toBe(true);
    expect(matchesFieldSelector('Pod', parseFieldSelector('bogus='), makePod(1))).toBe(true);
  });
});
