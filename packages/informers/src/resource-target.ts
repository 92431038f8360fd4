/**
 * Which objects a list/watch reads: one resource of one API group and version, optionally narrowed to a
 * namespace and by selectors. Shared by {@link KubeListerWatcher} (what it requests) and the informer
 * factory (what identifies a shared informer), so the two describe a resource the same way.
 */

/**
 * A resource, a namespace and selectors.
 *
 * @example
 * const deployments: ResourceTarget = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'prod' };
 */
export interface ResourceTarget {
  /** API group; `''` (default) for the core group (`/api/v1`). */
  group?: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** Plural resource name, e.g. `pods`. */
  resource: string;
  /** Namespace; `''` or unset means all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  /** Label selector applied to every list and watch. Default none. */
  labelSelector?: string;
  /** Field selector applied to every list and watch. Default none. */
  fieldSelector?: string;
}
