/**
 * Serving LIST from the watch cache (the apiserver's `cacher.go` GetList over the btree store), and the
 * default storage key function.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { internalError } from '@kubecache/apimachinery';
import type { SelectionPredicate, StorageList, StorageListOptions } from '@kubecache/storage';
import { encodeContinue, exactFieldMatch, matchesAttrs, predicateEmpty } from '@kubecache/storage/internal';
import type { CacherTrigger } from './cacher.js';
import type { StoreElement, WatchCache } from './watch-cache.js';

/** A page served from the cache: elements, so their cached bytes can be reused. */
export interface CachedPage<T extends KubeObject> {
  metadata: StorageList<T>['metadata'];
  elements: StoreElement<T>[];
}

function passes<T extends KubeObject>(pred: SelectionPredicate<T> | undefined, e: StoreElement<T>): boolean {
  if (predicateEmpty(pred)) return true;
  return e.attrs !== undefined && matchesAttrs(pred, e.attrs);
}

/** The default storage key: `<prefix>/<namespace>/<name>`, or `<prefix>/<name>` when cluster-scoped. */
export function defaultKeyFunc(resourcePrefix: string): (obj: KubeObject) => string {
  const prefix = resourcePrefix.endsWith('/') ? resourcePrefix.slice(0, -1) : resourcePrefix;
  return (obj) => {
    const name = obj.metadata?.name;
    if (!name) throw internalError('object has no metadata.name');
    const ns = obj.metadata?.namespace;
    return ns ? `${prefix}/${ns}/${name}` : `${prefix}/${name}`;
  };
}

/**
 * A LIST page from the watch cache: candidates in key order (from the trigger index when the predicate
 * pins the trigger field), filtered on precomputed attributes, cut at the limit (ignored for RV "0"),
 * with a continue token at the cache RV and `remainingItemCount` when nothing is filtered.
 */
export function listFromCache<T extends KubeObject>(
  watchCache: WatchCache<T>,
  trigger: CacherTrigger<T> | undefined,
  k: string,
  recursive: boolean,
  options: StorageListOptions<T>,
): CachedPage<T> {
  const pred = options.predicate;
  const cacheRV = watchCache.resourceVersion;
  const metadata: StorageList<T>['metadata'] = { resourceVersion: String(cacheRV) };
  if (!recursive) {
    const e = watchCache.getByKey(k);
    return { metadata, elements: e && passes(pred, e) ? [e] : [] };
  }
  const limit = options.resourceVersion === '0' ? 0 : (pred?.limit ?? 0);
  const { elements: all, start, end } = candidates(watchCache, trigger, k, pred);
  const elements: StoreElement<T>[] = [];
  let i = start;
  if (predicateEmpty(pred)) {
    i = limit > 0 ? Math.min(end, start + limit) : end;
    for (let j = start; j < i; j++) elements.push(all[j] as StoreElement<T>);
  } else {
    for (; i < end && (limit === 0 || elements.length < limit); i++) {
      if (passes(pred, all[i] as StoreElement<T>)) elements.push(all[i] as StoreElement<T>);
    }
  }
  if (i < end && i > start) {
    metadata.continue = encodeContinue(`${(all[i - 1] as StoreElement<T>).key}\u0000`, k, cacheRV);
    if (predicateEmpty(pred)) metadata.remainingItemCount = end - i;
  }
  return { metadata, elements };
}

function candidates<T extends KubeObject>(
  watchCache: WatchCache<T>,
  trigger: CacherTrigger<T> | undefined,
  k: string,
  pred: SelectionPredicate<T> | undefined,
) {
  const value = trigger ? exactFieldMatch(pred, trigger.field) : undefined;
  if (value === undefined) return watchCache.range(k);
  const elements = watchCache.byTrigger(value).filter((e) => e.key.startsWith(k));
  return { elements, start: 0, end: elements.length };
}
