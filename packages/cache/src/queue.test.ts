import { describe, expect, it } from '@jest/globals';
import { KeyError } from './keys.js';
import { keyAndTransformAll, keyWith, knownGet, PopRunner, transformWith } from './queue.js';
import { Ring } from './ring.js';
import { TransformError } from './thread-safe-store.js';

describe('PopRunner', () => {
  const runner = () => new PopRunner<string>({ source: new Ring<string>() });

  it('takes the initial list only from a replace that comes before any other write', () => {
    const written = runner();
    written.noteWrite();
    written.noteReplace(3);
    expect([written.synced, written.initialRemaining]).toEqual([true, 0]);
    const replaced = runner();
    expect(replaced.synced).toBe(false);
    replaced.noteReplace(2);
    replaced.noteReplace(5);
    expect([replaced.synced, replaced.initialRemaining]).toEqual([false, 2]);
    replaced.countDelivered(5);
    expect([replaced.synced, replaced.initialRemaining]).toEqual([true, 0]);
  });
});

describe('keyWith', () => {
  it('wraps a foreign error from the key function in a KeyError with its cause', () => {
    const cause = new RangeError('bad');
    let caught: unknown;
    try {
      keyWith(() => {
        throw cause;
      }, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KeyError);
    expect((caught as KeyError).cause).toBe(cause);
  });
});

describe('the queue helpers', () => {
  it('wraps a throw of the transformer in a TransformError with its cause', () => {
    const cause = new Error('bad');
    const fail = (): never => {
      throw cause;
    };
    expect(transformWith(undefined, 1)).toBe(1);
    expect(() => transformWith(fail, 1)).toThrow(TransformError);
    expect(() => transformWith(fail, 1)).toThrow(expect.objectContaining({ cause }));
  });

  it('reads a throwing known-objects lookup as absent', () => {
    const known = {
      listKeys: () => ['a'],
      getByKey: (): number => {
        throw new Error('lost');
      },
    };
    expect(knownGet(known, 'a')).toBeUndefined();
    expect(knownGet(undefined, 'a')).toBeUndefined();
  });

  it('keys and transforms a whole list, leaving out and naming what it cannot key or transform', () => {
    const keyOf = (n: number) => keyWith((x: number) => (x < 0 ? fail() : `k${x}`), n);
    const fail = (): never => {
      throw new Error('negative');
    };
    expect(keyAndTransformAll([1, 2], keyOf, (n) => n * 10)).toEqual({
      keys: ['k1', 'k2'],
      objects: [10, 20],
      skipped: [],
    });
    const { keys, objects, skipped } = keyAndTransformAll([1, -1, 3], keyOf, (n) => (n === 3 ? fail() : n));
    expect({ keys, objects }).toEqual({ keys: ['k1'], objects: [1] });
    expect(skipped.map((s) => [s.key, s.object, s.cause.constructor])).toEqual([
      [undefined, -1, KeyError],
      ['k3', 3, TransformError],
    ]);
  });
});
