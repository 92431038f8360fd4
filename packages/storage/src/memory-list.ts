/**
 * Paging over MemoryStorage's sorted keys, as the etcd3 store pages a range: the continue key is the last
 * examined key plus a NUL byte, and `remainingItemCount` is only given for unfiltered lists.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { encodeContinue } from './continue.js';
import type { StorageList, StorageListOptions } from './interfaces.js';
import type { KeyValue } from './memory-watchers.js';
import { matchesObject, predicateEmpty } from './predicate.js';
import { lowerBound } from './sorted-keys.js';

/**
 * One page of a recursive list over a key-value state: keys under `prefix` from `fromKey`, filtered by the
 * predicate, up to `limit` keys examined; `continue` and `remainingItemCount` as the etcd3 store sets them.
 */
export function pageOf<T extends KubeObject>(
  state: ReadonlyMap<string, KeyValue<T>>,
  keys: readonly string[],
  prefix: string,
  fromKey: string,
  revision: number,
  limit: number,
  pred: StorageListOptions<T>['predicate'],
): StorageList<T> {
  const items: T[] = [];
  let i = lowerBound(keys, fromKey > prefix ? fromKey : prefix);
  let last = '';
  for (; i < keys.length && (keys[i] as string).startsWith(prefix); i++) {
    if (limit > 0 && items.length === limit) break;
    last = keys[i] as string;
    const kv = state.get(last) as KeyValue<T>;
    if (matchesObject(pred, kv.value)) items.push(kv.value);
  }
  const metadata: StorageList<T>['metadata'] = { resourceVersion: String(revision) };
  if (i < keys.length && (keys[i] as string).startsWith(prefix)) {
    metadata.continue = encodeContinue(`${last}\u0000`, prefix, revision);
    if (predicateEmpty(pred)) metadata.remainingItemCount = upperBoundPrefix(keys, prefix, i) - i;
  }
  return { metadata, items };
}

function upperBoundPrefix(keys: readonly string[], prefix: string, from: number): number {
  let [lo, hi] = [from, keys.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string).startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
