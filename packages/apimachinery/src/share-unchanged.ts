import { deepFreeze } from './freeze.js';

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
  if (isShareable(next) && isShareable(previous) && !Object.isFrozen(next)) walkFrom(next, previous, false);
  return next;
}

/**
 * `deepFreeze(shareUnchanged(next, previous))` in one walk, and returns `next`: what the two calls would
 * share is shared, and `next` ends deep-frozen (its shared parts are `previous`'s, frozen already). The walk
 * that compares `next` with `previous` freezes each new node once its children are settled, so the parts
 * that changed are not walked a second time to freeze them. With no `previous` (or `previous` is `next`), it
 * is `deepFreeze(next)`.
 *
 * It is what a store does with each new version of an object it keeps frozen.
 *
 * @example
 * const old = deepFreeze({ metadata: { name: 'web', resourceVersion: '1' }, spec: { replicas: 2 } });
 * const next = freezeSharing(JSON.parse(text), old); // text: the same object at RV 2
 * next.spec === old.spec && Object.isFrozen(next.metadata); // true
 */
export function freezeSharing<T>(next: T, previous: T | undefined): T {
  if (
    previous !== undefined &&
    previous !== next &&
    isShareable(next) &&
    isShareable(previous) &&
    !Object.isFrozen(next) &&
    walkFrom(next, previous, true)
  ) {
    // Equal to `previous` throughout: each child is `previous`'s own, frozen; only the root is left.
    Object.freeze(next);
  }
  // Frozen by the walk already (one check), or whatever a stopped walk or a bare call left to freeze.
  return deepFreeze(next);
}

/** Nodes the current call may still compare (see {@link MAX_NODES}). */
let budget = 0;

/**
 * The keys of the objects being compared, along the path the walk is on: each object's keys, in the order
 * for-in gave them, from the index where its walk began. Compared with the keys for-in gives for the
 * previous version, they tell whether the two objects have the same keys without a lookup per key.
 */
const pathKeys: string[] = [];
let top = 0;
/** Past this many keys the array is dropped after a call, so a huge hand-built object does not stay pinned. */
const MAX_KEPT_KEYS = 4096;

/**
 * Walks `next` against `previous` from the root and says whether they are equal. A property that cannot be
 * assigned (a hand-built object with a getter or a read-only property; a node frozen under the walk through
 * a cycle) is a TypeError in strict mode: it ends the walk, what was shared so far equals what it replaced,
 * the rest stays as it was. Anything else (a throwing getter) is the caller's to see.
 */
function walkFrom(next: Node, previous: Node, freeze: boolean): boolean {
  // A getter of `next` may itself store an object (and walk) mid-walk: the outer walk's keys and budget stay.
  const base = top;
  const outerBudget = budget;
  budget = MAX_NODES;
  try {
    return walk(next, previous, 0, freeze);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return false;
  } finally {
    top = base;
    budget = outerBudget;
    if (base === 0 && pathKeys.length > MAX_KEPT_KEYS) pathKeys.length = 0;
  }
}

type Node = Record<string, unknown> | unknown[];

/** A plain object or an array: what JSON.parse builds. */
function isShareable(value: unknown): value is Node {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Shares `prev`'s equal, frozen children into `next` (not frozen) and says whether `next` now deep-equals
 * `prev`. An array and an object never match. With `freeze`, every child of `next` ends frozen, and `next`
 * itself unless it equals `prev` (the caller then takes `prev`'s, or freezes it).
 */
function walk(next: Node, prev: Node, depth: number, freeze: boolean): boolean {
  let same: boolean;
  if (--budget < 0 || Array.isArray(next) !== Array.isArray(prev)) {
    same = false;
    if (freeze) deepFreeze(next);
  } else if (Array.isArray(next)) {
    const before = prev as unknown[];
    same = next.length === before.length;
    for (let i = 0; i < next.length; i++) {
      const a = next[i];
      const b = i < before.length ? before[i] : undefined;
      if (a === b) {
        if (freeze && typeof a === 'object' && a !== null) deepFreeze(a);
      } else if (typeof a === 'object' && a !== null && settle(a, b, depth, freeze)) next[i] = b;
      else same = false;
    }
  } else {
    same = true;
    const from = top;
    for (const key in next) {
      pathKeys[top++] = key;
      const a = next[key];
      const b = (prev as Record<string, unknown>)[key];
      if (a === b) {
        if (typeof a === 'object') {
          if (freeze && a !== null) deepFreeze(a);
        } else if (a === undefined && !(key in prev)) same = false; // a key the other lacks
      } else if (
        typeof a === 'object' &&
        a !== null &&
        // An own `__proto__` (JSON.parse makes one) cannot be assigned: it would set the prototype.
        settle(a, key === '__proto__' ? undefined : b, depth, freeze)
      ) {
        next[key] = b;
      } else same = false;
    }
    if (same) same = sameKeys(next, prev, from);
    top = from;
  }
  if (freeze && !same) Object.freeze(next);
  return same;
}

/**
 * Whether `b` (frozen) may replace `a`, a child of the node being walked: compares, sharing inside `a` on
 * the way. With `freeze`, `a` ends frozen unless `b` replaces it.
 */
function settle(a: object, b: unknown, depth: number, freeze: boolean): boolean {
  if (Object.isFrozen(a)) return false;
  if (depth < MAX_DEPTH && isShareable(a) && isShareable(b)) {
    if (!walk(a, b, depth + 1, freeze)) return false;
    if (Object.isFrozen(b)) return true;
    // Equal, but `b` may still change: `a` keeps its own node, over shared frozen children.
    if (freeze) Object.freeze(a);
    return false;
  }
  if (freeze) deepFreeze(a);
  return false;
}

/**
 * Whether `prev` has the same enumerable keys as `next`, whose keys the walk recorded from `pathKeys[from]`
 * on (each of them is known to be in `prev`). When for-in lists `prev`'s keys in the same order (it does for
 * two objects JSON.parse built from one serializer), one pass compares them; otherwise every key of `prev`
 * is looked up in `next`, and the counts compared (a key of `next` found in `prev` only as a property for-in
 * does not list would otherwise pass for one).
 */
function sameKeys(next: Node, prev: Node, from: number): boolean {
  const count = top - from;
  let i = 0;
  for (const key in prev) {
    if (i >= count) return false; // more keys than `next` lists
    if (pathKeys[from + i] !== key) return sameKeySets(next, prev, count);
    i++;
  }
  return i === count;
}

function sameKeySets(next: Node, prev: Node, count: number): boolean {
  let n = 0;
  for (const key in prev) {
    if (!(key in next)) return false;
    n++;
  }
  return n === count;
}
