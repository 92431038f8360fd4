/**
 * `kubecache-zone-labeler`: the zone labeler on the embedded server (seeds nodes in three zones and pods,
 * waits until every pod carries its node's zone, moves a node to another zone, adds and deletes a pod,
 * waits again, prints a summary) or on a cluster with `--kubeconfig` until Ctrl-C.
 */
import type { ExampleDefinition } from './example-cli.js';
import { intFlag } from './lister-helpers.js';
import { syncInformers, until, untilAborted } from './scenario.js';
import { namespaceObject, nodeObject, podObject, seed } from './seed.js';
import { NODE_ZONE_LABEL, ZoneLabeler } from './zone-labeler.js';

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const NODES = 6;
const NS = 'shop';

/** The zone labeler command. */
export const zoneLabelerExample: ExampleDefinition = {
  name: 'zone-labeler',
  description: `Labels every scheduled pod topology.kubecache.io/zone=<its node's ${NODE_ZONE_LABEL} label>.`,
  details: [
    `Embedded: seeds ${NODES} nodes in ${ZONES.length} zones and --pods pods, waits until all are labelled, moves`,
    'node-1 to zone-c, adds and deletes a pod, waits until the labels follow, prints a summary and exits.',
    'Cluster: labels pods until Ctrl-C; needs get/list/watch/update on pods and get/list/watch on nodes.',
  ],
  flags: { pods: { value: '<n>', description: 'pods to seed on the embedded server (default 12)' } },
  validate: (flags) => void intFlag(flags.pods, 'pods', 12, 2, 10_000),
  async run(ctx) {
    const labeler = new ZoneLabeler({
      factory: ctx.factory,
      newRunner: ctx.newController,
      client: ctx.client,
      log: ctx.log,
      onError: (key, err) => ctx.report('reconcile')(new Error(`${key}: ${(err as Error).message}`, { cause: err })),
    });
    const n = intFlag(ctx.flags.pods, 'pods', 12, 2, 10_000);
    if (ctx.embedded) {
      const podRef = { version: 'v1', resource: 'pods', namespace: NS };
      await seed(ctx, `namespace ${NS}, ${NODES} nodes and ${n} pods`, [
        { ref: { version: 'v1', resource: 'namespaces' }, obj: namespaceObject(NS) },
        ...Array.from({ length: NODES }, (_, i) => ({
          ref: { version: 'v1', resource: 'nodes' },
          obj: nodeObject(`node-${i}`, ZONES[i % ZONES.length] ?? 'zone-a'),
        })),
        ...Array.from({ length: n }, (_, i) => ({ ref: podRef, obj: podObject(NS, `web-${i}`, `node-${i % NODES}`) })),
      ]);
    }
    await syncInformers(ctx, { pods: labeler.pods, nodes: labeler.nodes });
    const stop = new AbortController();
    const running = ctx.runControllers((signal) => labeler.run(signal), AbortSignal.any([ctx.signal, stop.signal]));
    if (!ctx.embedded) {
      await untilAborted(ctx.signal);
      await running;
      return `stopped: ${labeler.stats.labelled} labels written in ${labeler.stats.reconciles} reconciles`;
    }
    try {
      const caughtUp = () => labeler.unlabelled().length === 0;
      const left = () => `still wrong: ${labeler.unlabelled().join(', ')}`;
      await until('every pod labelled', caughtUp, ctx.signal, left);
      ctx.log(`all ${n} pods labelled; now node-1 moves to zone-c, web-${n} is created, web-0 deleted`);
      const nodeRef = { version: 'v1', resource: 'nodes' };
      await ctx.client.mergePatch(nodeRef, 'node-1', { metadata: { labels: { [NODE_ZONE_LABEL]: 'zone-c' } } });
      const podRef = { version: 'v1', resource: 'pods', namespace: NS };
      await ctx.client.create(podRef, podObject(NS, `web-${n}`, 'node-2'));
      await ctx.client.delete(podRef, 'web-0');
      await until(
        'labels to follow the churn',
        () => {
          const keys = labeler.pods.getIndexer().listKeys();
          return labeler.stats.zoneChanges === 1 && keys.includes(`${NS}/web-${n}`) && !keys.includes(`${NS}/web-0`);
        },
        ctx.signal,
        left,
      );
      await until('the new pod labelled', caughtUp, ctx.signal, left);
    } finally {
      stop.abort();
      await running;
    }
    const byZone = labeler.countByZone(ZONES);
    const zones = Object.entries(byZone)
      .map(([z, c]) => `${z} ${c}`)
      .join(', ');
    const { labelled, reconciles, conflicts } = labeler.stats;
    return `done: ${n} pods on ${NODES} nodes labelled (${zones}); ${labelled} labels written in ${reconciles} reconciles, ${conflicts} conflicts`;
  },
};
