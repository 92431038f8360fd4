/**
 * The list/watch source abstraction (client-go's `ListerWatcher`): how a Reflector reads a resource.
 * Implementations: the fake source in `@kubecache/cache/testing`, the client-node adapter in
 * `@kubecache/informers`, and the Cacher's in-process source.
 */

import type { KubeObject, ListMeta, ListOptions, WatchEvent } from '@kubecache/apimachinery';
import type { Observable } from 'rxjs';

/** One list response (or one page of it): the items and the list metadata (`resourceVersion`, `continue`). */
export interface ListResult<T> {
  /** The list's metadata: `resourceVersion` the list was served at, `continue` when more pages follow. */
  readonly metadata: ListMeta;
  /** The items of this page. */
  readonly items: T[];
  /** The list's `kind` (e.g. `PodList`), when the server sent one. */
  readonly kind?: string;
  /** The list's `apiVersion`, when the server sent one. */
  readonly apiVersion?: string;
}

/**
 * Lists and watches one resource.
 *
 * Contract:
 * - `list` resolves to one page (honouring `limit`/`continue`) or rejects, with a `StatusError` when the
 *   server sent a Status (410 Expired, 429, …). An aborted `signal` rejects it.
 * - `watch` returns a cold Observable: subscribing opens the watch; unsubscribing stops it and releases the
 *   connection. A failure to start arrives as an Observable error (a `StatusError` where there is a status);
 *   a server-side close completes it; a Status sent on the stream arrives as an `ERROR` event.
 *
 * @example
 * const lw: ListerWatcher<Pod> = {
 *   list: async () => ({ metadata: { resourceVersion: '1' }, items: [] }),
 *   watch: () => EMPTY,
 * };
 */
export interface ListerWatcher<T = KubeObject> {
  /** Lists one page of the resource. */
  list(options: ListOptions, signal?: AbortSignal): Promise<ListResult<T>>;
  /** Watches the resource from `options.resourceVersion`. */
  watch(options: ListOptions): Observable<WatchEvent<T>>;
  /**
   * Optional: lists one page as `list` does, but hands its items to `sink` in batches while the response is
   * still arriving, and resolves with the page's metadata (`items` empty). A consumer can stage a large list
   * a batch at a time instead of holding it whole before applying it.
   */
  listStreaming?(
    options: ListOptions,
    sink: (items: readonly T[]) => void,
    signal?: AbortSignal,
  ): Promise<ListResult<T>>;
}
