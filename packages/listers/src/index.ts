// Public API of @kubecache/listers: an allow-list of named exports.

export {
  ControllerRevisionLister,
  DaemonSetLister,
  DeploymentLister,
  ReplicaSetLister,
  StatefulSetLister,
} from './apps-listers.js';
export { CronJobLister, JobLister } from './batch-listers.js';
export type { NodePredicate } from './core-listers.js';
export {
  ConfigMapLister,
  EndpointsLister,
  EventLister,
  NamespaceObjectLister,
  NodeLister,
  nodeConditionPredicate,
  PersistentVolumeClaimLister,
  PersistentVolumeLister,
  PodLister,
  ReplicationControllerLister,
  SecretLister,
  ServiceAccountLister,
  ServiceLister,
} from './core-listers.js';
export type { ClusterLister, ListedObject, Lister, ListerOptions, NamespaceLister, SelectorInput } from './lister.js';
export { GenericLister, listAll, listAllByNamespace } from './lister.js';
export type { SelectedObject } from './pod-selection.js';
export { isControlledBy, NoMatchError } from './pod-selection.js';
export type { TypedListerClass, TypedListerOptions } from './typed-lister.js';
export { ClusterScopedLister, clusterLister, namespacedLister } from './typed-lister.js';
