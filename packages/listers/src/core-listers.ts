/**
 * Typed listers of the core (`v1`) kinds, with client-go's expansions: the Services and
 * ReplicationControllers selecting a pod, and nodes filtered by a condition.
 */
import type { Indexer } from '@kubecache/cache';
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
import { type ClusterLister, GenericLister, listAll, type SelectorInput } from './lister.js';
import { hasLabels, mapSelector, noLabels, notFoundFor, selecting } from './pod-selection.js';

/** Options of every typed lister. */
export interface TypedListerOptions<T> {
  /** The indexer holding objects of this kind; give it a `namespace` index for fast namespaced lists. */
  indexer: Indexer<T>;
}

/**
 * A lister of a cluster-scoped kind: `list` and `get`, no `namespace()`.
 */
export class ClusterScopedLister<T> implements ClusterLister<T> {
  readonly #inner: GenericLister<T>;
  protected readonly indexer: Indexer<T>;

  constructor(options: TypedListerOptions<T> & { group?: string; resource: string }) {
    this.#inner = new GenericLister(options);
    this.indexer = options.indexer;
  }

  list(selector?: SelectorInput): T[] {
    return this.#inner.list(selector);
  }

  get(name: string): T {
    return this.#inner.get(name);
  }
}

/** Pods (`v1/pods`). */
export class PodLister extends GenericLister<V1Pod> {
  constructor(options: TypedListerOptions<V1Pod>) {
    super({ ...options, resource: 'pods' });
  }
}

/** Services (`v1/services`), with the services selecting a pod. */
export class ServiceLister extends GenericLister<V1Service> {
  constructor(options: TypedListerOptions<V1Service>) {
    super({ ...options, resource: 'services' });
  }

  /**
   * The Services of the pod's namespace whose selector matches its labels. A Service without a selector
   * selects nothing (its endpoints are managed by hand). Throws {@link NoMatchError} when none does.
   */
  getPodServices(pod: V1Pod): V1Service[] {
    const inNamespace = this.namespace(pod.metadata?.namespace ?? '').list();
    const found = selecting(inNamespace, pod, (svc) => {
      const selector = svc.spec?.selector;
      return selector === undefined || selector === null ? undefined : mapSelector(selector);
    });
    if (found.length === 0) throw notFoundFor('service', 'Service', pod);
    return found;
  }
}

/** ReplicationControllers (`v1/replicationcontrollers`), with the controllers selecting a pod. */
export class ReplicationControllerLister extends GenericLister<V1ReplicationController> {
  constructor(options: TypedListerOptions<V1ReplicationController>) {
    super({ ...options, resource: 'replicationcontrollers' });
  }

  /**
   * The ReplicationControllers of the pod's namespace whose selector matches its labels; one with an empty
   * selector matches nothing. Only the one named in the pod's controller reference actually manages it.
   * Throws {@link NoMatchError} when the pod has no labels or nothing matches.
   */
  getPodControllers(pod: V1Pod): V1ReplicationController[] {
    if (!hasLabels(pod)) throw noLabels('controllers', 'ReplicationController', pod);
    const inNamespace = this.namespace(pod.metadata?.namespace ?? '').list();
    const found = selecting(inNamespace, pod, (rc) => {
      const sel = mapSelector(rc.spec?.selector ?? {});
      return sel === undefined || sel.empty() ? undefined : sel;
    });
    if (found.length === 0) throw notFoundFor('controller', 'ReplicationController', pod);
    return found;
  }
}

/** ConfigMaps (`v1/configmaps`). */
export class ConfigMapLister extends GenericLister<V1ConfigMap> {
  constructor(options: TypedListerOptions<V1ConfigMap>) {
    super({ ...options, resource: 'configmaps' });
  }
}

/** Secrets (`v1/secrets`). */
export class SecretLister extends GenericLister<V1Secret> {
  constructor(options: TypedListerOptions<V1Secret>) {
    super({ ...options, resource: 'secrets' });
  }
}

/** Endpoints (`v1/endpoints`). */
export class EndpointsLister extends GenericLister<V1Endpoints> {
  constructor(options: TypedListerOptions<V1Endpoints>) {
    super({ ...options, resource: 'endpoints' });
  }
}

/** PersistentVolumeClaims (`v1/persistentvolumeclaims`). */
export class PersistentVolumeClaimLister extends GenericLister<V1PersistentVolumeClaim> {
  constructor(options: TypedListerOptions<V1PersistentVolumeClaim>) {
    super({ ...options, resource: 'persistentvolumeclaims' });
  }
}

/** ServiceAccounts (`v1/serviceaccounts`). */
export class ServiceAccountLister extends GenericLister<V1ServiceAccount> {
  constructor(options: TypedListerOptions<V1ServiceAccount>) {
    super({ ...options, resource: 'serviceaccounts' });
  }
}

/** Events (`v1/events`). */
export class EventLister extends GenericLister<CoreV1Event> {
  constructor(options: TypedListerOptions<CoreV1Event>) {
    super({ ...options, resource: 'events' });
  }
}

/** Namespaces (`v1/namespaces`, cluster-scoped). Named so as not to clash with {@link NamespaceLister}. */
export class NamespaceObjectLister extends ClusterScopedLister<V1Namespace> {
  constructor(options: TypedListerOptions<V1Namespace>) {
    super({ ...options, resource: 'namespaces' });
  }
}

/** PersistentVolumes (`v1/persistentvolumes`, cluster-scoped). */
export class PersistentVolumeLister extends ClusterScopedLister<V1PersistentVolume> {
  constructor(options: TypedListerOptions<V1PersistentVolume>) {
    super({ ...options, resource: 'persistentvolumes' });
  }
}

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
export class NodeLister extends ClusterScopedLister<V1Node> {
  constructor(options: TypedListerOptions<V1Node>) {
    super({ ...options, resource: 'nodes' });
  }

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
