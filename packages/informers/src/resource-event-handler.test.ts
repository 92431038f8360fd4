import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { DeletedFinalStateUnknown } from '@kubecache/cache';
import { dispatchEvent, filteringHandler, type InformerEvent, toDeletedObject } from './resource-event-handler.js';

function pod(name: string, app: string): KubeObject {
  return { metadata: { name, namespace: 'ns', labels: { app } } } as KubeObject;
}

describe('filteringHandler', () => {
  const calls: string[] = [];
  const handler = filteringHandler<KubeObject>((o) => o.metadata?.labels?.app === 'web', {
    onAdd: (o, initial) => void calls.push(`add ${o.metadata?.name} ${initial}`),
    onUpdate: (_o, n) => void calls.push(`update ${n.metadata?.name}`),
    onDelete: (d) => void calls.push(`delete ${d.key} ${d.kind}`),
  });

  it.each([
    ['web', 'web', 'update a'],
    ['db', 'web', 'add a false'],
    ['web', 'db', 'delete ns/a object'],
    ['db', 'db', undefined],
  ])('maps an update from %s to %s as client-go does (EH-3)', (from, to, expected) => {
    calls.length = 0;
    handler.onUpdate?.(pod('a', from), pod('a', to));
    expect(calls).toEqual(expected === undefined ? [] : [expected]);
  });

  it('passes adds and deletes that match, and tombstones without an object', () => {
    calls.length = 0;
    handler.onAdd?.(pod('a', 'web'), true);
    handler.onAdd?.(pod('b', 'db'), true);
    handler.onDelete?.({ kind: 'object', key: 'ns/b', obj: pod('b', 'db') });
    handler.onDelete?.({ kind: 'tombstone', key: 'ns/c', obj: undefined });
    expect(calls).toEqual(['add a true', 'delete ns/c tombstone']);
  });
});

describe('filteringHandler with a catch-all handler', () => {
  it('sends the filtered events to onEvent, keeping isSync on updates', () => {
    const seen: InformerEvent<KubeObject>[] = [];
    const filtered = filteringHandler<KubeObject>((o) => o.metadata?.labels?.app === 'web', {
      onEvent: (e) => void seen.push(e),
    });
    const a = pod('a', 'web');
    dispatchEvent(filtered, { type: 'add', obj: a, isInInitialList: true });
    dispatchEvent(filtered, { type: 'add', obj: pod('b', 'db'), isInInitialList: true });
    dispatchEvent(filtered, { type: 'update', oldObj: a, newObj: a, isSync: true });
    dispatchEvent(filtered, { type: 'update', oldObj: a, newObj: pod('a', 'db'), isSync: false });
    expect(seen).toEqual([
      { type: 'add', obj: a, isInInitialList: true },
      { type: 'update', oldObj: a, newObj: a, isSync: true },
      { type: 'delete', deleted: { kind: 'object', key: 'ns/a', obj: a } },
    ]);
  });
});

describe('toDeletedObject', () => {
  it('tells a last known object from a tombstone', () => {
    const p = pod('a', 'web');
    expect(toDeletedObject(p, 'ns/a')).toEqual({ kind: 'object', key: 'ns/a', obj: p });
    expect(toDeletedObject(new DeletedFinalStateUnknown('ns/a', p), 'ignored')).toEqual({
      kind: 'tombstone',
      key: 'ns/a',
      obj: p,
    });
    expect(toDeletedObject(new DeletedFinalStateUnknown<KubeObject>('ns/b', undefined), 'x').obj).toBeUndefined();
  });
});

describe('dispatchEvent', () => {
  it('prefers onEvent and skips missing callbacks', () => {
    const seen: string[] = [];
    dispatchEvent<string>(
      { onEvent: (e) => void seen.push(e.type), onAdd: () => void seen.push('onAdd') },
      {
        type: 'add',
        obj: 'x',
        isInInitialList: false,
      },
    );
    expect(dispatchEvent<string>({}, { type: 'update', oldObj: 'a', newObj: 'b', isSync: false })).toBeUndefined();
    expect(seen).toEqual(['add']);
  });
});
