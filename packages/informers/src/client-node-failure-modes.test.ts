/**
 * The client-node informer failure modes of `javascript-informers.md` §2.1 that apply to an informer, each
 * as a scenario that passes on ours (fake source, fake clock). Reflector-only modes (half-open connections,
 * reconnect storms) are covered by the Reflector's own tests.
 */
import { describe, expect, it } from '@jest/globals';
import { failureStatus, type KubeObject, StatusError } from '@kubecache/apimachinery';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import type { InformerEvent } from './resource-event-handler.js';
import type { InformerQueueKind } from './shared-informer.js';
import { fakeInformer } from './testing/fake-informer.js';

function pod(name: string, uid = `uid-${name}`): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid } } as KubeObject;
}

function setup(queue: InformerQueueKind = 'in-order') {
  const t = fakeInformer<KubeObject>({ queue });
  const describeEvent = (e: InformerEvent<KubeObject>): string =>
    e.type === 'delete'
      ? `delete ${e.deleted.key} ${e.deleted.kind} ${e.deleted.obj?.metadata?.uid}`
      : e.type === 'add'
        ? `add ${e.obj.metadata?.name} ${e.obj.metadata?.uid}`
        : `update ${e.newObj.metadata?.name}`;
  return { ...t, describeEvent };
}

describe('client-node failure modes, on our informer', () => {
  it('F1/F2: a throwing handler neither kills the informer nor stops the other handler or the watch', async () => {
    const t = setup();
    const seen: string[] = [];
    t.informer.addEventHandler({
      name: 'thrower',
      onAdd: () => {
        throw new Error('bad handler');
      },
    });
    t.informer.addEventHandler({ onAdd: (o) => void seen.push(o.metadata?.name ?? '') });
    t.source.add(pod('initial'));
    const run = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    t.source.add(pod('watched'));
    await flushMicrotasks();
    expect(seen).toEqual(['initial', 'watched']);
    expect(t.errors).toHaveLength(2);
    expect(t.informer.hasSynced()).toBe(true);
    expect(t.source.openWatches()).toBe(1);
    t.ac.abort();
    await run;
  });

  it.each<[InformerQueueKind, boolean]>([
    ['in-order', false],
    ['in-order', true],
    ['delta-fifo', true],
  ])(
    'an index function that throws on one object loses only that object (%s, in the initial list: %p)',
    async (queue, initial) => {
      const t = setup(queue);
      t.informer.addIndexers({
        byName: (o) => {
          if (o.metadata?.name === 'poison') throw new Error('bad index value');
          return [o.metadata?.name ?? ''];
        },
      });
      const seen: string[] = [];
      t.informer.addEventHandler({ onAdd: (o) => void seen.push(o.metadata?.name ?? '') });
      if (!initial) await t.start();
      for (const name of ['a', 'poison', 'b']) t.source.add(pod(name));
      if (initial) await t.start();
      await flushMicrotasks();
      expect(t.informer.hasSynced()).toBe(true);
      expect(t.informer.getStore().listKeys().sort()).toEqual(['default/a', 'default/b']);
      expect(seen).toEqual(['a', 'b']);
      expect(t.errors.map((e) => e.name)).toEqual(['IndexError']);
      await t.stop();
    },
  );

  it('F3: a failed initial list is retried, and waitForCacheSync is a real barrier', async () => {
    const t = setup();
    t.source.add(pod('a'));
    t.source.failNextList(new StatusError(failureStatus(500, 'InternalError', 'list failed')));
    let synced = false;
    void t.informer.waitForCacheSync().then(() => {
      synced = true;
    });
    const run = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    expect(synced).toBe(false);
    expect(t.informer.health().consecutiveFailures).toBe(1);
    await t.clock.stepAsync(800);
    expect(synced).toBe(true);
    expect(t.informer.getStore().listKeys()).toEqual(['default/a']);
    t.ac.abort();
    await run;
  });

  it('F4: a watch failing with 500 or 403 is retried and the cache keeps up', async () => {
    const t = setup();
    const run = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    t.source.failNextWatch(new StatusError(failureStatus(500, 'InternalError', 'boom')));
    t.source.failNextWatch(new StatusError(failureStatus(403, 'Forbidden', 'no')));
    t.source.closeWatches();
    t.source.addDropWatch(pod('during-outage'));
    await t.clock.stepAsync(10_000);
    expect(t.informer.getStore().listKeys()).toEqual(['default/during-outage']);
    t.source.add(pod('after'));
    await flushMicrotasks();
    expect(t.informer.getStore().listKeys().sort()).toEqual(['default/after', 'default/during-outage']);
    t.ac.abort();
    await run;
  });

  it('F9/F10: stop during the initial list takes effect, reports no error and never restarts', async () => {
    const t = setup();
    t.source.add(pod('a'));
    const seen: string[] = [];
    t.informer.addEventHandler({ onAdd: (o) => void seen.push(o.metadata?.name ?? '') });
    const run = t.informer.run(t.ac.signal);
    t.ac.abort(); // the list call is in flight
    await run;
    await t.clock.stepAsync(60_000);
    expect(seen).toEqual([]);
    expect(t.source.openWatches()).toBe(0);
    expect(t.errors).toEqual([]);
    expect(t.informer.isStopped()).toBe(true);
    await t.informer.run(new AbortController().signal);
    expect(t.source.watchCalls).toHaveLength(0);
  });

  it('F11: run twice opens one list and one watch', async () => {
    const t = setup();
    const run1 = t.informer.run(t.ac.signal);
    const run2 = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    expect(run2).toBe(run1);
    expect(t.source.listCalls).toHaveLength(1);
    expect(t.source.openWatches()).toBe(1);
    t.ac.abort();
    await run1;
    expect(t.source.openWatches()).toBe(0);
  });

  it('F12: a delete missed during a watch gap arrives flagged as a tombstone', async () => {
    const t = setup();
    const events: string[] = [];
    t.informer.addEventHandler({ onEvent: (e) => void events.push(t.describeEvent(e)) });
    const a = t.source.add(pod('a'));
    const run = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    t.source.deleteDropWatch(a);
    t.source.resetWatch();
    await t.clock.stepAsync(2000);
    expect(events).toEqual(['add a uid-a', 'delete default/a tombstone uid-a']);
    t.ac.abort();
    await run;
  });

  it('F13: a delete and re-create during a gap is seen as a delete of the old uid and an add of the new', async () => {
    const t = setup();
    const events: string[] = [];
    t.informer.addEventHandler({ onEvent: (e) => void events.push(t.describeEvent(e)) });
    const a = t.source.add(pod('a', 'uid-1'));
    const run = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    t.source.deleteDropWatch(a);
    t.source.addDropWatch(pod('a', 'uid-2'));
    t.source.resetWatch();
    await t.clock.stepAsync(2000);
    expect(events).toEqual(['add a uid-1', 'delete default/a tombstone uid-1', 'add a uid-2']);
    t.ac.abort();
    await run;
  });

  it('F14/F18: updates carry old and new objects, and cached objects cannot be mutated', async () => {
    const t = setup();
    const pairs: [string | undefined, string | undefined][] = [];
    t.informer.addEventHandler({
      onUpdate: (o, n) => void pairs.push([o.metadata?.resourceVersion, n.metadata?.resourceVersion]),
    });
    const a = t.source.add(pod('a'));
    const run = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    t.source.modify({ ...a, metadata: { ...a.metadata, labels: { x: 'y' } } } as KubeObject);
    await flushMicrotasks();
    expect(pairs).toEqual([['1', '2']]);
    const cached = t.informer.getStore().getByKey('default/a') as KubeObject;
    expect(() => {
      (cached.metadata as { resourceVersion?: string }).resourceVersion = '999';
    }).toThrow(TypeError);
    t.ac.abort();
    await run;
  });

  it('F19: a handler added after sync is told about the existing objects', async () => {
    const t = setup();
    t.source.add(pod('a'));
    t.source.add(pod('b'));
    const run = t.informer.run(t.ac.signal);
    await flushMicrotasks();
    const seen: string[] = [];
    const reg = t.informer.addEventHandler({ onAdd: (o, initial) => void seen.push(`${o.metadata?.name} ${initial}`) });
    expect(seen.sort()).toEqual(['a true', 'b true']);
    expect(reg.hasSynced()).toBe(true);
    t.ac.abort();
    await run;
  });

  it.each<InformerQueueKind>(['in-order', 'delta-fifo'])(
    'converges under random churn, watch resets and handlers joining and leaving (TestSharedInformerHandlerAbuse, %s)',
    async (queue) => {
      const t = setup(queue);
      let seed = 42;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const view = new Map<string, string | undefined>(); // a handler's own reconstruction of the cache
      const key = (o: KubeObject): string => `default/${o.metadata?.name}`;
      t.informer.addEventHandler({
        onAdd: (o) => void view.set(key(o), o.metadata?.resourceVersion),
        onUpdate: (_o, n) => void view.set(key(n), n.metadata?.resourceVersion),
        onDelete: (d) => void view.delete(d.key),
      });
      const run = t.informer.run(t.ac.signal);
      const live = new Map<string, KubeObject>();
      const regs: ReturnType<typeof t.informer.addEventHandler>[] = [];
      for (let i = 0; i < 2000; i++) {
        const name = `p${rand(50)}`;
        const existing = live.get(name);
        const op = rand(10);
        if (!existing) live.set(name, t.source.add(pod(name)));
        else if (op < 5) live.set(name, t.source.modify(existing));
        else if (op < 7) {
          t.source.delete(existing);
          live.delete(name);
        } else if (op === 7) {
          live.set(name, t.source.modifyDropWatch(existing));
          t.source.resetWatch();
        } else if (op === 8) regs.push(t.informer.addEventHandler({ onAdd: () => {} }));
        else if (regs.length > 0) t.informer.removeEventHandler(regs.splice(rand(regs.length), 1)[0]!);
        if (rand(20) === 0) await t.clock.stepAsync(2000);
      }
      await t.clock.stepAsync(60_000);
      const expected = new Map([...live].map(([n, o]) => [`default/${n}`, o.metadata?.resourceVersion]));
      const stored = new Map(
        t.informer
          .getStore()
          .list()
          .map((o) => [key(o), o.metadata?.resourceVersion]),
      );
      expect(stored).toEqual(expected);
      expect(view).toEqual(expected);
      t.ac.abort();
      await run;
    },
  );
});
