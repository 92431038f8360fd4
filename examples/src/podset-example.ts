/**
 * `kubecache-podset`: registers the PodSet CRD through the API; on the embedded server creates two PodSets,
 * waits until each has its pods and its status, then scales one up and one down and deletes a pod by hand,
 * and waits until the controller has put everything right; with `--kubeconfig`, runs until Ctrl-C.
 */
import { ensureCrd } from './crd.js';
import type { ExampleContext, ExampleDefinition } from './example-cli.js';
import { PODSETS, PodSetController } from './podset-controller.js';
import { syncInformers, until, untilAborted } from './scenario.js';
import { seed } from './seed.js';

const NS = 'default';

function podSet(name: string, replicas: number) {
  return {
    apiVersion: 'examples.kubecache.io/v1',
    kind: 'PodSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
      },
    },
  };
}

function table(ctx: ExampleContext, c: PodSetController): void {
  ctx.log('  PODSET        DESIRED  PODS  STATUS.REPLICAS  OBSERVED-GEN/GEN');
  for (const ps of c.list()) {
    const cells = [
      (ps.metadata?.name ?? '').padEnd(12),
      String(ps.spec?.replicas ?? 1).padStart(7),
      String(c.podsOf(ps).length).padStart(5),
      String(ps.status?.replicas ?? '-').padStart(16),
      `${ps.status?.observedGeneration ?? '-'}/${ps.metadata?.generation ?? '-'}`.padStart(17),
    ];
    ctx.log(`  ${cells.join(' ')}`);
  }
}

/** The PodSet (ReplicaSet-like) controller command. */
export const podSetExample: ExampleDefinition = {
  name: 'podset',
  description: 'A ReplicaSet-like controller: keeps spec.replicas pods per PodSet (a CRD it registers).',
  details: [
    'Embedded: registers the CRD, creates PodSets web (3) and api (2), waits for their pods and status, scales web',
    'to 5 and api to 1, deletes a web pod by hand, waits until pods and status match again, prints a table.',
    'Cluster: registers the CRD if missing and runs until Ctrl-C; needs create on customresourcedefinitions,',
    'list/watch on podsets.examples.kubecache.io, update on podsets/status, list/watch/create/delete on pods.',
  ],
  async run(ctx) {
    await ensureCrd(ctx, {
      kind: 'PodSet',
      plural: 'podsets',
      columns: [
        { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
        { name: 'Current', type: 'integer', jsonPath: '.status.replicas' },
      ],
    });
    const c = new PodSetController({
      factory: ctx.factory,
      newRunner: ctx.newController,
      client: ctx.client,
      log: ctx.log,
      onError: (key, err) => ctx.report('reconcile')(new Error(`${key}: ${(err as Error).message}`, { cause: err })),
    });
    const ref = { ...PODSETS, namespace: NS };
    if (ctx.embedded) {
      await seed(ctx, 'PodSets web (3 replicas) and api (2)', [
        { ref, obj: podSet('web', 3) },
        { ref, obj: podSet('api', 2) },
      ]);
    }
    await syncInformers(ctx, { podsets: c.podSets, pods: c.pods });
    const stop = new AbortController();
    const running = ctx.runControllers((signal) => c.run(signal), AbortSignal.any([ctx.signal, stop.signal]));
    const counts = () => {
      const s = c.stats;
      return `${s.created} pods created, ${s.deleted} deleted, ${s.statusWrites} status writes, ${s.requeuedForExpectations} requeues waiting on expectations, ${s.reconciles} reconciles`;
    };
    if (!ctx.embedded) {
      await untilAborted(ctx.signal);
      await running;
      return `stopped: ${counts()}`;
    }
    try {
      const caughtUp = () => c.list().length === 2 && c.drift().length === 0;
      const left = () => c.drift().join('; ');
      await until('both PodSets to have their pods and status', caughtUp, ctx.signal, left);
      table(ctx, c);
      const victim = c.podsOf(c.list().find((ps) => ps.metadata?.name === 'web') ?? {})[0]?.metadata?.name ?? '';
      ctx.log(`now: web scales to 5, api to 1, and pod ${victim} is deleted by hand`);
      await ctx.client.mergePatch(ref, 'web', { spec: { replicas: 5 } });
      await ctx.client.mergePatch(ref, 'api', { spec: { replicas: 1 } });
      await ctx.client.delete({ version: 'v1', resource: 'pods', namespace: NS }, victim);
      const settled = () =>
        caughtUp() &&
        c.list().every((ps) => ps.metadata?.generation === 2) &&
        c.allPods() === 6 &&
        !c.pods.getIndexer().listKeys().includes(`${NS}/${victim}`);
      await until('the scaled PodSets to settle', settled, ctx.signal, left);
      table(ctx, c);
    } finally {
      stop.abort();
      await running;
    }
    return `done: web has 5 pods, api 1 (status written through /status); ${counts()}`;
  },
};
