/**
 * Binary search over sorted key arrays, shared by MemoryStorage's paging and the watch cache's ordered
 * store: both keep their keys sorted and serve prefix ranges from them.
 */

/**
 * The index of the first key not less than `target` (`keys.length` when every key is smaller).
 *
 * @example
 * lowerBound(['/a', '/b', '/c'], '/b'); // 1
 * lowerBound(['/a', '/b', '/c'], '/bb'); // 2
 */
export function lowerBound(keys: readonly string[], target: string): number {
  let [lo, hi] = [0, keys.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The smallest string greater than every string that starts with `prefix`: the exclusive end of a prefix
 * range (the last character incremented, as etcd's `prefixEnd`).
 *
 * @example
 * prefixEnd('/pods/'); // '/pods0'
 */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\uffff';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
