/**
 * The controllers a real cluster runs that this server needs in-line: creating the initial namespaces,
 * serving and unserving custom resources as their CRDs come and go (deleting a CRD deletes its objects),
 * and emptying a namespace that is deleted.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { isStorageError } from '@kubecache/storage';
import { crdDefinitions } from '../registry/custom-resources.js';
import type { ResourceRegistry, ResourceStore } from '../registry/resource-registry.js';
import { stampCreate } from './object-meta.js';

// biome-ignore lint/suspicious/noExplicitAny: CRDs are arbitrary JSON.
type Json = any;

/** In-line controllers over a registry. */
export class ServerHooks {
  readonly #registry: ResourceRegistry;
  readonly #log: (line: string) => void;

  constructor(registry: ResourceRegistry, log: (line: string) => void) {
    this.#registry = registry;
    this.#log = log;
  }

  /** Creates the missing initial namespaces and serves the CRDs already stored. */
  async bootstrap(namespaces: readonly string[]): Promise<void> {
    const ns = this.#registry.lookup('', 'v1', 'namespaces');
    for (const name of ns ? namespaces : []) {
      const obj: Json = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
      stampCreate(obj, Date.now());
      try {
        await ns?.storage.create(`/namespaces/${name}`, obj);
      } catch (err) {
        if (!isStorageError(err, 'KeyExists')) throw err;
      }
    }
    const crds = this.#registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!crds) return;
    const list = await crds.storage.getList(crds.prefix, { recursive: true });
    for (const crd of list.items) await this.onCustomResourceDefinition(crd, false);
  }

  /** Serves what `crd` defines now (nothing once deleted or terminating; then its objects go too). */
  async onCustomResourceDefinition(crd: KubeObject, deleted: boolean): Promise<void> {
    const c = crd as Json;
    const group: string = c.spec?.group;
    const plural: string = c.spec?.names?.plural;
    const defs = deleted ? [] : crdDefinitions(crd);
    const served = this.#registry.list(group).filter((s) => s.def.resource === plural);
    const same =
      served.length === defs.length &&
      defs.every((d) =>
        served.some(
          (s) =>
            s.def.version === d.version &&
            JSON.stringify({ ...s.def, columns: 0 }) === JSON.stringify({ ...d, columns: 0 }),
        ),
      );
    if (same) return;
    const prefix = served[0]?.prefix;
    await this.#registry.remove(group, plural);
    for (const def of defs) this.#registry.add(def);
    if (defs.length === 0 && prefix && served[0]) await this.#deleteAll(served[0], prefix);
    await this.#registry.waitUntilReady();
  }

  /** Deletes every namespaced object in namespace `name`. */
  async onNamespaceDeleted(name: string): Promise<void> {
    const seen = new Set<string>();
    for (const store of this.#registry.list()) {
      if (!store.def.namespaced || seen.has(store.prefix)) continue;
      seen.add(store.prefix);
      await this.#deleteAll(store, `${store.prefix}/${name}`);
    }
  }

  async #deleteAll(store: ResourceStore, key: string): Promise<void> {
    const list = await store.storage.getList(key, { recursive: true });
    for (const item of list.items) {
      const m = item.metadata ?? {};
      const k = m.namespace ? `${store.prefix}/${m.namespace}/${m.name}` : `${store.prefix}/${m.name}`;
      try {
        await store.storage.delete(k);
      } catch (err) {
        if (!isStorageError(err, 'KeyNotFound')) this.#log(`apiserver: cannot delete ${k}: ${(err as Error).message}`);
      }
    }
  }
}
