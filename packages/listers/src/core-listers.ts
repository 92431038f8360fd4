/**
 * Typed listers of the core (`v1`) kinds, with client-go's expansions: the Services and
 * ReplicationControllers selecting a pod, and nodes filtered by a condition.
 */
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicationController,
  Secret,
  Service,
  ServiceAccount,
} from './kinds.js';
import { type ClusterLister, type GenericLister, listAll, type SelectorInput } from './lister.js';
import { findSelecting, mapSelector } from './pod-selection.js';
import { type ClusterScopedLister, clusterLister, namespacedLister } from './typed-lister.js';

/** Pods (`v1/pods`). */
export const PodLister = namespacedLister<Pod>('', 'pod');
/** A lister of pods. */
export type PodLister = GenericLister<Pod>;

/** Services (`v1/services`), with the services selecting a pod. */
export class ServiceLister extends namespacedLister<Service>('', 'service') {
  /**
   * The Services of the pod's namespace whose selector matches its labels. A Service without a selector
   * selects nothing (its endpoints are managed by hand). Throws {@link NoMatchError} when none does.
   */
  getPodServices(pod: Pod): Service[] {
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
export class ReplicationControllerLister extends namespacedLister<ReplicationController>('', 'replicationcontroller') {
  /**
   * The ReplicationControllers of the pod's namespace whose selector matches its labels; one with an empty
   * selector matches nothing. Only the one named in the pod's controller reference actually manages it.
   * Throws {@link NoMatchError} when the pod has no labels or nothing matches.
   */
  getPodControllers(pod: Pod): ReplicationController[] {
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
export const ConfigMapLister = namespacedLister<ConfigMap>('', 'configmap');
/** A lister of ConfigMaps. */
export type ConfigMapLister = GenericLister<ConfigMap>;

/** Secrets (`v1/secrets`). */
export const SecretLister = namespacedLister<Secret>('', 'secret');
/** A lister of Secrets. */
export type SecretLister = GenericLister<Secret>;

/** Endpoints (`v1/endpoints`). */
export const EndpointsLister = namespacedLister<Endpoints>('', 'endpoints');
/** A lister of Endpoints. */
export type EndpointsLister = GenericLister<Endpoints>;

/** PersistentVolumeClaims (`v1/persistentvolumeclaims`). */
export const PersistentVolumeClaimLister = namespacedLister<PersistentVolumeClaim>('', 'persistentvolumeclaim');
/** A lister of PersistentVolumeClaims. */
export type PersistentVolumeClaimLister = GenericLister<PersistentVolumeClaim>;

/** ServiceAccounts (`v1/serviceaccounts`). */
export const ServiceAccountLister = namespacedLister<ServiceAccount>('', 'serviceaccount');
/** A lister of ServiceAccounts. */
export type ServiceAccountLister = GenericLister<ServiceAccount>;

/** Events (`v1/events`). */
export const EventLister = namespacedLister<Event>('', 'event');
/** A lister of Events. */
export type EventLister = GenericLister<Event>;

/** Namespaces (`v1/namespaces`, cluster-scoped). Named so as not to clash with {@link NamespaceLister}. */
export const NamespaceObjectLister = clusterLister<Namespace>('', 'namespace');
/** A lister of Namespaces. */
export type NamespaceObjectLister = ClusterScopedLister<Namespace>;

/** PersistentVolumes (`v1/persistentvolumes`, cluster-scoped). */
export const PersistentVolumeLister = clusterLister<PersistentVolume>('', 'persistentvolume');
/** A lister of PersistentVolumes. */
export type PersistentVolumeLister = ClusterScopedLister<PersistentVolume>;

/** Chooses nodes, e.g. by condition; must not throw. */
export type NodePredicate = (node: Node) => boolean;

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
export class NodeLister extends clusterLister<Node>('', 'node') {
  /**
   * A lister of the nodes whose last condition of `type` has `status`, e.g. ready nodes:
   * `nodes.withCondition('Ready', 'True').list()`.
   */
  withCondition(type: string, status: string): Pick<ClusterLister<Node>, 'list'> {
    return this.filtered(nodeConditionPredicate(type, status));
  }

  /** A lister of the nodes `predicate` accepts (the seed's `NodeCondition(predicate)`). */
  filtered(predicate: NodePredicate): Pick<ClusterLister<Node>, 'list'> {
    return { list: (selector?: SelectorInput) => listAll(this.indexer, selector).filter(predicate) };
  }
}
