/**
 * Typed listers of the `apps/v1` kinds, with client-go's expansions: the ReplicaSets, StatefulSets and
 * DaemonSets selecting a pod, the Deployments selecting a ReplicaSet, and the ReplicaSets a Deployment owns.
 */
import type {
  V1ControllerRevision,
  V1DaemonSet,
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { TypedListerOptions } from './core-listers.js';
import { GenericLister } from './lister.js';
import { controllerSelector, hasLabels, isControlledBy, noLabels, notFoundFor, selecting } from './pod-selection.js';

const GROUP = 'apps';

/** Deployments (`apps/v1/deployments`), with the deployments selecting a ReplicaSet. */
export class DeploymentLister extends GenericLister<V1Deployment> {
  constructor(options: TypedListerOptions<V1Deployment>) {
    super({ ...options, group: GROUP, resource: 'deployments' });
  }

  /**
   * The Deployments of the ReplicaSet's namespace whose selector matches its labels (a nil, empty or
   * invalid selector matches nothing). Throws {@link NoMatchError} when the ReplicaSet has no labels or
   * nothing matches.
   */
  getDeploymentsForReplicaSet(rs: V1ReplicaSet): V1Deployment[] {
    if (!hasLabels(rs)) throw noLabels('deployments', 'Deployment', rs, 'ReplicaSet');
    const inNamespace = this.namespace(rs.metadata?.namespace ?? '').list();
    const found = selecting(inNamespace, rs, (d) => controllerSelector(d.spec?.selector));
    if (found.length === 0) throw notFoundFor('deployments set', 'Deployment', rs, 'ReplicaSet');
    return found;
  }
}

/** ReplicaSets (`apps/v1/replicasets`), with the sets selecting a pod and the sets a Deployment owns. */
export class ReplicaSetLister extends GenericLister<V1ReplicaSet> {
  constructor(options: TypedListerOptions<V1ReplicaSet>) {
    super({ ...options, group: GROUP, resource: 'replicasets' });
  }

  /**
   * The ReplicaSets of the pod's namespace whose selector matches its labels; only the one in the pod's
   * controller reference manages it. Throws {@link NoMatchError} when the pod has no labels or none matches.
   */
  getPodReplicaSets(pod: V1Pod): V1ReplicaSet[] {
    if (!hasLabels(pod)) throw noLabels('ReplicaSets', 'ReplicaSet', pod);
    const inNamespace = this.namespace(pod.metadata?.namespace ?? '').list();
    const found = selecting(inNamespace, pod, (rs) => controllerSelector(rs.spec?.selector));
    if (found.length === 0) throw notFoundFor('ReplicaSet', 'ReplicaSet', pod);
    return found;
  }

  /**
   * The ReplicaSets a Deployment owns (the deployment controller's `ListReplicaSets`): those of its
   * namespace matching its selector whose controller reference has the Deployment's uid. Empty when the
   * Deployment's selector is invalid or empty — an empty selector must not adopt everything.
   */
  getDeploymentReplicaSets(deployment: V1Deployment): V1ReplicaSet[] {
    const sel = controllerSelector(deployment.spec?.selector);
    if (sel === undefined) return [];
    const candidates = this.namespace(deployment.metadata?.namespace ?? '').list(sel);
    return candidates.filter((rs) => isControlledBy(rs, deployment.metadata?.uid));
  }
}

/** StatefulSets (`apps/v1/statefulsets`), with the sets selecting a pod. */
export class StatefulSetLister extends GenericLister<V1StatefulSet> {
  constructor(options: TypedListerOptions<V1StatefulSet>) {
    super({ ...options, group: GROUP, resource: 'statefulsets' });
  }

  /**
   * The StatefulSets of the pod's namespace whose selector matches its labels. Throws {@link NoMatchError}
   * when the pod has no labels or none matches.
   */
  getPodStatefulSets(pod: V1Pod): V1StatefulSet[] {
    if (!hasLabels(pod)) throw noLabels('StatefulSets', 'StatefulSet', pod);
    const inNamespace = this.namespace(pod.metadata?.namespace ?? '').list();
    const found = selecting(inNamespace, pod, (ss) => controllerSelector(ss.spec?.selector));
    if (found.length === 0) throw notFoundFor('StatefulSet', 'StatefulSet', pod);
    return found;
  }
}

/** DaemonSets (`apps/v1/daemonsets`), with the sets selecting a pod. */
export class DaemonSetLister extends GenericLister<V1DaemonSet> {
  constructor(options: TypedListerOptions<V1DaemonSet>) {
    super({ ...options, group: GROUP, resource: 'daemonsets' });
  }

  /**
   * The DaemonSets of the pod's namespace whose selector matches its labels. Throws {@link NoMatchError}
   * when the pod has no labels or none matches.
   */
  getPodDaemonSets(pod: V1Pod): V1DaemonSet[] {
    if (!hasLabels(pod)) throw noLabels('daemon sets', 'DaemonSet', pod);
    const inNamespace = this.namespace(pod.metadata?.namespace ?? '').list();
    const found = selecting(inNamespace, pod, (ds) => controllerSelector(ds.spec?.selector));
    if (found.length === 0) throw notFoundFor('daemon set', 'DaemonSet', pod);
    return found;
  }
}

/** ControllerRevisions (`apps/v1/controllerrevisions`). */
export class ControllerRevisionLister extends GenericLister<V1ControllerRevision> {
  constructor(options: TypedListerOptions<V1ControllerRevision>) {
    super({ ...options, group: GROUP, resource: 'controllerrevisions' });
  }
}
