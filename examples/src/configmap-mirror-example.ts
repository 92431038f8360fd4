/**
 * `kubecache-configmap-mirror`: on the embedded server, seeds a source namespace with ConfigMaps and three
 * target namespaces, waits until every copy exists, then changes a ConfigMap, deletes one, deletes a copy
 * by hand and labels a fourth namespace, and waits until the copies follow; with `--kubeconfig`, mirrors
 * until Ctrl-C.
 */
import { ConfigMapMirror, MIRROR_LABEL, TARGET_LABEL } from './configmap-mirror.js';
import type { ExampleDefinition } from './example-cli.js';
import { syncInformers, until, untilAborted } from './scenario.js';
import { namespaceObject, seed } from './seed.js';

const SOURCE = 'mirror-source';
const TEAMS = ['team-a', 'team-b', 'team-c'];

function configMap(name: string, data: Record<string, string>, mirrored = true) {
  const labels: Record<string, string> = mirrored ? { [MIRROR_LABEL]: 'true' } : {};
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: SOURCE, labels },
    data,
  };
}

/** The ConfigMap → Secret mirror command. */
export const configMapMirrorExample: ExampleDefinition = {
  name: 'configmap-mirror',
  description: `Copies ConfigMaps labelled ${MIRROR_LABEL}=true into Secrets of every namespace labelled ${TARGET_LABEL}=true.`,
  details: [
    `Embedded: seeds ${SOURCE} with 3 ConfigMaps (2 mirrored) and ${TEAMS.length} target namespaces, waits for the 6 copies,`,
    'then edits a ConfigMap, deletes one, deletes a copy by hand and labels a 4th namespace; waits until the copies follow.',
    `Cluster: mirrors from --source-namespace until Ctrl-C; needs list/watch on configmaps and namespaces and`,
    `get/list/watch/create/update/delete on secrets.`,
  ],
  flags: {
    'source-namespace': { value: '<ns>', description: `namespace whose ConfigMaps are mirrored (default ${SOURCE})` },
  },
  async run(ctx) {
    const source = typeof ctx.flags['source-namespace'] === 'string' ? ctx.flags['source-namespace'] : SOURCE;
    const mirror = new ConfigMapMirror({
      factory: ctx.factory,
      newRunner: ctx.newController,
      client: ctx.client,
      sourceNamespace: source,
      log: ctx.log,
      onError: (key, err) => ctx.report('reconcile')(new Error(`${key}: ${(err as Error).message}`, { cause: err })),
    });
    const nsRef = { version: 'v1', resource: 'namespaces' };
    const cmRef = { version: 'v1', resource: 'configmaps', namespace: SOURCE };
    if (ctx.embedded) {
      await seed(ctx, `namespace ${SOURCE} with 3 ConfigMaps and ${TEAMS.length + 1} namespaces`, [
        { ref: nsRef, obj: namespaceObject(SOURCE) },
        ...TEAMS.map((t) => ({ ref: nsRef, obj: namespaceObject(t, { [TARGET_LABEL]: 'true' }) })),
        { ref: nsRef, obj: namespaceObject('team-d') },
        { ref: cmRef, obj: configMap('app-config', { 'log.level': 'info', 'db.host': 'db.internal' }) },
        { ref: cmRef, obj: configMap('feature-flags', { 'new-checkout': 'false' }) },
        { ref: cmRef, obj: configMap('private', { note: 'not mirrored' }, false) },
      ]);
    }
    await syncInformers(ctx, { configmaps: mirror.configMaps, secrets: mirror.secrets, namespaces: mirror.namespaces });
    const stop = new AbortController();
    const running = ctx.runControllers((signal) => mirror.run(signal), AbortSignal.any([ctx.signal, stop.signal]));
    const summary = () =>
      `${mirror.stats.created} created, ${mirror.stats.updated} updated, ${mirror.stats.deleted} deleted in ${mirror.stats.reconciles} reconciles`;
    if (!ctx.embedded) {
      await untilAborted(ctx.signal);
      await running;
      return `stopped: secrets ${summary()}`;
    }
    try {
      const caughtUp = () => mirror.drift().length === 0 && mirror.secrets.getIndexer().listKeys().length > 0;
      const left = () => mirror.drift().join(', ');
      await until('the first copies', caughtUp, ctx.signal, left);
      ctx.log(`${mirror.secrets.getIndexer().listKeys().length} copies in ${mirror.targets().join(', ')}`);
      ctx.log(
        'now: app-config changes, feature-flags is deleted, team-b/app-config is deleted by hand, team-d is labelled',
      );
      await ctx.client.mergePatch(cmRef, 'app-config', { data: { 'log.level': 'debug' } });
      await ctx.client.delete(cmRef, 'feature-flags');
      await ctx.client.delete({ version: 'v1', resource: 'secrets', namespace: 'team-b' }, 'app-config');
      await ctx.client.mergePatch(nsRef, 'team-d', { metadata: { labels: { [TARGET_LABEL]: 'true' } } });
      await until(
        'the copies to follow',
        () => mirror.targets().length === 4 && mirror.secrets.getIndexer().listKeys().length === 4 && caughtUp(),
        ctx.signal,
        left,
      );
    } finally {
      stop.abort();
      await running;
    }
    const copies = mirror.secrets.getIndexer().listKeys().sort().join(', ');
    return `done: app-config mirrored to ${mirror.targets().length} namespaces (${copies}); secrets ${summary()}`;
  },
};
