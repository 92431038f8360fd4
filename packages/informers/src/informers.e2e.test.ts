/**
 * End to end over real HTTP on 127.0.0.1: informers from the factory, through the client-node
 * ListerWatcher, against the scripted server, with two handlers and a workqueue-driven reconciler.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { deletionHandlingMetaNamespaceKeyFunc } from '@kubecache/cache';
import { ControllerRunner } from './controller-runner.js';
import { SharedInformerFactory } from './factory.js';
import { KubeListerWatcher } from './kube-lister-watcher.js';
import type { DeletedObject } from './resource-event-handler.js';
import { ScriptedServer } from './testing/scripted-server.js';

function pod(name: string, rv: string, phase = 'Pending'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', resourceVersion: rv, uid: `uid-${name}` },
    status: { phase },
  } as KubeObject;
}

/** Resolves once `cond()` holds; re-checked whenever `poke` is called. */
function until(cond: () => boolean): { done: Promise<void>; poke: () => void } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const poke = (): void => {
    if (cond()) resolve();
  };
  return { done, poke };
}

describe('informers end to end over HTTP', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await ScriptedServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('syncs, dispatches to two handlers and reconciles every key through the workqueue', async () => {
    server.lists.push({ items: [pod('a', '10'), pod('b', '11')], resourceVersion: '11' });
    server.watches.push((w) => {
      w.event('ADDED', pod('c', '12'));
      w.event('MODIFIED', pod('a', '13', 'Running'));
      w.event('DELETED', pod('b', '14'));
    });
    const kubeConfig = server.kubeConfig();
    const factory = new SharedInformerFactory({
      listerWatcherFor: (r) => new KubeListerWatcher({ kubeConfig, ...r }),
    });
    const pods = factory.informerFor({ version: 'v1', resource: 'pods', namespace: 'default' });

    const log: string[] = [];
    const reconciled = new Map<string, string>();
    // The two handlers run independently: wait for the logger's last event as well as the reconciler's.
    const goal = until(
      () => reconciled.get('default/a') === 'Running' && reconciled.get('default/b') === 'gone' && log.length >= 5,
    );
    const runner = new ControllerRunner({
      name: 'pods',
      workers: 2,
      waitFor: [pods],
      reconcile: async (key) => {
        const obj = pods.getIndexer().getByKey(key) as { status?: { phase?: string } } | undefined;
        reconciled.set(key, obj ? (obj.status?.phase ?? '') : 'gone');
        goal.poke();
      },
    });
    const note = (line: string): void => {
      log.push(line);
      goal.poke();
    };
    const enqueue = (o: KubeObject): void => runner.enqueue(deletionHandlingMetaNamespaceKeyFunc(o));
    const logger = pods.addEventHandler({
      name: 'logger',
      onAdd: (o, initial) => note(`add ${o.metadata?.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (_o, n) => note(`update ${n.metadata?.name}`),
      onDelete: (d: DeletedObject<KubeObject>) => note(`delete ${d.key} ${d.kind}`),
    });
    const enqueuer = pods.addEventHandler({
      name: 'enqueuer',
      onAdd: enqueue,
      onUpdate: (_o, n) => enqueue(n),
      onDelete: (d) => runner.enqueue(d.key),
    });

    const stop = new AbortController();
    factory.start();
    const synced = await factory.waitForCacheSync();
    expect([...synced.values()]).toEqual([true]);
    expect(logger.hasSynced() && enqueuer.hasSynced()).toBe(true);
    const running = runner.run(stop.signal);
    await goal.done;

    expect(log).toEqual(['add a (initial)', 'add b (initial)', 'add c', 'update a', 'delete default/b object']);
    expect(pods.getIndexer().listKeys().sort()).toEqual(['default/a', 'default/c']);
    expect(reconciled.get('default/c')).toBe('Pending');
    expect(pods.lastSyncResourceVersion()).toBe('14');
    expect(pods.health().phase).toBe('watching');
    expect(server.requests[0]?.path).toBe('/api/v1/namespaces/default/pods');
    expect(server.requests[1]?.query.watch).toBe('true');

    stop.abort();
    await running;
    await factory.shutdown();
    // The server sees the client's disconnect a few I/O turns later (bounded by wall-clock time, not turns).
    const deadline = Date.now() + 10_000;
    while (server.openWatches > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(server.openWatches).toBe(0);
  });
});
