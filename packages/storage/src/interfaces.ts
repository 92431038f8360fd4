/**
 * The storage contract (the apiserver's `storage.Interface`): the versioned key-value store that the
 * Cacher and the HTTP server sit on. Implementations: {@link MemoryStorage} (embedded default) and the
 * etcd3 backend in `@kubecache/etcd`. Both must pass `describeStorageContract`.
 *
 * Keys are `/<resource prefix>/<namespace>/<name>` (or `/<resource prefix>/<name>`); resource versions are
 * decimal strings of one global, increasing revision.
 */

import type { KubeObject, ListMeta, ResourceVersionMatch, Status } from '@kubecache/apimachinery';
import type { Observable } from 'rxjs';
import type { SelectionPredicate } from './predicate.js';

/** Conditions a delete or update requires of the stored object (`storage.Preconditions`). */
export interface Preconditions {
  /** The stored object's `metadata.uid` must equal this. */
  uid?: string;
  /** The stored object's `metadata.resourceVersion` must equal this. */
  resourceVersion?: string;
}

/** Options of {@link Storage.create}. */
export interface CreateOptions {
  /** Delete the object after this many seconds unless it is updated first. Default: never. */
  ttlSeconds?: number;
}

/** Options of {@link Storage.get}. */
export interface GetOptions {
  /** `''` or `'0'`: latest; `N`: the storage must have reached N (else 504 too large). Default `''`. */
  resourceVersion?: string;
  /** Resolve `undefined` instead of failing with KeyNotFound. Default `false`. */
  ignoreNotFound?: boolean;
}

/** Options of {@link Storage.getList} and {@link Storage.watch} (`storage.ListOptions`). */
export interface StorageListOptions<T extends KubeObject = KubeObject> {
  /** Resource version, as in the Kubernetes API: `''`, `'0'` or a decimal number. Default `''`. */
  resourceVersion?: string;
  /** How `resourceVersion` applies to a list. Default: unset (legacy rules). */
  resourceVersionMatch?: ResourceVersionMatch;
  /** Label/field filter plus `limit` and `continue`. Default: everything, no paging. */
  predicate?: SelectionPredicate<T>;
  /** Treat the key as a prefix (a collection) rather than one object. Default `false`. */
  recursive?: boolean;
  /** Watch only: send BOOKMARK events. Default `false`. */
  allowWatchBookmarks?: boolean;
  /** Watch only: start with the current state as ADDED events. Default: per the RV rules. */
  sendInitialEvents?: boolean;
  /** Watch only: deliver storage progress notifications as BOOKMARKs (internal clients). Default `false`. */
  progressNotify?: boolean;
}

/** Options of {@link Storage.delete}. */
export interface DeleteOptions<T> {
  /** UID/RV the object must have. */
  preconditions?: Preconditions;
  /** Called with the current object before deleting; throw to refuse. */
  validateDeletion?: (current: T) => void | Promise<void>;
  /** A possibly stale copy to start from (saves a read); re-read if it fails a check. */
  cachedExistingObject?: T;
}

/** The resource version of the state handed to an update function. */
export interface ResponseMeta {
  /** The revision at which `current` was read (0 when it does not exist). */
  resourceVersion: number;
}

/** Computes the new object from the current one; throw to abort. `current` is undefined when missing. */
export type UpdateFunc<T> = (current: T | undefined, meta: ResponseMeta) => T | Promise<T>;

/** Options of {@link Storage.guaranteedUpdate}. */
export interface GuaranteedUpdateOptions<T> {
  /** The update function; called again with fresh state after a conflict. */
  tryUpdate: UpdateFunc<T>;
  /** Create the object when missing (`tryUpdate` sees `undefined`). Default `false`. */
  ignoreNotFound?: boolean;
  /** UID/RV the object must have. */
  preconditions?: Preconditions;
  /** A possibly stale copy to start from; re-read if it fails a check or conflicts. */
  cachedExistingObject?: T;
}

/**
 * A storage watch event. Changes carry the previous object (`prevObject`, absent on ADDED); a DELETED
 * event's `object` is the last state with `metadata.resourceVersion` set to the deletion revision.
 */
export type StorageEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T; readonly prevObject?: T }
  | { readonly type: 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: Status };

/** A page of a list, with the revision it was read at. */
export interface StorageList<T> {
  /** `resourceVersion`, plus `continue` and `remainingItemCount` when more pages follow. */
  metadata: ListMeta;
  /** The items, ordered by key. */
  items: T[];
}

/**
 * The versioned key-value store under the Cacher.
 *
 * Contract (as the apiserver's etcd3 store):
 * - Errors about keys are `StorageError`s (KeyNotFound, KeyExists, InvalidObj for failed preconditions);
 *   errors about versions are `StatusError`s (400 unparsable, 410 compacted, 504 too large).
 * - Every write returns the stored object with `metadata.resourceVersion` set to the write's revision.
 * - Returned objects are frozen; writers never share structure with what they passed in.
 * - `watch` is cold: subscribing starts it; unsubscribing stops it. Start failures (bad key, bad RV) are
 *   Observable errors; later failures (compaction) are one ERROR event followed by completion.
 */
export interface Storage<T extends KubeObject = KubeObject> {
  /** Whether `requestWatchProgress` is reliable (progress is ordered with events). */
  readonly supportsRequestWatchProgress: boolean;
  /**
   * Stores a new object; fails with KeyExists if the key is taken. With `ttlSeconds` the object is
   * deleted after that long unless it is written again first (an etcd lease; Events use it).
   */
  create(key: string, obj: T, options?: CreateOptions): Promise<T>;
  /** Deletes the object under `key` and resolves to its last state, stamped with the delete revision. */
  delete(key: string, options?: DeleteOptions<T>): Promise<T>;
  /** Reads the latest object under `key`. */
  get(key: string, options?: GetOptions): Promise<T | undefined>;
  /** Lists one object or a prefix, with the RV rules, filtering and paging. */
  getList(key: string, options?: StorageListOptions<T>): Promise<StorageList<T>>;
  /** Read-modify-write with retries on conflict; no write when the result is unchanged. */
  guaranteedUpdate(key: string, options: GuaranteedUpdateOptions<T>): Promise<T>;
  /** Watches a key or prefix from a resource version. */
  watch(key: string, options?: StorageListOptions<T>): Observable<StorageEvent<T>>;
  /** Number of objects under the prefix `key`. */
  count(key: string): Promise<number>;
  /** The storage's current revision (a quorum read); always > 0. */
  getCurrentResourceVersion(): Promise<number>;
  /** Asks the storage to send a progress BOOKMARK to `progressNotify` watchers. */
  requestWatchProgress(): Promise<void>;
  /** The revision below which history is gone (0 when nothing was compacted). */
  compactRevision(): number;
}
