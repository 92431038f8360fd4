/**
 * The ConfigMap → Secret mirror: every ConfigMap labelled `kubecache.io/mirror=true` in the source namespace
 * is copied into a Secret of the same name in every namespace labelled `kubecache.io/mirror-target=true`.
 * Changing the ConfigMap updates the copies, deleting it (seen as a watch DELETED event or, if the watch
 * missed it, as a relist tombstone) deletes them, a copy edited or deleted by hand is repaired, and a
 * namespace gaining or losing the target label gains or loses the copies.
 *
 * Kubernetes does not allow owner references across namespaces (the garbage collector would delete a Secret
 * whose owner is not in its own namespace), so each copy names its source in the annotation
 * `kubecache.io/mirrored-from: <namespace>/<name>`, and the Secrets are indexed by that annotation.
 */
import { type Immutable, isStatusCode, produce, type Wire } from '@kubecache/apimachinery';
import { splitMetaNamespaceKey } from '@kubecache/cache';
import type { ControllerRunner, DeletedObject, ReconcileResult, SharedIndexInformer } from '@kubecache/informers';
import { ClusterScopedLister, ConfigMapLister, SecretLister } from '@kubecache/listers';
import type { V1ConfigMap, V1Namespace, V1Secret } from '@kubernetes/client-node';
import { type ExampleControllerOptions, runnerOf } from './example-controller.js';
import { getOrUndefined, keyOf } from './lister-helpers.js';

/** Marks a ConfigMap of the source namespace to be mirrored. */
export const MIRROR_LABEL = 'kubecache.io/mirror';
/** Marks a namespace that receives the copies. */
export const TARGET_LABEL = 'kubecache.io/mirror-target';
/** Marks the Secrets this controller owns (their informer watches only these). */
export const MIRRORED_LABEL = 'kubecache.io/mirrored';
/** Names a copy's source ConfigMap, `namespace/name`. */
export const SOURCE_ANNOTATION = 'kubecache.io/mirrored-from';
/** The Secret index by source. */
export const BY_SOURCE = 'bySource';

type ConfigMap = Wire<V1ConfigMap>;
type Secret = Wire<V1Secret>;
const SECRETS = { version: 'v1', resource: 'secrets' } as const;

/** Options of {@link ConfigMapMirror}. */
export interface ConfigMapMirrorOptions extends ExampleControllerOptions {
  /** The namespace whose ConfigMaps are mirrored. Default `mirror-source`. */
  sourceNamespace?: string;
  /** Concurrent reconciles. Default 2. */
  workers?: number;
}

/** Counts of what the mirror did. */
export interface MirrorStats {
  reconciles: number;
  created: number;
  updated: number;
  deleted: number;
  tombstones: number;
}

/** The Secret data of a ConfigMap: its `data` base64-encoded, its `binaryData` as is. */
export function secretDataOf(cm: Immutable<ConfigMap>): Record<string, string> {
  const data: Record<string, string> = { ...cm.binaryData };
  for (const [k, v] of Object.entries(cm.data ?? {})) data[k] = Buffer.from(v, 'utf8').toString('base64');
  return data;
}

function sameData(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a?.[k] === b[k]);
}

/** Mirrors ConfigMaps into Secrets across namespaces until stopped. */
export class ConfigMapMirror {
  readonly #o: ConfigMapMirrorOptions;
  readonly #source: string;
  readonly configMaps: SharedIndexInformer<ConfigMap>;
  readonly secrets: SharedIndexInformer<Secret>;
  readonly namespaces: SharedIndexInformer<Wire<V1Namespace>>;
  readonly #cmLister: ConfigMapLister;
  readonly #secretLister: SecretLister;
  readonly #nsLister: ClusterScopedLister<Immutable<Wire<V1Namespace>>>;
  readonly #runner: ControllerRunner;
  readonly stats: MirrorStats = { reconciles: 0, created: 0, updated: 0, deleted: 0, tombstones: 0 };

  constructor(options: ConfigMapMirrorOptions) {
    this.#o = options;
    this.#source = options.sourceNamespace ?? 'mirror-source';
    this.configMaps = options.factory.informerFor<ConfigMap>({
      version: 'v1',
      resource: 'configmaps',
      namespace: this.#source,
    });
    this.secrets = options.factory.informerFor<Secret>({
      ...SECRETS,
      labelSelector: `${MIRRORED_LABEL}=true`,
      indexers: { [BY_SOURCE]: (s) => [s.metadata?.annotations?.[SOURCE_ANNOTATION] ?? ''].filter(Boolean) },
    });
    this.namespaces = options.factory.informerFor<Wire<V1Namespace>>({ version: 'v1', resource: 'namespaces' });
    this.#cmLister = new ConfigMapLister({ indexer: this.configMaps.getIndexer() });
    this.#secretLister = new SecretLister({ indexer: this.secrets.getIndexer() });
    this.#nsLister = new ClusterScopedLister({ indexer: this.namespaces.getIndexer(), resource: 'namespaces' });
    this.#runner = runnerOf(options, {
      name: 'configmap-mirror',
      workers: options.workers ?? 2,
      waitFor: [this.configMaps, this.secrets, this.namespaces],
      reconcile: (key) => this.#reconcile(key),
      ...(options.onError && { onError: options.onError }),
    });
    const enqueue = (obj: Immutable<ConfigMap>) => this.#runner.enqueue(keyOf(obj));
    this.configMaps.addEventHandler({
      name: 'mirror-configmaps',
      onAdd: enqueue,
      onUpdate: (_old, cm) => enqueue(cm),
      onDelete: (deleted: DeletedObject<Immutable<ConfigMap>>) => {
        // A tombstone: the watch missed the DELETED event and a relist found the object gone; `obj` may be
        // stale or absent, but the key is all the reconcile needs.
        if (deleted.kind === 'tombstone') this.stats.tombstones++;
        this.#o.log?.(`configmap ${deleted.key} deleted (${deleted.kind})`);
        this.#runner.enqueue(deleted.key);
      },
    });
    const requeueSourceOf = (s: Immutable<Secret> | undefined) => {
      const source = s?.metadata?.annotations?.[SOURCE_ANNOTATION];
      if (source) this.#runner.enqueue(source);
    };
    this.secrets.addEventHandler({
      name: 'mirror-secrets',
      onUpdate: (_old, s) => requeueSourceOf(s),
      onDelete: (deleted) => requeueSourceOf(deleted.obj),
    });
    const requeueAll = () => {
      for (const cm of this.#cmLister.namespace(this.#source).list()) enqueue(cm);
      for (const source of this.secrets.getIndexer().listIndexFuncValues(BY_SOURCE)) this.#runner.enqueue(source);
    };
    this.namespaces.addEventHandler({
      name: 'mirror-namespaces',
      onAdd: (_ns, initial) => {
        if (!initial) requeueAll();
      },
      onUpdate: (old, ns) => {
        if (old.metadata?.labels?.[TARGET_LABEL] !== ns.metadata?.labels?.[TARGET_LABEL]) requeueAll();
      },
      onDelete: requeueAll,
    });
  }

  /** Namespaces receiving copies (labelled, not terminating). */
  targets(): string[] {
    return this.#nsLister
      .list(`${TARGET_LABEL}=true`)
      .filter((ns) => !ns.metadata?.deletionTimestamp)
      .map((ns) => ns.metadata?.name ?? '')
      .sort();
  }

  /** What is not (yet) as it should be, as `missing|stale|extra ns/name` strings; empty once caught up. */
  drift(): string[] {
    const out: string[] = [];
    const targets = this.targets();
    const wanted = new Set<string>();
    for (const cm of this.#cmLister.namespace(this.#source).list(`${MIRROR_LABEL}=true`)) {
      for (const ns of targets) {
        const key = `${ns}/${cm.metadata?.name}`;
        wanted.add(key);
        const s = getOrUndefined(() => this.#secretLister.namespace(ns).get(cm.metadata?.name ?? ''));
        if (!s) out.push(`missing ${key}`);
        else if (!sameData(s.data, secretDataOf(cm))) out.push(`stale ${key}`);
      }
    }
    for (const s of this.#secretLister.list()) if (!wanted.has(keyOf(s))) out.push(`extra ${keyOf(s)}`);
    return out.sort();
  }

  /** Runs the workers until `signal` aborts; then drains in-flight reconciles. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#runner.run(signal);
  }

  async #reconcile(key: string): Promise<ReconcileResult | undefined> {
    this.stats.reconciles++;
    const [namespace, name] = splitMetaNamespaceKey(key);
    const cm = getOrUndefined(() => this.#cmLister.namespace(namespace).get(name));
    const mirrored = cm?.metadata?.labels?.[MIRROR_LABEL] === 'true' ? cm : undefined;
    const targets = mirrored ? this.targets() : [];
    let raced = false;
    for (const ns of targets) {
      if (mirrored) raced = (await this.#ensureCopy(key, mirrored, ns)) || raced;
    }
    for (const s of this.secrets.getIndexer().byIndex(BY_SOURCE, key)) {
      const ns = s.metadata?.namespace ?? '';
      if (targets.includes(ns)) continue;
      await this.#o.client.delete({ ...SECRETS, namespace: ns }, s.metadata?.name ?? '');
      this.stats.deleted++;
      this.#o.log?.(`deleted secret ${keyOf(s)} (source ${key} ${cm ? 'no longer mirrored' : 'gone'})`);
    }
    // A copy changed under us (409) or vanished (404) between our read and write: the watch brings the
    // news, and a requeue looks again with it.
    return raced ? { requeue: true } : undefined;
  }

  /** Creates or updates the copy in `ns`; true when a write lost a race (409/404) and needs a requeue. */
  async #ensureCopy(source: string, cm: Immutable<ConfigMap>, ns: string): Promise<boolean> {
    const name = cm.metadata?.name ?? '';
    const data = secretDataOf(cm);
    const existing = getOrUndefined(() => this.#secretLister.namespace(ns).get(name));
    const ref = { ...SECRETS, namespace: ns };
    if (!existing) {
      const secret: Secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name,
          namespace: ns,
          labels: { [MIRRORED_LABEL]: 'true' },
          annotations: { [SOURCE_ANNOTATION]: source },
        },
        data,
      };
      try {
        await this.#o.client.create(ref, secret);
      } catch (err) {
        if (isStatusCode(err, 409)) throw new Error(`secret ${ns}/${name} exists and is not a mirror of ${source}`);
        throw err;
      }
      this.stats.created++;
      this.#o.log?.(`created secret ${ns}/${name} from ${source}`);
      return false;
    }
    if (sameData(existing.data, data) && existing.metadata?.annotations?.[SOURCE_ANNOTATION] === source) return false;
    const updated = produce(existing, (draft) => {
      draft.data = data;
      draft.metadata ??= {};
      draft.metadata.annotations = { ...draft.metadata.annotations, [SOURCE_ANNOTATION]: source };
    });
    try {
      await this.#o.client.replace(ref, updated);
    } catch (err) {
      if (isStatusCode(err, 409) || isStatusCode(err, 404)) return true;
      throw err;
    }
    this.stats.updated++;
    this.#o.log?.(`updated secret ${ns}/${name} from ${source}`);
    return false;
  }
}
