/**
 * The built-in resources the server serves (core/v1, apps/v1, batch/v1, coordination.k8s.io/v1 and
 * apiextensions.k8s.io/v1 CRDs), with the names, scopes and subresources discovery reports for them.
 */
import { BUILTIN_COLUMNS } from './printers.js';
import type { ResourceDefinition } from './resource-definition.js';

const REPLICAS = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

type Short = Omit<ResourceDefinition, 'group' | 'version' | 'strategicMerge' | 'columns'>;

function group(g: string, v: string, defs: Short[]): ResourceDefinition[] {
  return defs.map((d) => ({
    ...d,
    group: g,
    version: v,
    strategicMerge: g !== 'apiextensions.k8s.io',
    ...(BUILTIN_COLUMNS[d.resource] && { columns: BUILTIN_COLUMNS[d.resource] }),
  }));
}

/** Every built-in resource definition, in discovery order. */
export const BUILTIN_RESOURCES: readonly ResourceDefinition[] = [
  ...group('', 'v1', [
    {
      resource: 'namespaces',
      singular: 'namespace',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      status: true,
      dnsLabelNames: true,
    },
    {
      resource: 'pods',
      singular: 'pod',
      kind: 'Pod',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      status: true,
      triggerField: 'spec.nodeName',
    },
    {
      resource: 'services',
      singular: 'service',
      kind: 'Service',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      status: true,
      dnsLabelNames: true,
    },
    { resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
    { resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true },
    { resource: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], status: true },
    { resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'] },
    {
      resource: 'serviceaccounts',
      singular: 'serviceaccount',
      kind: 'ServiceAccount',
      namespaced: true,
      shortNames: ['sa'],
    },
    { resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
    {
      resource: 'persistentvolumeclaims',
      singular: 'persistentvolumeclaim',
      kind: 'PersistentVolumeClaim',
      namespaced: true,
      shortNames: ['pvc'],
      status: true,
    },
  ]),
  ...group('apps', 'v1', [
    {
      resource: 'deployments',
      singular: 'deployment',
      kind: 'Deployment',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      status: true,
      scale: { ...REPLICAS, labelSelectorPath: '.spec.selector' },
    },
    {
      resource: 'replicasets',
      singular: 'replicaset',
      kind: 'ReplicaSet',
      namespaced: true,
      shortNames: ['rs'],
      categories: ['all'],
      status: true,
      scale: { ...REPLICAS, labelSelectorPath: '.spec.selector' },
    },
    {
      resource: 'statefulsets',
      singular: 'statefulset',
      kind: 'StatefulSet',
      namespaced: true,
      shortNames: ['sts'],
      categories: ['all'],
      status: true,
      scale: { ...REPLICAS, labelSelectorPath: '.spec.selector' },
    },
    {
      resource: 'daemonsets',
      singular: 'daemonset',
      kind: 'DaemonSet',
      namespaced: true,
      shortNames: ['ds'],
      categories: ['all'],
      status: true,
    },
  ]),
  ...group('batch', 'v1', [
    { resource: 'jobs', singular: 'job', kind: 'Job', namespaced: true, categories: ['all'], status: true },
    {
      resource: 'cronjobs',
      singular: 'cronjob',
      kind: 'CronJob',
      namespaced: true,
      shortNames: ['cj'],
      categories: ['all'],
      status: true,
    },
  ]),
  ...group('coordination.k8s.io', 'v1', [{ resource: 'leases', singular: 'lease', kind: 'Lease', namespaced: true }]),
  ...group('apiextensions.k8s.io', 'v1', [
    {
      resource: 'customresourcedefinitions',
      singular: 'customresourcedefinition',
      kind: 'CustomResourceDefinition',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      status: true,
    },
  ]),
];

/** The namespaces that exist from the start. */
export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;
