import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { DeletedFinalStateUnknown, DeltaFIFO, IndexedStore, RealFIFO } from '@kubecache/cache';
import type { DeltaQueue } from './controller.js';
import { type DeltaHandler, type ProcessableDelta, processDeltas } from './process-deltas.js';

type Kind = 'atomic in-order' | 'non-atomic in-order' | 'delta-fifo';
const KINDS: Kind[] = ['atomic in-order', 'non-atomic in-order', 'delta-fifo'];

function pod(name: string, rv: string, v = 1): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', resourceVersion: rv },
    spec: { v },
  } as KubeObject;
}

interface Step {
  action: 'add' | 'update' | 'delete';
  key: string;
  rv: string | undefined;
  initial?: boolean;
}

function harness(kind: Kind) {
  const store = new IndexedStore<KubeObject>({ freeze: false });
  const queue = (
    kind === 'atomic in-order'
      ? new RealFIFO<KubeObject>({ atomicEvents: true, emitDeltaTypeBookmark: true })
      : kind === 'non-atomic in-order'
        ? new RealFIFO<KubeObject>({ knownObjects: store })
        : new DeltaFIFO<KubeObject>({ knownObjects: store, emitDeltaTypeReplaced: true })
  ) as DeltaQueue<KubeObject>;
  const history: Step[] = [];
  const handler: DeltaHandler<KubeObject> = {
    onAdd: (o, initial) =>
      history.push({ action: 'add', key: store.keyOf(o), rv: o.metadata?.resourceVersion, initial }),
    onUpdate: (_o, n) => history.push({ action: 'update', key: store.keyOf(n), rv: n.metadata?.resourceVersion }),
    onDelete: (o, key) =>
      history.push({
        action: 'delete',
        key,
        rv: o instanceof DeletedFinalStateUnknown ? o.obj?.metadata?.resourceVersion : o.metadata?.resourceVersion,
      }),
  };
  const drain = async (): Promise<Step[]> => {
    history.length = 0;
    while (queue.list().length > 0) await queue.pop((d, initial) => processDeltas(handler, store, d, initial));
    return [...history];
  };
  return { store, queue, drain };
}

/** Deletes of one relist are unordered in client-go; compare them sorted by key, in their place. */
function normalise(steps: Step[]): Step[] {
  const deletes = steps.filter((s) => s.action === 'delete').sort((a, b) => a.key.localeCompare(b.key));
  const others = steps.filter((s) => s.action !== 'delete').map(({ initial: _i, ...s }) => s);
  return [...deletes, ...others];
}

async function replaceEvents(kind: Kind): Promise<Step[][]> {
  const out: Step[][] = [];
  let h = harness(kind);
  h.queue.replace([pod('pod-1', '1')], '1');
  out.push(await h.drain());

  h = harness(kind);
  h.queue.replace([pod('pod-1', '1'), pod('pod-3', '2')], '2');
  await h.drain();
  h.queue.replace([], '3');
  out.push(await h.drain());

  h = harness(kind);
  h.queue.replace([pod('pod-1', '1'), pod('pod-2', '2', 1), pod('pod-3', '3')], '3');
  await h.drain();
  h.queue.replace([pod('pod-1', '4'), pod('pod-2', '5', 2), pod('pod-4', '6')], '6');
  out.push(await h.drain());
  expect(h.store.listKeys().sort()).toEqual(['default/pod-1', 'default/pod-2', 'default/pod-4']);
  expect((h.store.getByKey('default/pod-2') as { spec: { v: number } }).spec.v).toBe(2);
  return out;
}

describe('processDeltas', () => {
  it.each(KINDS)('applies the TestReplaceEvents vectors with the %s queue', async (kind) => {
    const [first, second, third] = await replaceEvents(kind);
    expect(first).toEqual([{ action: 'add', key: 'default/pod-1', rv: '1', initial: true }]);
    expect(normalise(second ?? [])).toEqual([
      { action: 'delete', key: 'default/pod-1', rv: '1' },
      { action: 'delete', key: 'default/pod-3', rv: '2' },
    ]);
    const expected = [
      { action: 'delete', key: 'default/pod-3', rv: '3' },
      { action: 'update', key: 'default/pod-1', rv: '4' },
      { action: 'update', key: 'default/pod-2', rv: '5' },
      { action: 'add', key: 'default/pod-4', rv: '6' },
    ];
    if (kind === 'delta-fifo') {
      // DeltaFIFO queues a relist's tombstones after its replacements; per key the history is the same.
      expect(normalise(third ?? [])).toEqual(expected);
      expect(third?.[3]?.action).toBe('delete');
    } else {
      expect(normalise(third ?? [])).toEqual(expected);
      expect(third?.[0]?.action).toBe('delete');
    }
  });

  it('gives identical histories for the atomic and non-atomic in-order queues', async () => {
    expect(await replaceEvents('atomic in-order')).toEqual(await replaceEvents('non-atomic in-order'));
  });

  it('updates the store before the handler is told', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const seen: boolean[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: (o) => seen.push(store.getByKey(store.keyOf(o)) !== undefined),
      onUpdate: (_o, n) => seen.push(store.getByKey(store.keyOf(n)) === n),
      onDelete: (_o, key) => seen.push(store.getByKey(key) === undefined),
    };
    processDeltas(handler, store, [{ type: 'Added', object: pod('a', '1') }], false);
    processDeltas(handler, store, [{ type: 'Updated', object: pod('a', '2') }], false);
    processDeltas(handler, store, [{ type: 'Deleted', object: pod('a', '3') }], false);
    expect(seen).toEqual([true, true, true]);
  });

  it('treats a delta by store presence, not by its type', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const calls: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: () => calls.push('add'),
      onUpdate: () => calls.push('update'),
      onDelete: () => calls.push('delete'),
    };
    processDeltas(handler, store, [{ type: 'Updated', object: pod('a', '1') }], false);
    processDeltas(handler, store, [{ type: 'Added', object: pod('a', '2') }], false);
    processDeltas(handler, store, [{ type: 'Sync', object: pod('a', '2') }], false);
    expect(calls).toEqual(['add', 'update', 'update']);
  });

  it('reports a changed uid under the same key as a delete of the old object and an add', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const calls: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: (o) => calls.push(`add ${o.metadata?.uid}`),
      onUpdate: (_o, n) => calls.push(`update ${n.metadata?.uid}`),
      onDelete: (o, k) =>
        calls.push(`delete ${k} ${o instanceof DeletedFinalStateUnknown ? o.obj?.metadata?.uid : ''}`),
    };
    const withUid = (uid: string, rv: string): KubeObject => ({
      ...pod('a', rv),
      metadata: { ...pod('a', rv).metadata, uid },
    });
    processDeltas(handler, store, [{ type: 'Added', object: withUid('u1', '1') }], false);
    processDeltas(handler, store, [{ type: 'Replaced', object: withUid('u1', '2') }], false);
    processDeltas(handler, store, [{ type: 'Replaced', object: withUid('u2', '3') }], false);
    expect(calls).toEqual(['add u1', 'update u1', 'delete default/a u1', 'add u2']);
    expect(store.getByKey('default/a')?.metadata?.uid).toBe('u2');
    // A re-watch from "0" replays adds: one with another uid is a recreation too.
    processDeltas(handler, store, [{ type: 'Added', object: withUid('u3', '4') }], false);
    expect(calls.slice(4)).toEqual(['delete default/a u2', 'add u3']);
    // A live watch reports a recreation as a delete and an add; a modification is never compared by uid.
    processDeltas(handler, store, [{ type: 'Updated', object: withUid('u4', '5') }], false);
    processDeltas(handler, store, [{ type: 'Sync', object: withUid('u5', '5') }], false);
    expect(calls.slice(6)).toEqual(['update u4', 'update u5']);
  });

  it('deletes a tombstone by its key and records bookmarks', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const keys: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: () => {},
      onUpdate: () => {},
      onDelete: (_o, k) => keys.push(k),
    };
    processDeltas(handler, store, [{ type: 'Added', object: pod('a', '1') }], false);
    const tomb = new DeletedFinalStateUnknown<KubeObject>('default/a', undefined);
    processDeltas<KubeObject>(handler, store, [{ type: 'Deleted', object: tomb }], false);
    processDeltas(handler, store, [{ type: 'Bookmark', resourceVersion: '42' }], false);
    expect(store.listKeys()).toEqual([]);
    expect(keys).toEqual(['default/a']);
    expect(store.lastStoreSyncResourceVersion()).toBe('42');
  });

  it('leaves the store unchanged and tells nobody when an object cannot be keyed', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const calls: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: () => calls.push('add'),
      onUpdate: () => {},
      onDelete: () => {},
    };
    const bad = { metadata: {} } as KubeObject;
    expect(() => processDeltas<KubeObject>(handler, store, [{ type: 'Added', object: bad }], false)).toThrow();
    expect(store.size).toBe(0);
    expect(calls).toEqual([]);
  });
});

describe('processDeltas with a store that refuses an object', () => {
  it('keeps the refused key at its previous state, applies and announces the rest of a ReplacedAll, then throws', () => {
    const store = new IndexedStore<KubeObject>({
      freeze: false,
      indexers: {
        byV: (o) => {
          if ((o as { spec?: { v?: number } }).spec?.v === 666) throw new Error('bad index value');
          return [];
        },
      },
    });
    store.add(pod('a', '1'));
    store.add(pod('gone', '1'));
    const history: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: (o) => void history.push(`add ${o.metadata?.name}`),
      onUpdate: (_o, n) => void history.push(`update ${n.metadata?.name}`),
      onDelete: (_o, key) => void history.push(`delete ${key}`),
    };
    const replace = () =>
      processDeltas(
        handler,
        store,
        [{ type: 'ReplacedAll', resourceVersion: '5', objects: [pod('a', '4', 666), pod('b', '5')] }],
        false,
      );
    expect(replace).toThrow('bad index value');
    expect(history).toEqual(['delete default/gone', 'add b']);
    expect(store.listKeys().sort()).toEqual(['default/a', 'default/b']);
    expect(store.getByKey('default/a')?.metadata?.resourceVersion).toBe('1');
  });
});

describe('processDeltas and the key a queue filed an object under', () => {
  it('stores and deletes under the delta key without keying the object again', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const seen: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: (o) => seen.push(`add ${o.metadata?.resourceVersion}`),
      onUpdate: (_o, n) => seen.push(`update ${n.metadata?.resourceVersion}`),
      onDelete: (_o, key) => seen.push(`delete ${key}`),
    };
    const keyOf = store.keyOf.bind(store);
    let keyed = 0;
    store.keyOf = (o) => {
      keyed++;
      return keyOf(o);
    };
    processDeltas(handler, store, [{ type: 'Added', object: pod('a', '1'), key: 'default/a' }], false);
    processDeltas(handler, store, [{ type: 'Updated', object: pod('a', '2'), key: 'default/a' }], false);
    expect(store.getByKey('default/a')?.metadata?.resourceVersion).toBe('2');
    processDeltas(handler, store, [{ type: 'Deleted', object: pod('a', '3'), key: 'default/a' }], false);
    expect(seen).toEqual(['add 1', 'update 2', 'delete default/a']);
    expect(store.getByKey('default/a')).toBeUndefined();
    expect(store.lastStoreSyncResourceVersion()).toBe('3');
    expect(keyed).toBe(0);
  });

  it('keys the object itself when a delta has no key', () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const handler: DeltaHandler<KubeObject> = { onAdd: () => {}, onUpdate: () => {}, onDelete: () => {} };
    processDeltas(handler, store, [{ type: 'Added', object: pod('b', '1') }], false);
    expect(store.listKeys()).toEqual(['default/b']);
  });

  it('gets the key of every per-object event from the in-order FIFO', async () => {
    const fifo = new RealFIFO<KubeObject>({ atomicEvents: true });
    fifo.add(pod('a', '1'));
    fifo.delete(pod('a', '2'));
    const keys: (string | undefined)[] = [];
    while (fifo.length > 0) await fifo.pop(([d]) => void keys.push(d && 'key' in d ? d.key : undefined));
    expect(keys).toEqual(['default/a', 'default/a']);
  });

  it('keys the transformed object when the in-order FIFO has a transformer', async () => {
    const renamed = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, name: 'renamed' } });
    const fifo = new RealFIFO<KubeObject>({ atomicEvents: true, transformer: renamed });
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const handler: DeltaHandler<KubeObject> = { onAdd: () => {}, onUpdate: () => {}, onDelete: () => {} };
    fifo.add(pod('a', '1'));
    await fifo.pop((d, initial) => {
      expect(d[0] && 'key' in d[0]).toBe(false);
      return processDeltas(handler, store, d as readonly ProcessableDelta<KubeObject>[], initial);
    });
    expect(store.listKeys()).toEqual(['default/renamed']);
  });
});

describe('processDeltas and the unchanged parts of an object', () => {
  const handlerInto = (updates: [KubeObject, KubeObject][]): DeltaHandler<KubeObject> => ({
    onAdd: () => {},
    onUpdate: (o, n) => updates.push([o, n]),
    onDelete: () => {},
  });

  it('hands handlers a new version that shares what did not change with the old one, from a watch event and a relist', async () => {
    const store = new IndexedStore<KubeObject>();
    const updates: [KubeObject, KubeObject][] = [];
    const handler = handlerInto(updates);
    processDeltas(handler, store, [{ type: 'Added', object: pod('a', '1', 1) }], false);
    processDeltas(handler, store, [{ type: 'Updated', object: pod('a', '2', 1) }], false);
    processDeltas(handler, store, [{ type: 'Updated', object: pod('a', '3', 2) }], false);
    await processDeltas(
      handler,
      store,
      [{ type: 'ReplacedAll', resourceVersion: '4', objects: [pod('a', '3', 2)] }],
      false,
      0,
    );
    const spec = (o: KubeObject): unknown => (o as { spec: unknown }).spec;
    expect(updates.map(([o, n]) => spec(o) === spec(n))).toEqual([true, false, true]);
    expect(updates.map(([o, n]) => o.metadata === n.metadata)).toEqual([false, false, true]);
    expect(store.getByKey('default/a')).toBe(updates[2]?.[1]);
  });
});
