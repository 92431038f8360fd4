import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { deepFreeze } from './freeze.js';
import { freezeSharing, shareUnchanged } from './share-unchanged.js';
import { makePod } from './testing/pods.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Small key and value spaces, so that the two versions often agree on a subtree and often differ. */
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Json>(null, true, 1, 2, 'a', 'b'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** A version and an edit of it: some subtrees equal, some not. */
const versions = fc.tuple(json, json, fc.boolean()).map(([a, b, edit]) => {
  if (!edit || typeof a !== 'object' || a === null || Array.isArray(a)) return [a, b] as const;
  return [a, { ...a, c: b }] as const;
});

/** Walks `next` and `prev` side by side: every subtree of `next` equal to `prev`'s at the same place is `prev`'s. */
function assertShared(next: Json, prev: Json, depth = 0): void {
  if (typeof next !== 'object' || next === null || typeof prev !== 'object' || prev === null) return;
  if (next === prev) return;
  if (Array.isArray(next) !== Array.isArray(prev)) return;
  const keys = Array.isArray(next) ? next.map((_, i) => String(i)) : Object.keys(next);
  for (const k of keys) {
    const a = (next as Record<string, Json>)[k] as Json;
    const b = (prev as Record<string, Json>)[k];
    if (b === undefined) continue;
    if (typeof a === 'object' && a !== null && JSON.stringify(sorted(a)) === JSON.stringify(sorted(b))) {
      expect(a).toBe(b);
    } else assertShared(a, b, depth + 1);
  }
}

/** `value` with its object keys sorted, so that equal values print alike. */
function sorted(value: Json): Json {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(sorted);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted(value[k] as Json)]),
  );
}

describe('shareUnchanged', () => {
  it('takes over the frozen subtrees of the previous version that did not change', () => {
    const old = deepFreeze(makePod(1));
    const text = JSON.stringify(old).replace('"resourceVersion":"2"', '"resourceVersion":"3"');
    const next = deepFreeze(shareUnchanged(JSON.parse(text) as typeof old, old));
    expect(next.metadata?.resourceVersion).toBe('3');
    expect(next).not.toBe(old);
    expect(next.spec).toBe(old.spec);
    expect(next.status).toBe(old.status);
    expect(next.metadata).not.toBe(old.metadata);
    expect(next.metadata?.labels).toBe(old.metadata?.labels);
    expect(JSON.parse(text)).toEqual(next);
  });

  it('keeps every value, leaves the previous version as it was, and shares each equal subtree (property)', () => {
    fc.assert(
      fc.property(versions, ([prevValue, nextValue]) => {
        const prev = deepFreeze(clone(prevValue));
        const next = clone(nextValue);
        const result = shareUnchanged(next, prev);
        expect(result).toBe(next);
        expect(sorted(result)).toEqual(sorted(nextValue));
        expect(sorted(prev)).toEqual(sorted(prevValue));
        assertShared(result, prev);
      }),
      { numRuns: 500 },
    );
  });

  it('never takes over a part of the previous version that is not frozen', () => {
    const prev = Object.freeze({ spec: { replicas: 2 }, status: Object.freeze({ phase: 'Running' }) });
    const next = shareUnchanged({ spec: { replicas: 2 }, status: { phase: 'Running' } }, prev);
    expect(next.spec).not.toBe(prev.spec);
    expect(next.status).toBe(prev.status);
  });

  it('leaves a frozen new version alone', () => {
    const prev = deepFreeze({ spec: { replicas: 2 } });
    const next = deepFreeze({ spec: { replicas: 2 } });
    const spec = next.spec;
    expect(shareUnchanged(next, prev).spec).toBe(spec);
  });

  it('shares no Date, Map, typed array or class instance, however equal', () => {
    const prev = deepFreeze({ d: new Date(0), m: new Map(), t: new Uint8Array(0), c: new (class C {})() });
    const next = { d: new Date(1), m: new Map([[1, 2]]), t: new Uint8Array(0), c: new (class C {})() };
    const before = { ...next };
    shareUnchanged(next, prev);
    expect(next).toEqual(before);
    expect(next.d).toBe(before.d);
    expect(next.m).toBe(before.m);
    expect(next.t).toBe(before.t);
    expect(next.c).toBe(before.c);
  });

  it('does not share an object with an array, nor objects whose keys differ', () => {
    const prev = deepFreeze({ a: { x: 1 }, b: [1], c: { x: 1, y: undefined } });
    const next = shareUnchanged({ a: [1], b: { 0: 1 }, c: { x: 1, z: undefined } } as Record<string, unknown>, prev);
    expect(next.a).toEqual([1]);
    expect(next.b).toEqual({ 0: 1 });
    expect(next.c).not.toBe(prev.c);
  });

  it('never assigns an own __proto__ key (which would set the prototype)', () => {
    const prev = deepFreeze(JSON.parse('{"__proto__":{"polluted":true},"a":{"b":1}}') as Record<string, unknown>);
    const next = JSON.parse('{"__proto__":{"polluted":true},"a":{"b":1}}') as Record<string, unknown>;
    shareUnchanged(next, prev);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(next.a).toBe(prev.a);
  });

  it('ends on cycles and on objects deeper than 64 levels, sharing nothing below them', () => {
    const cyclicPrev: Record<string, unknown> = { name: 'p' };
    cyclicPrev.self = cyclicPrev;
    deepFreeze(cyclicPrev);
    const cyclicNext: Record<string, unknown> = { name: 'p' };
    cyclicNext.self = cyclicNext;
    expect(shareUnchanged(cyclicNext, cyclicPrev).name).toBe('p');

    const deep = (n: number): Json => {
      let v: Json = { leaf: 1 };
      for (let i = 0; i < n; i++) v = { v };
      return v;
    };
    const prev = deepFreeze(deep(100_000));
    const next = deep(100_000) as { v: Json };
    expect(shareUnchanged(next, prev)).toBe(next);
    expect(next.v).not.toBe((prev as { v: Json }).v);
    const shallowPrev = deepFreeze(deep(10)) as { v: Json };
    const shallowNext = deep(10) as { v: Json };
    expect(shareUnchanged(shallowNext, shallowPrev).v).toBe(shallowPrev.v);
  });

  it('ends in bounded time on a node reused in many places, and on two links back to the root', () => {
    const dag = (v: number): Record<string, unknown> => {
      let n: Record<string, unknown> = { leaf: v };
      for (let i = 0; i < 40; i++) n = { l: n, r: n };
      return n;
    };
    const prev = deepFreeze(dag(1));
    const next = dag(2);
    expect(shareUnchanged(next, prev)).toBe(next);
    const loop = (): Record<string, unknown> => {
      const o: Record<string, unknown> = { name: 'a' };
      o.r0 = o;
      o.r1 = o;
      return o;
    };
    const looped = loop();
    expect(shareUnchanged(looped, deepFreeze(loop())).name).toBe('a');
  });

  it('tells keys apart when the previous version lists them in another order, or has one only as a non-enumerable property', () => {
    const hidden = { other: Object.freeze({ v: 1 }) } as Record<string, unknown>;
    Object.defineProperty(hidden, 'hidden', { value: Object.freeze({ v: 2 }), enumerable: false });
    const prev = deepFreeze({ a: hidden, b: { y: 1, x: 2 }, c: { v: 1 } });
    const next = shareUnchanged(
      { a: { hidden: { v: 2 } }, b: { x: 2, y: 1 }, c: { v: 1, toString: Object.prototype.toString } } as Record<
        string,
        Record<string, unknown>
      >,
      prev as Record<string, Record<string, unknown>>,
    );
    expect(next.a).not.toBe(prev.a);
    expect(JSON.stringify(next.a)).toBe('{"hidden":{"v":2}}');
    expect(next.b).toBe(prev.b);
    expect(next.c).not.toBe(prev.c);
    expect(Object.keys(next.c as object)).toEqual(['v', 'toString']);
  });

  it('never calls equal an object that has a key the other has only as a non-enumerable property', () => {
    const inner = { other: { v: 1 } } as Record<string, unknown>;
    Object.defineProperty(inner, 'hidden', { value: { v: 2 }, enumerable: false });
    const prev = deepFreeze({ a: inner });
    const next = shareUnchanged({ a: { hidden: { v: 2 } } } as { a: Record<string, unknown> }, prev);
    expect(next.a).not.toBe(prev.a);
    expect(JSON.stringify(next)).toBe('{"a":{"hidden":{"v":2}}}');
  });

  it('stops sharing, without throwing, at a property it cannot assign', () => {
    const prev = deepFreeze({ a: { b: { c: 1 } }, d: { e: 1 } });
    const a = {} as Record<string, unknown>;
    Object.defineProperty(a, 'b', { value: { c: 1 }, enumerable: true, writable: false });
    const next = { a, d: { e: 1 } };
    expect(() => shareUnchanged(next, prev)).not.toThrow();
    expect(JSON.stringify(next)).toBe(JSON.stringify(prev));
  });

  it.each([
    ['shareUnchanged', shareUnchanged],
    ['freezeSharing', freezeSharing],
  ])('%s lets an error other than an unassignable property (a throwing getter) reach the caller', (_, fn) => {
    const prev = deepFreeze({ a: { b: 1 } });
    const a = {} as Record<string, unknown>;
    Object.defineProperty(a, 'b', {
      enumerable: true,
      get: () => {
        throw new RangeError('getter failed');
      },
    });
    expect(() => fn({ a }, prev)).toThrow('getter failed');
  });
});

/** Every node reachable from `value` without entering a node of `prev` (`prevNodes`). */
function ownNodes(value: unknown, prevNodes: ReadonlySet<object>, out: object[] = []): object[] {
  if (typeof value !== 'object' || value === null || prevNodes.has(value)) return out;
  out.push(value);
  for (const child of Object.values(value)) ownNodes(child, prevNodes, out);
  return out;
}

/** Every node reachable from `value`, once each however many paths lead to it. */
function distinctNodes(value: unknown, seen = new Set<object>()): object[] {
  if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const child of Object.values(value)) distinctNodes(child, seen);
  }
  return [...seen];
}

/** Every node reachable from `value`, with the path to it. */
function nodesByPath(value: unknown, path = '$', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value !== 'object' || value === null) return out;
  out.set(path, value);
  for (const [k, child] of Object.entries(value)) nodesByPath(child, `${path}.${k}`, out);
  return out;
}

/** The paths at which `result` holds a node of `prev`. */
function sharedPaths(result: unknown, prev: unknown): string[] {
  const prevNodes = new Set(nodesByPath(prev).values());
  return [...nodesByPath(result)].filter(([, node]) => prevNodes.has(node as object)).map(([path]) => path);
}

describe('freezeSharing', () => {
  it('shares what shareUnchanged shares, and leaves the new version deep-frozen (property)', () => {
    fc.assert(
      fc.property(versions, ([prevValue, nextValue]) => {
        const prev = deepFreeze(clone(prevValue));
        const result = freezeSharing(clone(nextValue), prev);
        const reference = deepFreeze(shareUnchanged(clone(nextValue), prev));
        expect(sorted(result)).toEqual(sorted(nextValue));
        expect(sorted(prev)).toEqual(sorted(prevValue));
        for (const node of nodesByPath(result).values()) expect(Object.isFrozen(node)).toBe(true);
        expect(sharedPaths(result, prev)).toEqual(sharedPaths(reference, prev));
        assertShared(result, prev);
      }),
      { numRuns: 500 },
    );
  });

  it('takes over only frozen nodes of a partly frozen previous version, and freezes all of its own (property)', () => {
    fc.assert(
      fc.property(versions, fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), ([prevValue, nextValue], mask) => {
        const prev = clone(prevValue);
        // Freeze some nodes of `prev` only, children before parents, so a frozen node may hold unfrozen ones.
        const nodes = [...nodesByPath(prev).values()].reverse();
        nodes.forEach((node, i) => {
          if (mask[i % mask.length]) Object.freeze(node);
        });
        const frozenBefore = new Set(nodes.filter((n) => Object.isFrozen(n)));
        const result = freezeSharing(clone(nextValue), prev);
        expect(sorted(result)).toEqual(sorted(nextValue));
        expect(sorted(prev)).toEqual(sorted(prevValue));
        const prevNodes = new Set(nodes as object[]);
        for (const node of nodesByPath(result).values()) {
          if (prevNodes.has(node as object)) expect(frozenBefore.has(node as object)).toBe(true);
        }
        for (const node of ownNodes(result, prevNodes)) expect(Object.isFrozen(node)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('freezes only the changed parts of a pod anew, and is deepFreeze without a previous version', () => {
    const old = deepFreeze(makePod(1));
    const text = JSON.stringify(old).replace('"resourceVersion":"2"', '"resourceVersion":"3"');
    const next = freezeSharing(JSON.parse(text) as typeof old, old);
    expect(next.spec).toBe(old.spec);
    expect(next.metadata?.labels).toBe(old.metadata?.labels);
    expect(next.metadata).not.toBe(old.metadata);
    expect(Object.isFrozen(next)).toBe(true);
    expect(Object.isFrozen(next.metadata)).toBe(true);

    const fresh = freezeSharing(makePod(2), undefined);
    expect(Object.isFrozen(fresh.spec)).toBe(true);
    const same = deepFreeze(makePod(3));
    expect(freezeSharing(same, same)).toBe(same);
  });

  it("freezes an equal new version over the previous version's children", () => {
    const prev = deepFreeze({ a: { b: [1, { c: 2 }] }, d: 'x' });
    const next = freezeSharing({ a: { b: [1, { c: 2 }] }, d: 'x' }, prev);
    expect(next).not.toBe(prev);
    expect(next.a).toBe(prev.a);
    expect(Object.isFrozen(next)).toBe(true);
  });

  it('keeps a frozen part of the new version as it is, and freezes a Date but not a typed array', () => {
    const prev = deepFreeze({ a: { x: 1 }, d: new Date(0), t: new Uint8Array(1) });
    const a = Object.freeze({ x: 1 });
    const next = freezeSharing({ a, d: new Date(0), t: new Uint8Array(1) }, prev);
    expect(next.a).toBe(a);
    expect(Object.isFrozen(next.d)).toBe(true);
    expect(Object.isFrozen(next.t)).toBe(false);
  });

  it('ends on cycles, deep nesting and nodes reused in many places, with everything frozen', () => {
    const cyclic = (): Record<string, unknown> => {
      const o: Record<string, unknown> = { name: 'p', inner: { v: 1 } };
      o.self = o;
      o.again = o;
      return o;
    };
    const looped = freezeSharing(cyclic(), deepFreeze(cyclic()));
    expect(distinctNodes(looped)).toHaveLength(2);
    for (const n of distinctNodes(looped)) expect(Object.isFrozen(n)).toBe(true);

    let deep: Json = { leaf: 1 };
    let deepPrev: Json = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) {
      deep = { v: deep };
      deepPrev = { v: deepPrev };
    }
    const frozenDeep = freezeSharing(deep, deepFreeze(deepPrev));
    let node = frozenDeep as { v?: unknown };
    let depth = 0;
    for (; node.v !== undefined; node = node.v as { v?: unknown }, depth++) expect(Object.isFrozen(node)).toBe(true);
    expect(depth).toBe(100_000);

    const dag = (v: number): Record<string, unknown> => {
      let n: Record<string, unknown> = { leaf: v };
      for (let i = 0; i < 40; i++) n = { l: n, r: n };
      return n;
    };
    const shared = freezeSharing(dag(2), deepFreeze(dag(1)));
    expect(distinctNodes(shared)).toHaveLength(41);
    for (const n of distinctNodes(shared)) expect(Object.isFrozen(n)).toBe(true);
  });

  it('keeps its keys apart from a walk that a getter starts in the middle of it', () => {
    // `c` of the new version has keys the previous one lacks (`toString` and `valueOf`, which it inherits, so
    // the values match); telling them apart rests on the keys the walk recorded, which the inner walk must not
    // clobber.
    const innerPrev = deepFreeze({ p: { q: 1 }, r: 1 });
    let inner: { p: { q: number }; r: number } | undefined;
    const c = {} as Record<string, unknown>;
    Object.defineProperty(c, 'toString', {
      enumerable: true,
      get: () => {
        inner = freezeSharing({ p: { q: 1 }, r: 2 }, innerPrev);
        return Object.prototype.toString;
      },
    });
    c.valueOf = Object.prototype.valueOf;
    c.b = 1;
    const prev = deepFreeze({ c: { b: 1 } });
    const result = freezeSharing({ c }, prev as { c: Record<string, unknown> });
    expect(result.c).toBe(c);
    expect(Object.keys(result.c)).toEqual(['toString', 'valueOf', 'b']);
    expect(Object.isFrozen(result.c)).toBe(true);
    expect(inner?.p).toBe(innerPrev.p);
    expect(Object.isFrozen(inner)).toBe(true);
  });

  it('stops sharing at a property it cannot assign, and still freezes everything', () => {
    const prev = deepFreeze({ a: { b: { c: 1 } }, d: { e: 1 } });
    const a = {} as Record<string, unknown>;
    Object.defineProperty(a, 'b', { value: { c: 1 }, enumerable: true, writable: false });
    const next = freezeSharing({ a, d: { e: 1 } }, prev);
    expect(JSON.stringify(next)).toBe(JSON.stringify(prev));
    expect(Object.isFrozen(next.a)).toBe(true);
    expect(Object.isFrozen(next.a.b)).toBe(true);
    expect(Object.isFrozen(next.d)).toBe(true);
  });
});
