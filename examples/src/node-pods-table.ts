/**
 * A live pods-per-node table: a Node informer and a Pod informer indexed by `spec.nodeName`; every row is
 * read from the listers and the index (no request per refresh), and the table is redrawn when an event has
 * changed something, at most every `refreshMs`.
 */
import type { Immutable, Wire } from '@kubecache/apimachinery';
import type { SharedIndexInformer, SharedInformerFactory } from '@kubecache/informers';
import { NodeLister, PodLister } from '@kubecache/listers';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { BY_NODE, NODE_ZONE_LABEL } from './zone-labeler.js';

/** One row of the table. */
export interface NodeRow {
  node: string;
  zone: string;
  pods: number;
  running: number;
  pending: number;
  other: number;
}

/** Options of {@link NodePodsTable}. */
export interface NodePodsTableOptions {
  factory: SharedInformerFactory;
  /** Shortest time between two redraws, in ms. Default 250. */
  refreshMs?: number;
}

/** Counts pods per node from the informers' caches. */
export class NodePodsTable {
  readonly pods: SharedIndexInformer<Wire<V1Pod>>;
  readonly nodes: SharedIndexInformer<Wire<V1Node>>;
  readonly #podLister: PodLister;
  readonly #nodeLister: NodeLister;
  readonly #refreshMs: number;
  #dirty = true;
  /** Events seen since start. */
  events = 0;

  constructor(options: NodePodsTableOptions) {
    this.pods = options.factory.informerFor<Wire<V1Pod>>({
      version: 'v1',
      resource: 'pods',
      indexers: { [BY_NODE]: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []) },
    });
    this.nodes = options.factory.informerFor<Wire<V1Node>>({ version: 'v1', resource: 'nodes' });
    this.#podLister = new PodLister({ indexer: this.pods.getIndexer() });
    this.#nodeLister = new NodeLister({ indexer: this.nodes.getIndexer() });
    this.#refreshMs = options.refreshMs ?? 250;
    const changed = () => {
      this.events++;
      this.#dirty = true;
    };
    for (const inf of [this.pods, this.nodes] as const) {
      inf.addEventHandler({ name: 'node-pods-table', onAdd: changed, onUpdate: changed, onDelete: changed });
    }
  }

  /** The rows, one per node (sorted by name), then `(unscheduled)` if any pod has no node. */
  rows(): NodeRow[] {
    const count = (node: string, zone: string, pods: readonly Immutable<Wire<V1Pod>>[]): NodeRow => {
      const phase = (p: string) => pods.filter((pod) => (pod.status?.phase ?? 'Pending') === p).length;
      const running = phase('Running');
      const pending = phase('Pending');
      return { node, zone, pods: pods.length, running, pending, other: pods.length - running - pending };
    };
    const rows = this.#nodeLister
      .list()
      .map((n) => n.metadata?.name ?? '')
      .sort()
      .map((name) => {
        const zone = this.#nodeLister.get(name).metadata?.labels?.[NODE_ZONE_LABEL] ?? '-';
        return count(name, zone, this.pods.getIndexer().byIndex(BY_NODE, name));
      });
    const unscheduled = this.#podLister.list().filter((p) => !p.spec?.nodeName);
    if (unscheduled.length) rows.push(count('(unscheduled)', '-', unscheduled));
    return rows;
  }

  /** The table as text. */
  render(): string {
    const rows = this.rows();
    const head = ['NODE', 'ZONE', 'PODS', 'RUNNING', 'PENDING', 'OTHER'];
    const cells = rows.map((r) => [r.node, r.zone, r.pods, r.running, r.pending, r.other].map(String));
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
    const line = (c: readonly string[]) =>
      c.map((x, i) => (i < 2 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ');
    const total = rows.reduce((a, r) => a + r.pods, 0);
    return [line(head), ...cells.map(line), `${total} pods on ${this.nodes.getIndexer().listKeys().length} nodes`]
      .map((l) => `  ${l}`)
      .join('\n');
  }

  /** Calls `draw(table)` whenever something changed, at most every `refreshMs`, until `signal` aborts. */
  async live(draw: (table: string) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.#dirty) {
        this.#dirty = false;
        draw(this.render());
      }
      await new Promise((resolve) => setTimeout(resolve, this.#refreshMs));
    }
  }
}
