/**
 * Factories for the typed listers: client-go generates one lister per kind that differs only in its type
 * and the `GroupResource` its NotFound names; here one factory call per kind does the same.
 */
import type { ReadonlyIndexer } from '@kubecache/cache';
import { type ClusterLister, GenericLister, type SelectorInput } from './lister.js';

/** Options of every typed lister. */
export interface TypedListerOptions<T> {
  /** The indexer holding objects of this kind; give it a `namespace` index for fast namespaced lists. */
  indexer: ReadonlyIndexer<T>;
}

/** The constructor a typed lister factory returns. */
export type TypedListerClass<L, T> = new (options: TypedListerOptions<T>) => L;

/**
 * A lister of a cluster-scoped kind: `list` and `get`, no `namespace()`. A miss in `get` is a 404
 * `StatusError` naming `group` and `resource`.
 */
export class ClusterScopedLister<T> implements ClusterLister<T> {
  readonly #inner: GenericLister<T>;
  /** The indexer listed from, for subclasses' expansions. */
  protected readonly indexer: ReadonlyIndexer<T>;

  constructor(options: TypedListerOptions<T> & { group?: string; resource: string }) {
    this.#inner = new GenericLister(options);
    this.indexer = options.indexer;
  }

  /** Every object whose labels match `selector` (default: all). */
  list(selector?: SelectorInput): T[] {
    return this.#inner.list(selector);
  }

  /** The object named `name`; throws a 404 `StatusError` when absent. */
  get(name: string): T {
    return this.#inner.get(name);
  }
}

/**
 * The lister class of a namespaced kind. `resource` is what client-go's generated lister passes to
 * `Resource()`: the lowercase singular kind (`'pod'`, `'deployment'`), so a miss reads
 * `deployment.apps "web" not found`.
 *
 * @example
 * export const ConfigMapLister = namespacedLister<ConfigMap>('', 'configmap');
 * new ConfigMapLister({ indexer }).namespace('default').get('settings');
 */
export function namespacedLister<T>(group: string, resource: string): TypedListerClass<GenericLister<T>, T> {
  return class extends GenericLister<T> {
    constructor(options: TypedListerOptions<T>) {
      super({ indexer: options.indexer, group, resource });
    }
  };
}

/** The lister class of a cluster-scoped kind; `resource` as for {@link namespacedLister}. */
export function clusterLister<T>(group: string, resource: string): TypedListerClass<ClusterScopedLister<T>, T> {
  return class extends ClusterScopedLister<T> {
    constructor(options: TypedListerOptions<T>) {
      super({ indexer: options.indexer, group, resource });
    }
  };
}
