/** List and watch options (`metav1.ListOptions`) as a client sends them and a server reads them. */

/** How a resource version in a list request is matched (`metav1.ResourceVersionMatch`). */
export type ResourceVersionMatch = 'NotOlderThan' | 'Exact';

/** Kubernetes list and watch options (`metav1.ListOptions`), as query parameters carry them. */
export interface ListOptions {
  /** `''` (most recent, consistent read), `'0'` (any, cache allowed) or a specific version. Default `''`. */
  resourceVersion?: string;
  /** How `resourceVersion` is matched; only meaningful with a non-empty `resourceVersion`. */
  resourceVersionMatch?: ResourceVersionMatch;
  /** Maximum items per page; 0 or unset means no paging. */
  limit?: number;
  /** The continue token of the previous page. */
  continue?: string;
  /** Label selector in Kubernetes syntax, e.g. `app=web,tier!=db`. */
  labelSelector?: string;
  /** Field selector in Kubernetes syntax, e.g. `metadata.name=foo`. */
  fieldSelector?: string;
  /** Server-side timeout of the request, in seconds. */
  timeoutSeconds?: number;
  /** Watch only: ask the server for BOOKMARK events. */
  allowWatchBookmarks?: boolean;
  /** Watch only: stream the current state as ADDED events first, ended by an initial-events-end bookmark. */
  sendInitialEvents?: boolean;
}
