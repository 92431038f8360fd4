/**
 * The zone labeler: keeps every scheduled pod labelled `topology.kubecache.io/zone` with the zone of its
 * node, read from the node's `topology.kubernetes.io/zone` label through a Node lister. Pods are indexed by
 * `spec.nodeName`, so when a node's zone label changes the reconciler requeues exactly that node's pods.
 *
 * The whole client-side pipeline on one page: two shared informers (list + watch over HTTP into frozen,
 * indexed stores), event handlers feeding a rate-limited workqueue, a `ControllerRunner` calling
 * `reconcile(key)`, typed listers, and `produce` deriving the updated pod from the frozen cached one.
 */
import { type Immutable, isStatusCode, produce, type Wire } from '@kubecache/apimachinery';
import { splitMetaNamespaceKey } from '@kubecache/cache';
import type { ControllerRunner, ReconcileResult, SharedIndexInformer } from '@kubecache/informers';
import { NodeLister, PodLister } from '@kubecache/listers';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { type ExampleControllerOptions, runnerOf } from './example-controller.js';
import { getOrUndefined, keyOf } from './lister-helpers.js';

/** The label the reconciler maintains on pods. */
export const ZONE_LABEL = 'topology.kubecache.io/zone';
/** The well-known node label the zone is read from. */
export const NODE_ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Name of the pod index by `spec.nodeName`. */
export const BY_NODE = 'byNode';

const PODS = { version: 'v1', resource: 'pods' } as const;

/** Options of {@link ZoneLabeler}. */
export interface ZoneLabelerOptions extends ExampleControllerOptions {
  /** Concurrent reconciles. Default 2. */
  workers?: number;
}

/** Counts of what the reconciler did. */
export interface ZoneLabelerStats {
  reconciles: number;
  labelled: number;
  conflicts: number;
  zoneChanges: number;
}

/** Keeps pods labelled with their node's zone until stopped. */
export class ZoneLabeler {
  readonly #o: ZoneLabelerOptions;
  readonly pods: SharedIndexInformer<Wire<V1Pod>>;
  readonly nodes: SharedIndexInformer<Wire<V1Node>>;
  readonly #podLister: PodLister;
  readonly #nodeLister: NodeLister;
  readonly #runner: ControllerRunner;
  readonly stats: ZoneLabelerStats = { reconciles: 0, labelled: 0, conflicts: 0, zoneChanges: 0 };

  constructor(options: ZoneLabelerOptions) {
    this.#o = options;
    this.pods = options.factory.informerFor<Wire<V1Pod>>({
      ...PODS,
      indexers: { [BY_NODE]: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []) },
    });
    this.nodes = options.factory.informerFor<Wire<V1Node>>({ version: 'v1', resource: 'nodes' });
    this.#podLister = new PodLister({ indexer: this.pods.getIndexer() });
    this.#nodeLister = new NodeLister({ indexer: this.nodes.getIndexer() });
    this.#runner = runnerOf(options, {
      name: 'zone-labeler',
      workers: options.workers ?? 2,
      waitFor: [this.pods, this.nodes],
      reconcile: (key) => this.#reconcile(key),
      ...(options.onError && { onError: options.onError }),
    });
    this.pods.addEventHandler({
      name: 'zone-labeler-pods',
      onAdd: (pod) => this.#runner.enqueue(keyOf(pod)),
      onUpdate: (_old, pod) => this.#runner.enqueue(keyOf(pod)),
      onDelete: (deleted) => this.#o.log?.(`pod ${deleted.key} deleted (${deleted.kind})`),
    });
    this.nodes.addEventHandler({
      name: 'zone-labeler-nodes',
      onAdd: (node) => {
        this.#requeuePodsOf(node.metadata?.name ?? '');
      },
      onUpdate: (old, node) => {
        const was = old.metadata?.labels?.[NODE_ZONE_LABEL];
        const now = node.metadata?.labels?.[NODE_ZONE_LABEL];
        if (was === now) return;
        this.stats.zoneChanges++;
        const n = this.#requeuePodsOf(node.metadata?.name ?? '');
        this.#o.log?.(`node ${node.metadata?.name} moved ${was ?? '(none)'} → ${now ?? '(none)'}: requeued ${n} pods`);
      },
    });
  }

  /** The zone a pod should carry: its node's zone label, or undefined (node unknown or unlabelled). */
  zoneOfPod(pod: Immutable<Wire<V1Pod>>): string | undefined {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return undefined;
    return getOrUndefined(() => this.#nodeLister.get(nodeName))?.metadata?.labels?.[NODE_ZONE_LABEL];
  }

  /** Keys of cached pods whose label differs from their node's zone; empty once caught up. */
  unlabelled(): string[] {
    return this.#podLister
      .list()
      .filter((pod) => pod.metadata?.labels?.[ZONE_LABEL] !== this.zoneOfPod(pod))
      .map(keyOf);
  }

  /** How many cached pods carry each zone label, read through a label selector. */
  countByZone(zones: readonly string[]): Record<string, number> {
    return Object.fromEntries(zones.map((z) => [z, this.#podLister.list(`${ZONE_LABEL}=${z}`).length]));
  }

  /** Runs the workers until `signal` aborts; then drains in-flight reconciles and shuts the queue down. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#runner.run(signal);
  }

  #requeuePodsOf(nodeName: string): number {
    const pods = this.pods.getIndexer().byIndex(BY_NODE, nodeName);
    for (const pod of pods) this.#runner.enqueue(keyOf(pod));
    return pods.length;
  }

  async #reconcile(key: string): Promise<ReconcileResult | undefined> {
    this.stats.reconciles++;
    const [namespace, name] = splitMetaNamespaceKey(key);
    const pod = getOrUndefined(() => this.#podLister.namespace(namespace).get(name));
    if (!pod?.spec?.nodeName) return undefined; // gone, or not scheduled yet
    const zone = this.zoneOfPod(pod);
    if (pod.metadata?.labels?.[ZONE_LABEL] === zone) return undefined;
    const updated = produce(pod, (draft) => {
      draft.metadata ??= {};
      const labels = { ...draft.metadata.labels };
      if (zone === undefined) delete labels[ZONE_LABEL];
      else labels[ZONE_LABEL] = zone;
      draft.metadata.labels = labels;
    });
    try {
      // Not aborted with `signal`: on shutdown an in-flight write completes, so the cache and the log agree.
      await this.#o.client.replace({ ...PODS, namespace }, updated);
    } catch (err) {
      // Our cached copy was stale: the watch brings the newer one, and with it another reconcile.
      if (isStatusCode(err, 409)) {
        this.stats.conflicts++;
        return { requeue: true };
      }
      if (isStatusCode(err, 404)) return undefined;
      throw err;
    }
    this.stats.labelled++;
    this.#o.log?.(`labelled ${key} ${ZONE_LABEL}=${zone ?? '(removed)'}`);
    return undefined;
  }
}
