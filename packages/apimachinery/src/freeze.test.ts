import { describe, expect, it } from '@jest/globals';
import { produce } from 'immer';
import { deepFreeze } from './freeze.js';
import { makePod } from './testing/pods.js';

describe('deepFreeze', () => {
  it('freezes every nested object and array', () => {
    const pod = deepFreeze(makePod(1));
    expect(Object.isFrozen(pod)).toBe(true);
    expect(Object.isFrozen(pod.metadata)).toBe(true);
    expect(Object.isFrozen(pod.metadata?.labels)).toBe(true);
    const containers = pod.spec.containers as { env: unknown[] }[];
    expect(Object.isFrozen(containers)).toBe(true);
    expect(Object.isFrozen(containers[0])).toBe(true);
    expect(Object.isFrozen(containers[0]?.env)).toBe(true);
  });

  it('makes writes to a frozen object throw in strict mode', () => {
    const obj = deepFreeze({ a: { b: [1, 2] } });
    expect(() => {
      (obj.a as { b: number[] }).b.push(3);
    }).toThrow(TypeError);
    expect(() => {
      (obj.a as { c?: number }).c = 1;
    }).toThrow(TypeError);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', 'text'],
  ])('returns %s unchanged', (_name, value) => {
    expect(deepFreeze(value)).toBe(value);
  });

  it('skips a subtree whose root is already frozen', () => {
    const shared = Object.freeze({ inner: { mutable: true } });
    const obj = deepFreeze({ shared, fresh: { x: 1 } });
    expect(Object.isFrozen(obj.fresh)).toBe(true);
    expect(Object.isFrozen(obj.shared.inner)).toBe(false);
  });

  it('#12 freezes an object nested 100 000 levels deep without overflowing the stack', () => {
    const root: { child?: unknown } = {};
    let node = root;
    for (let i = 0; i < 100_000; i++) {
      const child: { child?: unknown; list?: unknown[] } = { list: [{}] };
      node.child = child;
      node = child;
    }
    expect(() => deepFreeze(root)).not.toThrow();
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen((node as { list: unknown[] }).list[0])).toBe(true);
    expect(Object.isFrozen((root.child as { list: unknown[] }).list[0])).toBe(true);
  });

  it('survives cycles', () => {
    const a: { self?: unknown; list: unknown[] } = { list: [] };
    a.self = a;
    a.list.push(a);
    expect(deepFreeze(a)).toBe(a);
    expect(Object.isFrozen(a.list)).toBe(true);
  });

  it('skips typed arrays instead of throwing', () => {
    const obj = deepFreeze({ bytes: new Uint8Array([1, 2]), meta: {} });
    expect(Object.isFrozen(obj.meta)).toBe(true);
    obj.bytes[0] = 9;
    expect(obj.bytes[0]).toBe(9);
  });

  it('stays usable with immer produce, which copies and leaves the original unchanged', () => {
    const pod = deepFreeze(makePod(3));
    const next = produce(pod, (draft) => {
      draft.metadata.labels.tier = 'gold';
      (draft.spec.containers as { name: string }[])[0]!.name = 'renamed';
    });
    expect(next).not.toBe(pod);
    expect(next.metadata.labels.tier).toBe('gold');
    expect(pod.metadata.labels.tier).toBe('frontend');
    expect((pod.spec.containers as { name: string }[])[0]?.name).not.toBe('renamed');
    expect(next.status).toBe(pod.status);
    expect(deepFreeze(next)).toBe(next);
    expect(Object.isFrozen(next.metadata.labels)).toBe(true);
  });
});
