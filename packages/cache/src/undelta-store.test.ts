import { describe, expect, it, jest } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { KeyError } from './keys.js';
import { IndexError, IndexedStore } from './thread-safe-store.js';
import { UndeltaStore } from './undelta-store.js';

interface Obj extends KubeObject {
  value: number;
}

const obj = (name: string, value: number): Obj => ({ metadata: { name }, value });

function recorded() {
  const push = jest.fn((_items: Obj[]) => {});
  return { push, store: new UndeltaStore<Obj>({ push }) };
}

describe('UndeltaStore', () => {
  it('pushes after add and after update, the last push holding the update (TestUpdateCallsPush)', () => {
    const { push, store } = recorded();
    store.add(obj('a', 2));
    store.update(obj('a', 1));
    expect(push).toHaveBeenCalledTimes(2);
    expect(push.mock.calls[1]?.[0]).toEqual([obj('a', 1)]);
  });

  it('pushes an empty list after the last delete (TestDeleteCallsPush)', () => {
    const { push, store } = recorded();
    store.add(obj('a', 2));
    store.delete(obj('a', 2));
    expect(push).toHaveBeenCalledTimes(2);
    expect(push.mock.calls[1]?.[0]).toEqual([]);
  });

  it('never pushes on reads, resync or bookmark (TestReadsDoNotCallPush)', () => {
    const { push, store } = recorded();
    store.list();
    store.listKeys();
    store.get(obj('a', 1));
    store.getByKey('a');
    store.resync();
    store.bookmark('7');
    expect(push).not.toHaveBeenCalled();
    expect(store.lastStoreSyncResourceVersion()).toBe('7');
  });

  it('pushes once per replace (TestReplaceCallsPush)', () => {
    const { push, store } = recorded();
    store.replace([obj('a', 1)], '0');
    expect(push).toHaveBeenCalledTimes(1);
    expect(push.mock.calls[0]?.[0]).toEqual([obj('a', 1)]);
  });

  it('does not push after a write that fails', () => {
    const push = jest.fn((_items: Obj[]) => {});
    const inner = new IndexedStore<Obj>({
      indexers: {
        odd: (o) => {
          if (o.value < 0) throw new Error('negative');
          return [String(o.value % 2)];
        },
      },
    });
    const store = new UndeltaStore<Obj>({ push, store: inner });
    const nameless = { value: 1 } as Obj;
    expect(() => store.add(nameless)).toThrow(KeyError);
    expect(() => store.update(obj('a', -1))).toThrow(IndexError);
    expect(() => store.delete(nameless)).toThrow(KeyError);
    expect(() => store.replace([obj('b', 1), nameless], '1')).toThrow(KeyError);
    expect(push).not.toHaveBeenCalled();
  });

  it('pushes a fresh snapshot each time', () => {
    const { push, store } = recorded();
    store.add(obj('a', 1));
    store.add(obj('b', 2));
    const [first, second] = push.mock.calls.map((c) => c[0]);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(2);
  });

  it('uses the given key function for its default store', () => {
    const push = jest.fn((_items: Obj[]) => {});
    const store = new UndeltaStore<Obj>({ push, keyFunc: (o) => `k${o.value}` });
    store.add(obj('a', 1));
    expect(store.listKeys()).toEqual(['k1']);
  });
});
