/**
 * The example reconciler: keeps every scheduled pod labelled with the zone of its node.
 *
 * It shows the whole client-side pipeline on one page: a shared informer (list + watch into a frozen,
 * indexed store), an event handler feeding a rate-limited workqueue, a `ControllerRunner` calling
 * `reconcile(key)`, a typed lister with a label selector, and immer's `produce` to derive the new object
 * from the frozen one. Where the pods live is a {@link PodWriter}: the embedded storage, or a real cluster.
 */
import type { KubeObject, Wire } from '@kubecache/apimachinery';
import { parseLabelSelector } from '@kubecache/apimachinery';
import type { ListerWatcher } from '@kubecache/cache';
import { deletionHandlingMetaNamespaceKeyFunc, splitMetaNamespaceKey } from '@kubecache/cache';
import type { SharedIndexInformer } from '@kubecache/informers';
import { ControllerRunner, SharedInformerFactory } from '@kubecache/informers';
import { PodLister } from '@kubecache/listers';
import type { V1Pod } from '@kubernetes/client-node';

/** The label the reconciler maintains. */
export const ZONE_LABEL = 'topology.kubecache.io/zone';

/** Writes the zone label of one pod wherever pods live. */
export interface PodWriter {
  /** Sets `metadata.labels[ZONE_LABEL]` of pod `namespace/name` to `zone`. */
  setZone(namespace: string, name: string, zone: string, signal: AbortSignal): Promise<void>;
}

/** Options of {@link ZoneLabeler}. */
export interface ZoneLabelerOptions {
  /** Where the informer lists and watches pods (all namespaces). Required. */
  listerWatcher: ListerWatcher<KubeObject>;
  /** Where label changes are written. Required. */
  writer: PodWriter;
  /** Zone of a node. Default {@link zoneOfNode}. */
  zoneOf?: (nodeName: string) => string;
  /** Concurrent reconciles. Default 2. */
  workers?: number;
  /** Receives one line per thing worth telling. Default: none. */
  log?: (line: string) => void;
}

/** Counts of what the reconciler did. */
export interface ZoneLabelerStats {
  reconciles: number;
  labelled: number;
}

/** Spreads nodes over three zones by the number in their name (`node-4` → `zone-b`). */
export function zoneOfNode(nodeName: string): string {
  const n = Number.parseInt(nodeName.replace(/^\D+/, ''), 10);
  return `zone-${'abc'[(Number.isNaN(n) ? nodeName.length : n) % 3]}`;
}

/**
 * Keeps pods labelled with their node's zone until stopped.
 *
 * @example
 * const labeler = new ZoneLabeler({ listerWatcher, writer });
 * await labeler.run(signal); // resolves once the signal aborts and in-flight work is done
 */
export class ZoneLabeler {
  readonly #o: Required<Omit<ZoneLabelerOptions, 'log'>> & Pick<ZoneLabelerOptions, 'log'>;
  readonly #factory: SharedInformerFactory;
  readonly #pods: SharedIndexInformer<Wire<V1Pod>>;
  readonly #lister: PodLister;
  readonly #runner: ControllerRunner;
  readonly stats: ZoneLabelerStats = { reconciles: 0, labelled: 0 };

  constructor(options: ZoneLabelerOptions) {
    this.#o = { zoneOf: zoneOfNode, workers: 2, ...options };
    this.#factory = new SharedInformerFactory({ listerWatcherFor: () => this.#o.listerWatcher });
    this.#pods = this.#factory.informerFor<Wire<V1Pod>>({ version: 'v1', resource: 'pods' });
    this.#lister = new PodLister({ indexer: this.#pods.getIndexer() });
    this.#runner = new ControllerRunner({
      name: 'zone-labeler',
      workers: this.#o.workers,
      waitFor: [this.#pods],
      reconcile: (key, signal) => this.#reconcile(key, signal),
    });
    this.#pods.addEventHandler({
      name: 'enqueue',
      onAdd: (pod) => this.#runner.enqueue(deletionHandlingMetaNamespaceKeyFunc(pod)),
      onUpdate: (_old, pod) => this.#runner.enqueue(deletionHandlingMetaNamespaceKeyFunc(pod)),
      onDelete: (deleted) => this.#o.log?.(`deleted ${deleted.key} (${deleted.kind})`),
    });
  }

  /** The pods lister (frozen objects, read-only). */
  get pods(): PodLister {
    return this.#lister;
  }

  /** Whether the pod cache holds the initial list. */
  hasSynced(): boolean {
    return this.#pods.hasSynced();
  }

  /** Pods whose zone label is not (yet) right; empty once the reconciler has caught up. */
  unlabelled(): string[] {
    return this.#lister
      .list()
      .filter((pod) => pod.spec?.nodeName && pod.metadata?.labels?.[ZONE_LABEL] !== this.#o.zoneOf(pod.spec.nodeName))
      .map((pod) => deletionHandlingMetaNamespaceKeyFunc(pod));
  }

  /** How many cached pods carry each zone label, read through a label selector. */
  countByZone(zones: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const zone of zones) counts[zone] = this.#lister.list(parseLabelSelector(`${ZONE_LABEL}=${zone}`)).length;
    return counts;
  }

  /** Runs until `signal` aborts; then lets in-flight reconciles finish and stops the informers. */
  async run(signal: AbortSignal): Promise<void> {
    this.#factory.start();
    try {
      await this.#factory.waitForCacheSync(signal);
      await this.#runner.run(signal);
    } finally {
      await this.#factory.shutdown();
    }
  }

  async #reconcile(key: string, signal: AbortSignal): Promise<void> {
    this.stats.reconciles++;
    const [namespace, name] = splitMetaNamespaceKey(key);
    const pod = this.#pods.getIndexer().getByKey(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName) return; // gone, or not scheduled yet: nothing to label
    const zone = this.#o.zoneOf(nodeName);
    if (pod.metadata?.labels?.[ZONE_LABEL] === zone) return;
    await this.#o.writer.setZone(namespace, name, zone, signal);
    this.stats.labelled++;
    this.#o.log?.(`labelled ${key} ${ZONE_LABEL}=${zone}`);
  }
}
