import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import {
  DeletedFinalStateUnknown,
  IndexedStore,
  metaNamespaceIndexFunc,
  NAMESPACE_INDEX,
  readonlyIndexer,
} from '@kubecache/cache';
import { runSliced } from '@kubecache/cache/internal';
import { type DeltaHandler, processDeltas } from './process-deltas.js';

const N = 2_000;

function pod(name: string, ns: string, rv: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, resourceVersion: rv } } as KubeObject;
}

/** The old list: `old-*` and `kept-*` pods at rv 1; the new one: `kept-*` at rv 2 and `new-*` at rv 2. */
function lists(): { before: KubeObject[]; after: KubeObject[] } {
  const before: KubeObject[] = [];
  const after: KubeObject[] = [];
  for (let i = 0; i < N / 2; i++) {
    const ns = `ns-${i % 7}`;
    before.push(pod(`old-${i}`, ns, '1'), pod(`kept-${i}`, ns, '1'));
    after.push(pod(`kept-${i}`, ns, '2'), pod(`new-${i}`, ns, '2'));
  }
  return { before, after };
}

type Seen = 'old' | 'new' | 'mixed';

/** What a lister reading `view` now sees: every object, every namespace, and the version of the store. */
function readAll(view: ReturnType<typeof readonlyIndexer<KubeObject>>): Seen {
  const names = view.list().map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`);
  const byNamespace = view
    .listIndexFuncValues(NAMESPACE_INDEX)
    .flatMap((ns) => view.byIndex(NAMESPACE_INDEX, ns))
    .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`);
  const rv = view.lastStoreSyncResourceVersion?.();
  const all = (prefix: string[], version: string): boolean =>
    names.length === N &&
    byNamespace.length === N &&
    names.every((n) => prefix.some((p) => n.startsWith(p)) && n.endsWith(`@${version}`));
  if (rv === '1' && all(['old-', 'kept-'], '1')) return 'old';
  if (rv === '2' && all(['kept-', 'new-'], '2')) return 'new';
  return 'mixed';
}

describe('a staged relist', () => {
  it('shows a lister reading during it either the old or the new list, never a mix', async () => {
    const store = new IndexedStore<KubeObject>({ indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });
    const view = readonlyIndexer(store);
    const { before, after } = lists();
    store.replace(before, '1');
    const seen: Seen[] = [];
    const calls: string[] = [];
    // What the first few handler calls see of the store (reading all of it at every call would be slow).
    const state = (): string => (calls.length < N / 2 + 2 ? readAll(view) : '');
    const handler: DeltaHandler<KubeObject> = {
      onAdd: (o) => calls.push(`add ${o.metadata?.name} ${state()}`),
      onUpdate: (_o, n) => calls.push(`update ${n.metadata?.name} ${state()}`),
      onDelete: (o, key) => calls.push(`delete ${key} ${o instanceof DeletedFinalStateUnknown ? 'tombstone' : ''}`),
    };
    let done = false;
    const read = (): void => {
      if (done) return;
      seen.push(readAll(view));
      setImmediate(read);
    };
    setImmediate(read);
    const pending = processDeltas(
      handler,
      store,
      [{ type: 'ReplacedAll', resourceVersion: '2', objects: after }],
      false,
      0,
    );
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    done = true;
    expect(seen.filter((s) => s === 'mixed')).toEqual([]);
    expect(seen).toContain('old');
    expect(seen).toContain('new');
    // Deletes first, then updates and adds in list order; the handlers hear only once the store is new.
    expect(calls.slice(0, N / 2).every((c) => c.startsWith('delete ns-') && c.endsWith('tombstone'))).toBe(true);
    expect(calls.slice(N / 2, N / 2 + 2)).toEqual(['update kept-0 new', 'add new-0 new']);
    expect(calls).toHaveLength(N + N / 2);
  });

  it('gives the event loop turns while it stages and announces a large list', async () => {
    const store = new IndexedStore<KubeObject>({});
    const { before, after } = lists();
    store.replace(before, '1');
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (!finished) setImmediate(tick);
    };
    let finished = false;
    setImmediate(tick);
    const handler: DeltaHandler<KubeObject> = { onAdd: () => {}, onUpdate: () => {}, onDelete: () => {} };
    await processDeltas(handler, store, [{ type: 'ReplacedAll', resourceVersion: '2', objects: after }], false, 0);
    finished = true;
    // At least one turn per 256 objects staged and per 256 announced.
    expect(turns).toBeGreaterThanOrEqual((2 * N) / 256);
    expect(store.size).toBe(N);
    expect(Object.isFrozen(store.getByKey('ns-0/new-0'))).toBe(true);
  });

  it('applies the deltas after a sliced relist only once it is done', async () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const order: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: (o) => order.push(`add ${o.metadata?.name}`),
      onUpdate: () => {},
      onDelete: () => {},
    };
    const { after } = lists();
    await processDeltas(
      handler,
      store,
      [
        { type: 'ReplacedAll', resourceVersion: '2', objects: after },
        { type: 'Added', object: pod('late', 'ns-0', '3') },
      ],
      true,
      0,
    );
    expect(order.at(-1)).toBe('add late');
    expect(order).toHaveLength(N + 1);
    expect(store.lastStoreSyncResourceVersion()).toBe('3');
  });

  it('fails as a whole, changing nothing and telling nobody, when an object cannot be keyed', async () => {
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const { before, after } = lists();
    store.replace(before, '1');
    const calls: string[] = [];
    const handler: DeltaHandler<KubeObject> = {
      onAdd: () => calls.push('add'),
      onUpdate: () => calls.push('update'),
      onDelete: () => calls.push('delete'),
    };
    const bad = [...after, { metadata: {} } as KubeObject];
    await expect(
      processDeltas(handler, store, [{ type: 'ReplacedAll', resourceVersion: '2', objects: bad }], false, 0),
    ).rejects.toThrow();
    expect(calls).toEqual([]);
    expect(store.lastStoreSyncResourceVersion()).toBe('1');
    expect(store.listKeys().sort()).toEqual(before.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort());
  });
});

describe('runSliced', () => {
  it('runs short work synchronously and throws synchronously', () => {
    let ran = 0;
    function* work(): Generator<void, void> {
      ran++;
      yield;
      ran++;
    }
    expect(runSliced(work(), 1_000)).toBeUndefined();
    expect(ran).toBe(2);
    function* failing(): Generator<void, void> {
      yield;
      throw new Error('boom');
    }
    expect(() => runSliced(failing(), 1_000)).toThrow('boom');
  });

  it('rejects with what sliced work throws after a pause', async () => {
    function* failing(): Generator<void, void> {
      yield;
      yield;
      throw new Error('late boom');
    }
    await expect(runSliced(failing(), 0)).rejects.toThrow('late boom');
  });
});
