/**
 * The resources being served: for each, its definition, the shared storage and (unless the watch cache is
 * off) a Cacher over its key prefix. Built-ins are added at start; custom resources come and go with their
 * CRDs.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import type { AttrsFunc, Storage } from '@kubecache/storage';
import { attrsFor } from '@kubecache/storage';
import { Cacher, type CacherOptions } from '../cacher/cacher.js';
import { type ResourceDefinition, resourcePrefix } from './resource-definition.js';

/** One served resource and where its objects are read from. */
export interface ResourceStore {
  readonly def: ResourceDefinition;
  /** Key prefix, e.g. `/pods`. */
  readonly prefix: string;
  /** The raw storage (writes, and reads when there is no cache). */
  readonly storage: Storage<KubeObject>;
  /** The watch cache, when enabled. */
  readonly cacher: Cacher<KubeObject> | undefined;
  /** Labels and selectable fields of an object. */
  readonly getAttrs: AttrsFunc<KubeObject>;
}

/** Options of {@link ResourceRegistry}. */
export interface ResourceRegistryOptions {
  /** The storage every resource shares. */
  storage: Storage<KubeObject>;
  /** Whether a resource is served through a watch cache. Default: all are. */
  watchCache?: boolean | ((def: ResourceDefinition) => boolean);
  /** Extra Cacher options (clock, bookmark frequency, …). Default none. */
  cacher?: Partial<Omit<CacherOptions<KubeObject>, 'storage' | 'resourcePrefix'>>;
  /** Receives errors the caches recover from. Default: a log line on stderr. */
  onError?: (err: Error) => void;
}

/** The served resources, by `group/version/resource`. */
export class ResourceRegistry {
  readonly #o: ResourceRegistryOptions;
  readonly #byPath = new Map<string, ResourceStore>();
  readonly #byPrefix = new Map<string, ResourceStore>();

  constructor(options: ResourceRegistryOptions) {
    this.#o = options;
  }

  /** Serves `def` (idempotent per group/version/resource); versions of one resource share a cache. */
  add(def: ResourceDefinition): ResourceStore {
    const path = pathOf(def.group, def.version, def.resource);
    const existing = this.#byPath.get(path);
    if (existing) return existing;
    const prefix = resourcePrefix(def);
    const shared = this.#byPrefix.get(prefix);
    const store: ResourceStore = shared
      ? { ...shared, def }
      : { def, prefix, storage: this.#o.storage, cacher: this.#newCacher(def, prefix), getAttrs: attrsFor(def.kind) };
    this.#byPath.set(path, store);
    if (!shared) this.#byPrefix.set(prefix, store);
    return store;
  }

  /** Stops serving every version of `group`'s `resource`; resolves when its cache has stopped. */
  async remove(group: string, resource: string): Promise<void> {
    for (const [path, store] of this.#byPath) {
      if (store.def.group === group && store.def.resource === resource) this.#byPath.delete(path);
    }
    for (const [prefix, store] of this.#byPrefix) {
      if (store.def.group === group && store.def.resource === resource) {
        this.#byPrefix.delete(prefix);
        await store.cacher?.stop();
      }
    }
  }

  /** The store serving `group/version/resource`. */
  lookup(group: string, version: string, resource: string): ResourceStore | undefined {
    return this.#byPath.get(pathOf(group, version, resource));
  }

  /** Every served resource of a group (all groups when `group` is undefined). */
  list(group?: string): ResourceStore[] {
    return [...this.#byPath.values()].filter((s) => group === undefined || s.def.group === group);
  }

  /** Whether some version of `group` is served. */
  hasGroup(group: string): boolean {
    return this.list(group).length > 0;
  }

  /**
   * Replaces every watch cache with a fresh one (its history starts at a new list); the old caches stop,
   * which ends their watches. Resolves when the new caches are ready.
   */
  async restartCaches(): Promise<void> {
    const old: Cacher<KubeObject>[] = [];
    for (const [prefix, store] of this.#byPrefix) {
      if (!store.cacher) continue;
      old.push(store.cacher);
      const cacher = this.#newCacher(store.def, prefix);
      this.#byPrefix.set(prefix, { ...store, cacher });
      for (const [path, s] of this.#byPath) if (s.prefix === prefix) this.#byPath.set(path, { ...s, cacher });
    }
    await Promise.all(old.map((c) => c.stop()));
    await this.waitUntilReady();
  }

  /** Resolves once every cache has filled. */
  async waitUntilReady(): Promise<void> {
    await Promise.all([...this.#byPrefix.values()].map((s) => s.cacher?.waitUntilReady()));
  }

  /** Stops every cache. */
  async stop(): Promise<void> {
    const caches = [...this.#byPrefix.values()].map((s) => s.cacher?.stop());
    this.#byPath.clear();
    this.#byPrefix.clear();
    await Promise.all(caches);
  }

  #newCacher(def: ResourceDefinition, prefix: string): Cacher<KubeObject> | undefined {
    const on = this.#o.watchCache ?? true;
    if (!(typeof on === 'function' ? on(def) : on)) return undefined;
    const getAttrs = attrsFor(def.kind);
    const field = def.triggerField;
    const cacher = new Cacher<KubeObject>({
      onError: this.#o.onError ?? ((err) => console.error(`apiserver cacher ${prefix}: ${err.message}`)),
      ...this.#o.cacher,
      storage: this.#o.storage,
      resourcePrefix: prefix,
      getAttrs,
      newObject: () => ({
        kind: def.kind,
        apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
        metadata: {},
      }),
      ...(field && { trigger: { field, valueOf: (o: KubeObject) => getAttrs(o).fields[field] ?? '' } }),
    });
    cacher.start();
    return cacher;
  }
}

function pathOf(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}
