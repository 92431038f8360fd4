/**
 * Typed listers of the `apps/v1` kinds, with client-go's expansions: the ReplicaSets, StatefulSets and
 * DaemonSets selecting a pod, the Deployments selecting a ReplicaSet, and the ReplicaSets a Deployment owns.
 */
import type { ControllerRevision, DaemonSet, Deployment, Pod, ReplicaSet, StatefulSet } from './kinds.js';
import type { GenericLister } from './lister.js';
import { controllerSelector, findSelecting, isControlledBy, specSelectorSearch } from './pod-selection.js';
import { namespacedLister } from './typed-lister.js';

const GROUP = 'apps';

// What each expansion searches, worded as client-go's messages are.
const DEPLOYMENTS_OF_RS = specSelectorSearch<Deployment>('Deployment', 'deployments set', 'deployments', {
  targetKind: 'ReplicaSet',
});
// GetPodReplicaSets and GetPodStatefulSets skip candidates of another namespace; the others do not.
const REPLICA_SETS_OF_POD = specSelectorSearch<ReplicaSet>('ReplicaSet', 'ReplicaSet', 'ReplicaSets', {
  sameNamespaceOnly: true,
});
const STATEFUL_SETS_OF_POD = specSelectorSearch<StatefulSet>('StatefulSet', 'StatefulSet', 'StatefulSets', {
  sameNamespaceOnly: true,
});
const DAEMON_SETS_OF_POD = specSelectorSearch<DaemonSet>('DaemonSet', 'daemon set', 'daemon sets');

/** Deployments (`apps/v1/deployments`), with the deployments selecting a ReplicaSet. */
export class DeploymentLister extends namespacedLister<Deployment>(GROUP, 'deployment') {
  /**
   * The Deployments of the ReplicaSet's namespace whose selector matches its labels (a nil, empty or
   * invalid selector matches nothing). Throws {@link NoMatchError} when the ReplicaSet has no labels or
   * nothing matches.
   */
  getDeploymentsForReplicaSet(rs: ReplicaSet): Deployment[] {
    return findSelecting(this, rs, DEPLOYMENTS_OF_RS);
  }
}

/** ReplicaSets (`apps/v1/replicasets`), with the sets selecting a pod and the sets a Deployment owns. */
export class ReplicaSetLister extends namespacedLister<ReplicaSet>(GROUP, 'replicaset') {
  /**
   * The ReplicaSets of the pod's namespace whose selector matches its labels; only the one in the pod's
   * controller reference manages it. Throws {@link NoMatchError} when the pod has no labels or none matches.
   */
  getPodReplicaSets(pod: Pod): ReplicaSet[] {
    return findSelecting(this, pod, REPLICA_SETS_OF_POD);
  }

  /**
   * The ReplicaSets a Deployment owns (the deployment controller's `ListReplicaSets`): those of its
   * namespace matching its selector whose controller reference has the Deployment's uid. Empty when the
   * Deployment's selector is invalid or empty — an empty selector must not adopt everything.
   */
  getDeploymentReplicaSets(deployment: Deployment): ReplicaSet[] {
    const sel = controllerSelector(deployment.spec?.selector);
    if (sel === undefined) return [];
    const candidates = this.namespace(deployment.metadata?.namespace ?? '').list(sel);
    return candidates.filter((rs) => isControlledBy(rs, deployment.metadata?.uid));
  }
}

/** StatefulSets (`apps/v1/statefulsets`), with the sets selecting a pod. */
export class StatefulSetLister extends namespacedLister<StatefulSet>(GROUP, 'statefulset') {
  /**
   * The StatefulSets of the pod's namespace whose selector matches its labels. Throws {@link NoMatchError}
   * when the pod has no labels or none matches.
   */
  getPodStatefulSets(pod: Pod): StatefulSet[] {
    return findSelecting(this, pod, STATEFUL_SETS_OF_POD);
  }
}

/** DaemonSets (`apps/v1/daemonsets`), with the sets selecting a pod. */
export class DaemonSetLister extends namespacedLister<DaemonSet>(GROUP, 'daemonset') {
  /**
   * The DaemonSets of the pod's namespace whose selector matches its labels. Throws {@link NoMatchError}
   * when the pod has no labels or none matches.
   */
  getPodDaemonSets(pod: Pod): DaemonSet[] {
    return findSelecting(this, pod, DAEMON_SETS_OF_POD);
  }
}

/** ControllerRevisions (`apps/v1/controllerrevisions`). */
export const ControllerRevisionLister = namespacedLister<ControllerRevision>(GROUP, 'controllerrevision');
/** A lister of ControllerRevisions. */
export type ControllerRevisionLister = GenericLister<ControllerRevision>;
