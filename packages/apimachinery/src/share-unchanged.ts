/**
 * Structural sharing between versions of one object: a watch event carries the whole object again, and
 * most of it is what the store already holds. Handing the stored (frozen) subtrees to the new version
 * before it is frozen in turn makes the parsed duplicates garbage at once: the collector then copies and
 * promotes only what changed, and the cache holds one copy of what did not.
 */

/**
 * Deeper than this, the walk stops comparing (and shares nothing further down): API objects are about ten
 * levels deep, and the bound keeps a cycle in a hand-built object from recursing without end.
 */
const MAX_DEPTH = 64;

/**
 * Nodes one call compares at most. A tree from JSON.parse is visited once per node, far below this; a
 * hand-built object that reuses one node in many places (or links to itself) would otherwise be walked once
 * per path, which grows exponentially with depth. Past the budget nothing more is shared.
 */
const MAX_NODES = 100_000;

/**
 * Replaces, in place, every subtree of `next` that deep-equals the subtree at the same place in `previous`
 * with `previous`'s own, and returns `next`. Call it on a new version of an object before freezing it, with
 * the frozen version it replaces: `deepFreeze` then skips the shared parts, and `old.spec === next.spec`
 * tells an unchanged spec at no cost.
 *
 * Contract:
 * - Only frozen subtrees of `previous` are taken over, so two objects never share anything mutable;
 *   `previous` itself is never changed. A frozen `next` (or frozen part of it) is left as it is.
 * - Equal means the same plain-JSON value: arrays element for element, plain objects with the same keys and
 *   equal values (key order aside: a shared object keeps `previous`'s order). Anything else — a `Date`, a
 *   `Map`, a typed array, an object with another prototype — is equal only to itself.
 * - Below 64 levels nothing is shared, nor after 100 000 nodes compared in one call (an object etcd
 *   accepts, 1.5 MB at most, has far fewer): a cycle or a node reused in many places ends there. A property
 *   that cannot be assigned stops the sharing; it never throws.
 *
 * @example
 * const old = deepFreeze({ metadata: { name: 'web', resourceVersion: '1' }, spec: { replicas: 2 } });
 * const next = deepFreeze(shareUnchanged(JSON.parse(text), old)); // text: the same object at RV 2
 * next.spec === old.spec; // true
 * next.metadata === old.metadata; // false: its resourceVersion changed
 */
export function shareUnchanged<T>(next: T, previous: T | undefined): T {
  if (isShareable(next) && isShareable(previous) && !Object.isFrozen(next)) {
    budget = MAX_NODES;
    try {
      share(next, previous, 0);
    } catch (err) {
      // A property that cannot be assigned (a hand-built object with a getter or a read-only property) is a
      // TypeError in strict mode: what was shared so far equals what it replaced, the rest stays as it was.
      // Anything else (a throwing getter) is the caller's to see.
      if (!(err instanceof TypeError)) throw err;
    }
  }
  return next;
}

/** Nodes the current call may still compare (see {@link MAX_NODES}). */
let budget = 0;

type Node = Record<string, unknown> | unknown[];

/** A plain object or an array: what JSON.parse builds. */
function isShareable(value: unknown): value is Node {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Shares `prev`'s equal children into `next` (not frozen) and says whether `next` now deep-equals `prev`. An
 * array and an object never match.
 */
function share(next: Node, prev: Node, depth: number): boolean {
  if (--budget < 0) return false;
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return false;
    let same = next.length === prev.length;
    const n = Math.min(next.length, prev.length);
    for (let i = 0; i < n; i++) {
      const a = next[i];
      const b = prev[i];
      if (a === b) continue;
      if (takeOver(a, b, depth)) next[i] = b;
      else same = false;
    }
    return same;
  }
  if (Array.isArray(prev)) return false;
  let same = true;
  let keys = 0;
  for (const key in next) {
    keys++;
    const a = next[key];
    const b = (prev as Record<string, unknown>)[key];
    if (a === b) {
      // `undefined` on one side only: a key the other lacks.
      if (a === undefined && !(key in prev)) same = false;
      continue;
    }
    // An own `__proto__` (JSON.parse makes one) cannot be assigned: it would set the prototype.
    if (key !== '__proto__' && takeOver(a, b, depth)) next[key] = b;
    else same = false;
  }
  if (same) {
    // Every key of `prev` is one of `next`'s, and as many: the same keys (a key of `next` found in `prev`
    // only as a property for-in does not list would otherwise pass for one).
    let prevKeys = 0;
    for (const key in prev) {
      if (!(key in next)) return false;
      prevKeys++;
    }
    same = prevKeys === keys;
  }
  return same;
}

/** Whether `b` (frozen) may replace `a` (an unfrozen equal of it): compares, sharing inside `a` on the way. */
function takeOver(a: unknown, b: unknown, depth: number): boolean {
  return (
    depth < MAX_DEPTH &&
    isShareable(a) &&
    isShareable(b) &&
    !Object.isFrozen(a) &&
    Object.isFrozen(b) &&
    share(a, b, depth + 1)
  );
}
