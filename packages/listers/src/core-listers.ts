/**
 * Typed listers of the core (`v1`) kinds, with client-go's expansions: the Services and
 * ReplicationControllers selecting a pod, and nodes filtered by a condition.
 */
import type {
  CoreV1Event,
  V1ConfigMap,
  V1Endpoints,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ReplicationController,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { type ClusterLister, type GenericLister, listAll, type SelectorInput } from './lister.js';
import { findSelecting, mapSelector } from './pod-selection.js';
import { type ClusterScopedLister, clusterLister, namespacedLister } from './typed-lister.js';

/** Pods (`v1/pods`). */
export const PodLister = namespacedLister<V1Pod>('', 'pod');
/** A lister of pods. */
export type PodLister = GenericLister<V1Pod>;

/** Services (`v1/services`), with the services selecting a pod. */
export class ServiceLister extends namespacedLister<V1Service>('', 'service') {
  /**
   * The Services of the pod's namespace whose selector matches its labels. A Service without a selector
   * selects nothing (its endpoints are managed by hand). Throws {@link NoMatchError} when none does.
   */
  getPodServices(pod: V1Pod): V1Service[] {
    return findSelecting(this, pod, {
      kind: 'Service',
      notFound: 'service',
      selectorOf: (svc) => {
        const selector = svc.spec?.selector;
        return selector === undefined || selector === null ? undefined : mapSelector(selector);
      },
    });
  }
}

/** ReplicationControllers (`v1/replicationcontrollers`), with the controllers selecting a pod. */
export class ReplicationControllerLister extends namespacedLister<V1ReplicationController>(
  '',
  'replicationcontroller',
) {
  /**
   * The ReplicationControllers of the pod's namespace whose selector matches its labels; one with an empty
   * selector matches nothing. Only the one named in the pod's controller reference actually manages it.
   * Throws {@link NoMatchError} when the pod has no labels or nothing matches.
   */
  getPodControllers(pod: V1Pod): V1ReplicationController[] {
    return findSelecting(this, pod, {
      kind: 'ReplicationController',
      notFound: 'controller',
      noLabels: 'controllers',
      selectorOf: (rc) => {
        const sel = mapSelector(rc.spec?.selector ?? {});
        return sel === undefined || sel.empty() ? undefined : sel;
      },
    });
  }
}

/** ConfigMaps (`v1/configmaps`). */
export const ConfigMapLister = namespacedLister<V1ConfigMap>('', 'configmap');
/** A lister of ConfigMaps. */
export type ConfigMapLister = GenericLister<V1ConfigMap>;

/** Secrets (`v1/secrets`). */
export const SecretLister = namespacedLister<V1Secret>('', 'secret');
/** A lister of Secrets. */
export type SecretLister = GenericLister<V1Secret>;

/** Endpoints (`v1/endpoints`). */
export const EndpointsLister = namespacedLister<V1Endpoints>('', 'endpoints');
/** A lister of Endpoints. */
export type EndpointsLister = GenericLister<V1Endpoints>;

/** PersistentVolumeClaims (`v1/persistentvolumeclaims`). */
export const PersistentVolumeClaimLister = namespacedLister<V1PersistentVolumeClaim>('', 'persistentvolumeclaim');
/** A lister of PersistentVolumeClaims. */
export type PersistentVolumeClaimLister = GenericLister<V1PersistentVolumeClaim>;

/** ServiceAccounts (`v1/serviceaccounts`). */
export const ServiceAccountLister = namespacedLister<V1ServiceAccount>('', 'serviceaccount');
/** A lister of ServiceAccounts. */
export type ServiceAccountLister = GenericLister<V1ServiceAccount>;

/** Events (`v1/events`). */
export const EventLister = namespacedLister<CoreV1Event>('', 'event');
/** A lister of Events. */
export type EventLister = GenericLister<CoreV1Event>;

/** Namespaces (`v1/namespaces`, cluster-scoped). Named so as not to clash with {@link NamespaceLister}. */
export const NamespaceObjectLister = clusterLister<V1Namespace>('', 'namespace');
/** A lister of Namespaces. */
export type NamespaceObjectLister = ClusterScopedLister<V1Namespace>;

/** PersistentVolumes (`v1/persistentvolumes`, cluster-scoped). */
export const PersistentVolumeLister = clusterLister<V1PersistentVolume>('', 'persistentvolume');
/** A lister of PersistentVolumes. */
export type PersistentVolumeLister = ClusterScopedLister<V1PersistentVolume>;

/** Chooses nodes, e.g. by condition; must not throw. */
export type NodePredicate = (node: V1Node) => boolean;

/**
 * Whether the node's last condition of type `type` has status `status` (the kubelet reports `Ready`; the
 * node controller sets `Unknown` when the kubelet goes quiet). A node without that condition never matches.
 */
export function nodeConditionPredicate(type: string, status: string): NodePredicate {
  return (node) => {
    let last: string | undefined;
    for (const cond of node.status?.conditions ?? []) if (cond.type === type) last = cond.status;
    return last === status;
  };
}

/** Nodes (`v1/nodes`, cluster-scoped), with lists filtered by condition. */
export class NodeLister extends clusterLister<V1Node>('', 'node') {
  /**
   * A lister of the nodes whose last condition of `type` has `status`, e.g. ready nodes:
   * `nodes.withCondition('Ready', 'True').list()`.
   */
  withCondition(type: string, status: string): Pick<ClusterLister<V1Node>, 'list'> {
    return this.filtered(nodeConditionPredicate(type, status));
  }

  /** A lister of the nodes `predicate` accepts (the seed's `NodeCondition(predicate)`). */
  filtered(predicate: NodePredicate): Pick<ClusterLister<V1Node>, 'list'> {
    return { list: (selector?: SelectorInput) => listAll(this.indexer, selector).filter(predicate) };
  }
}
