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
import type { GenericLister } from './lister.js';
import { controllerSelector, findSelecting, isControlledBy, specSelectorSearch } from './pod-selection.js';
import { namespacedLister } from './typed-lister.js';

const GROUP = 'apps';

// What each expansion searches, worded as client-go's messages are.
const DEPLOYMENTS_OF_RS = specSelectorSearch<V1Deployment>('Deployment', 'deployments set', 'deployments', {
  targetKind: 'ReplicaSet',
});
// GetPodReplicaSets and GetPodStatefulSets skip candidates of another namespace; the others do not.
const REPLICA_SETS_OF_POD = specSelectorSearch<V1ReplicaSet>('ReplicaSet', 'ReplicaSet', 'ReplicaSets', {
  sameNamespaceOnly: true,
});
const STATEFUL_SETS_OF_POD = specSelectorSearch<V1StatefulSet>('StatefulSet', 'StatefulSet', 'StatefulSets', {
  sameNamespaceOnly: true,
});
const DAEMON_SETS_OF_POD = specSelectorSearch<V1DaemonSet>('DaemonSet', 'daemon set', 'daemon sets');

/** Deployments (`apps/v1/deployments`), with the deployments selecting a ReplicaSet. */
export class DeploymentLister extends namespacedLister<V1Deployment>(GROUP, 'deployment') {
  /**
   * The Deployments of the ReplicaSet's namespace whose selector matches its labels (a nil, empty or
   * invalid selector matches nothing). Throws {@link NoMatchError} when the ReplicaSet has no labels or
   * nothing matches.
   */
  getDeploymentsForReplicaSet(rs: V1ReplicaSet): V1Deployment[] {
    return findSelecting(this, rs, DEPLOYMENTS_OF_RS);
  }
}

/** ReplicaSets (`apps/v1/replicasets`), with the sets selecting a pod and the sets a Deployment owns. */
export class ReplicaSetLister extends namespacedLister<V1ReplicaSet>(GROUP, 'replicaset') {
  /**
   * The ReplicaSets of the pod's namespace whose selector matches its labels; only the one in the pod's
   * controller reference manages it. Throws {@link NoMatchError} when the pod has no labels or none matches.
   */
  getPodReplicaSets(pod: V1Pod): V1ReplicaSet[] {
    return findSelecting(this, pod, REPLICA_SETS_OF_POD);
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
export class StatefulSetLister extends namespacedLister<V1StatefulSet>(GROUP, 'statefulset') {
  /**
   * The StatefulSets of the pod's namespace whose selector matches its labels. Throws {@link NoMatchError}
   * when the pod has no labels or none matches.
   */
  getPodStatefulSets(pod: V1Pod): V1StatefulSet[] {
    return findSelecting(this, pod, STATEFUL_SETS_OF_POD);
  }
}

/** DaemonSets (`apps/v1/daemonsets`), with the sets selecting a pod. */
export class DaemonSetLister extends namespacedLister<V1DaemonSet>(GROUP, 'daemonset') {
  /**
   * The DaemonSets of the pod's namespace whose selector matches its labels. Throws {@link NoMatchError}
   * when the pod has no labels or none matches.
   */
  getPodDaemonSets(pod: V1Pod): V1DaemonSet[] {
    return findSelecting(this, pod, DAEMON_SETS_OF_POD);
  }
}

/** ControllerRevisions (`apps/v1/controllerrevisions`). */
export const ControllerRevisionLister = namespacedLister<V1ControllerRevision>(GROUP, 'controllerrevision');
/** A lister of ControllerRevisions. */
export type ControllerRevisionLister = GenericLister<V1ControllerRevision>;
