/**
 * A ReplicaSet-like controller over a custom resource, `PodSet` (`examples.kubecache.io/v1`): keeps
 * `spec.replicas` pods per PodSet, each created from `spec.template` with a controller owner reference, and
 * writes `status.replicas` / `status.observedGeneration` through the `/status` subresource.
 *
 * Like client-go's ReplicaSet controller it keeps **expectations**: after asking for N creations (or
 * deletions) it does not count pods again until the watch has shown those N (the cache lags the writes, and
 * counting early would create too many). A reconcile that finds expectations pending asks to be requeued
 * after a short delay (`requeueAfterMs`), and expectations expire so a lost event cannot wedge a PodSet.
 * A custom resource rather than `apps/v1` ReplicaSets, so that on a real cluster it does not fight the
 * kube-controller-manager over the same objects.
 */
import { type Immutable, isStatusCode, type OwnerReference, produce, type Wire } from '@kubecache/apimachinery';
import { splitMetaNamespaceKey } from '@kubecache/cache';
import type { ControllerRunner, ReconcileResult, SharedIndexInformer } from '@kubecache/informers';
import { namespacedLister, PodLister } from '@kubecache/listers';
import type { V1Pod, V1PodSpec, V1PodTemplateSpec } from '@kubernetes/client-node';
import { EXAMPLES_GROUP } from './crd.js';
import { type ExampleControllerOptions, runnerOf } from './example-controller.js';
import { controllerOf, getOrUndefined, keyOf } from './lister-helpers.js';

/** A PodSet as it arrives on the wire. */
export interface PodSet {
  apiVersion?: string;
  kind?: string;
  metadata?: Wire<V1Pod>['metadata'];
  spec?: { replicas?: number; template?: Wire<V1PodTemplateSpec> };
  status?: { replicas?: number; observedGeneration?: number };
}

/** The PodSet resource. */
export const PODSETS = { group: EXAMPLES_GROUP, version: 'v1', resource: 'podsets' } as const;
const PODS = { version: 'v1', resource: 'pods' } as const;
/** The pod index by the uid of its controller. */
export const BY_OWNER_UID = 'byOwnerUid';
/** Expectations older than this are dropped (client-go: 5 minutes). */
export const EXPECTATIONS_TTL_MS = 30_000;
/** While expectations are pending, the PodSet is looked at again after this long. */
export const EXPECTATIONS_RECHECK_MS = 500;

/** A lister of PodSets (a typed lister of a custom kind). */
export const PodSetLister = namespacedLister<Immutable<PodSet>>(EXAMPLES_GROUP, 'podset');

interface Expectation {
  adds: number;
  dels: number;
  at: number;
}

/** Options of {@link PodSetController}. */
export interface PodSetControllerOptions extends ExampleControllerOptions {
  /** Concurrent reconciles. Default 2. */
  workers?: number;
}

/** Counts of what the controller did. */
export interface PodSetStats {
  reconciles: number;
  created: number;
  deleted: number;
  statusWrites: number;
  requeuedForExpectations: number;
}

/** Keeps `spec.replicas` pods per PodSet until stopped. */
export class PodSetController {
  readonly #o: PodSetControllerOptions;
  readonly podSets: SharedIndexInformer<PodSet>;
  readonly pods: SharedIndexInformer<Wire<V1Pod>>;
  readonly #podSetLister: InstanceType<typeof PodSetLister>;
  readonly #podLister: PodLister;
  readonly #runner: ControllerRunner;
  readonly #expectations = new Map<string, Expectation>();
  readonly stats: PodSetStats = { reconciles: 0, created: 0, deleted: 0, statusWrites: 0, requeuedForExpectations: 0 };

  constructor(options: PodSetControllerOptions) {
    this.#o = options;
    this.podSets = options.factory.informerFor<PodSet>({ ...PODSETS });
    this.pods = options.factory.informerFor<Wire<V1Pod>>({
      ...PODS,
      indexers: { [BY_OWNER_UID]: (pod) => [controllerOf(pod)?.uid ?? ''].filter(Boolean) },
    });
    this.#podSetLister = new PodSetLister({ indexer: this.podSets.getIndexer() });
    this.#podLister = new PodLister({ indexer: this.pods.getIndexer() });
    this.#runner = runnerOf(options, {
      name: 'podset-controller',
      workers: options.workers ?? 2,
      waitFor: [this.podSets, this.pods],
      reconcile: (key) => this.#reconcile(key),
      ...(options.onError && { onError: options.onError }),
    });
    this.podSets.addEventHandler({
      name: 'podsets',
      onAdd: (ps) => this.#runner.enqueue(keyOf(ps)),
      onUpdate: (_old, ps) => this.#runner.enqueue(keyOf(ps)),
      onDelete: (deleted) => {
        this.#expectations.delete(deleted.key);
        this.#o.log?.(`podset ${deleted.key} deleted (${deleted.kind}); its pods are the garbage collector's`);
      },
    });
    this.pods.addEventHandler({
      name: 'podset-pods',
      onAdd: (pod) => this.#observed(pod, 'adds'),
      onUpdate: (_old, pod) => {
        const owner = this.#ownerKey(pod);
        if (owner) this.#runner.enqueue(owner);
      },
      onDelete: (deleted) => {
        if (deleted.obj) this.#observed(deleted.obj, 'dels');
      },
    });
  }

  /** `namespace/name` of the PodSet controlling `pod`, if any. */
  #ownerKey(pod: Immutable<Wire<V1Pod>>): string | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'PodSet' || ref.apiVersion !== `${EXAMPLES_GROUP}/v1`) return undefined;
    return `${pod.metadata?.namespace}/${ref.name}`;
  }

  /** A pod event the expectations were waiting for: lower them and requeue the owner. */
  #observed(pod: Immutable<Wire<V1Pod>>, what: 'adds' | 'dels'): void {
    const owner = this.#ownerKey(pod);
    if (!owner) return;
    const e = this.#expectations.get(owner);
    if (e) e[what]--;
    this.#runner.enqueue(owner);
  }

  #satisfied(key: string): boolean {
    const e = this.#expectations.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels <= 0) || performance.now() - e.at > EXPECTATIONS_TTL_MS) {
      this.#expectations.delete(key);
      return true;
    }
    return false;
  }

  /** Active pods of a PodSet, from the owner-uid index. */
  podsOf(ps: Immutable<PodSet>): Immutable<Wire<V1Pod>>[] {
    return this.pods
      .getIndexer()
      .byIndex(BY_OWNER_UID, ps.metadata?.uid ?? '')
      .filter((p) => !p.metadata?.deletionTimestamp);
  }

  /** PodSets whose pods or status do not (yet) match their spec, as strings; empty once caught up. */
  drift(): string[] {
    return this.#podSetLister.list().flatMap((ps) => {
      const want = ps.spec?.replicas ?? 1;
      const have = this.podsOf(ps).length;
      const st = ps.status;
      const ok = have === want && st?.replicas === want && st.observedGeneration === ps.metadata?.generation;
      return ok ? [] : [`${keyOf(ps)}: ${have}/${want} pods, status.replicas ${st?.replicas ?? '-'}`];
    });
  }

  /** The PodSets, for tables. */
  list(): Immutable<PodSet>[] {
    return this.#podSetLister.list();
  }

  /** All pods, read through the lister (for summaries). */
  allPods(): number {
    return this.#podLister.list().length;
  }

  /** Runs the workers until `signal` aborts; then drains in-flight reconciles. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#runner.run(signal);
  }

  async #reconcile(key: string): Promise<ReconcileResult | undefined> {
    this.stats.reconciles++;
    const [namespace, name] = splitMetaNamespaceKey(key);
    const ps = getOrUndefined(() => this.#podSetLister.namespace(namespace).get(name));
    if (!ps || ps.metadata?.deletionTimestamp) return undefined;
    const pods = this.podsOf(ps);
    const want = ps.spec?.replicas ?? 1;
    if (!this.#satisfied(key)) {
      this.stats.requeuedForExpectations++;
      return { requeueAfterMs: EXPECTATIONS_RECHECK_MS };
    }
    const diff = want - pods.length;
    if (diff > 0) {
      this.#expectations.set(key, { adds: diff, dels: 0, at: performance.now() });
      for (let i = 0; i < diff; i++) await this.#createPod(ps, namespace, key);
      this.#o.log?.(`podset ${key}: created ${diff} pods (${pods.length} → ${want})`);
    } else if (diff < 0) {
      // Newest first, as a scale-down should disturb the longest-running pods last.
      const victims = [...pods]
        .sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''))
        .slice(0, -diff);
      this.#expectations.set(key, { adds: 0, dels: victims.length, at: performance.now() });
      for (const pod of victims) {
        await this.#o.client.delete({ ...PODS, namespace }, pod.metadata?.name ?? '');
        this.stats.deleted++;
      }
      this.#o.log?.(`podset ${key}: deleted ${victims.length} pods (${pods.length} → ${want})`);
    }
    return this.#writeStatus(ps, namespace, this.podsOf(ps).length);
  }

  async #createPod(ps: Immutable<PodSet>, namespace: string, key: string): Promise<void> {
    const owner: OwnerReference = {
      apiVersion: `${EXAMPLES_GROUP}/v1`,
      kind: 'PodSet',
      name: ps.metadata?.name ?? '',
      uid: ps.metadata?.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    };
    const template = ps.spec?.template;
    // A mutable deep copy of the frozen template's spec.
    const spec: Wire<V1PodSpec> = JSON.parse(JSON.stringify(template?.spec ?? { containers: [] }));
    const pod: Wire<V1Pod> = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ps.metadata?.name}-`,
        namespace,
        labels: { ...template?.metadata?.labels },
        ownerReferences: [owner],
      },
      spec,
    };
    try {
      await this.#o.client.create({ ...PODS, namespace }, pod);
      this.stats.created++;
    } catch (err) {
      // The pod will never arrive: stop waiting for it (client-go's CreationObserved on failure).
      const e = this.#expectations.get(key);
      if (e) e.adds--;
      throw err;
    }
  }

  async #writeStatus(ps: Immutable<PodSet>, namespace: string, replicas: number): Promise<ReconcileResult | undefined> {
    const generation = ps.metadata?.generation;
    if (ps.status?.replicas === replicas && ps.status.observedGeneration === generation) return undefined;
    const updated = produce(ps, (draft) => {
      draft.status = { replicas, ...(generation !== undefined && { observedGeneration: generation }) };
    });
    try {
      await this.#o.client.replace({ ...PODSETS, namespace }, updated, 'status');
    } catch (err) {
      if (isStatusCode(err, 409)) return { requeue: true }; // a newer PodSet is on its way through the watch
      if (isStatusCode(err, 404)) return undefined;
      throw err;
    }
    this.stats.statusWrites++;
    return undefined;
  }
}
