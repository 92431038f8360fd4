/**
 * `kubecache-crontab`: registers the CronTab CRD through the API; on the embedded server creates three
 * CronTabs (every 2 s, nightly, and an invalid one), waits until each reports its status and the frequent one
 * has run twice, fixes the invalid one and waits until it reports valid; with `--kubeconfig`, runs until Ctrl-C.
 */
import { ensureCrd } from './crd.js';
import { CRONTABS, CronTabController } from './crontab-controller.js';
import type { ExampleContext, ExampleDefinition } from './example-cli.js';
import { syncInformers, until, untilAborted } from './scenario.js';
import { seed } from './seed.js';

const NS = 'default';

function cronTab(name: string, cronSpec: string) {
  return {
    apiVersion: 'examples.kubecache.io/v1',
    kind: 'CronTab',
    metadata: { name, namespace: NS },
    spec: { cronSpec, image: 'registry.k8s.io/pause:3.10' },
  };
}

function table(ctx: ExampleContext, c: CronTabController): void {
  ctx.log('  CRONTAB     SCHEDULE         VALID  RUNS  NEXT                      MESSAGE');
  for (const ct of c.list()) {
    const s = ct.status;
    const cells = [
      (ct.metadata?.name ?? '').padEnd(11),
      (ct.spec?.cronSpec ?? '').padEnd(16),
      String(s?.valid ?? '-').padEnd(6),
      String(s?.runs ?? 0).padStart(4),
      (s?.nextScheduleTime ?? '-').padEnd(25),
      s?.message ?? '',
    ];
    ctx.log(`  ${cells.join(' ')}`.trimEnd());
  }
}

/** The CronTab command. */
export const cronTabExample: ExampleDefinition = {
  name: 'crontab',
  description: 'A status-reporting reconciler for a CronTab custom resource (a CRD it registers through the API).',
  details: [
    'Embedded: registers the CRD, creates CronTabs heartbeat (*/2 * * * * *), nightly (0 3 * * *) and broken',
    '(61 * * * *), waits for their status and two heartbeat runs, fixes broken, waits until it is valid.',
    'Cluster: registers the CRD if missing and reports status until Ctrl-C; needs create on',
    'customresourcedefinitions, list/watch on crontabs.examples.kubecache.io and update on crontabs/status.',
  ],
  async run(ctx) {
    await ensureCrd(ctx, {
      kind: 'CronTab',
      plural: 'crontabs',
      columns: [
        { name: 'Schedule', type: 'string', jsonPath: '.spec.cronSpec' },
        { name: 'Valid', type: 'boolean', jsonPath: '.status.valid' },
        { name: 'Runs', type: 'integer', jsonPath: '.status.runs' },
      ],
    });
    const c = new CronTabController({
      factory: ctx.factory,
      newRunner: ctx.newController,
      client: ctx.client,
      log: ctx.log,
      onError: (key, err) => ctx.report('reconcile')(new Error(`${key}: ${(err as Error).message}`, { cause: err })),
    });
    const ref = { ...CRONTABS, namespace: NS };
    if (ctx.embedded) {
      await seed(ctx, 'CronTabs heartbeat, nightly and broken', [
        { ref, obj: cronTab('heartbeat', '*/2 * * * * *') },
        { ref, obj: cronTab('nightly', '0 3 * * *') },
        { ref, obj: cronTab('broken', '61 * * * *') },
      ]);
    }
    await syncInformers(ctx, { crontabs: c.cronTabs });
    const stop = new AbortController();
    const running = ctx.runControllers((signal) => c.run(signal), AbortSignal.any([ctx.signal, stop.signal]));
    const counts = () =>
      `${c.stats.statusWrites} status writes, ${c.stats.runs} runs, ${c.stats.reconciles} reconciles`;
    if (!ctx.embedded) {
      await untilAborted(ctx.signal);
      await running;
      return `stopped: ${counts()}`;
    }
    const get = (name: string) => c.list().find((ct) => ct.metadata?.name === name);
    const observed = () =>
      c.list().length === 3 &&
      c
        .list()
        .every((ct) => ct.status?.observedGeneration === ct.metadata?.generation && ct.status?.valid !== undefined);
    try {
      await until(
        'every CronTab to report its status and heartbeat to run twice',
        () => observed() && (get('heartbeat')?.status?.runs ?? 0) >= 2,
        ctx.signal,
      );
      table(ctx, c);
      ctx.log('now: broken is fixed to */5 * * * *');
      await ctx.client.mergePatch(ref, 'broken', { spec: { cronSpec: '*/5 * * * *' } });
      await until('broken to report valid', () => observed() && get('broken')?.status?.valid === true, ctx.signal);
      table(ctx, c);
    } finally {
      stop.abort();
      await running;
    }
    return `done: 3 CronTabs valid, heartbeat ran ${get('heartbeat')?.status?.runs} times; ${counts()}`;
  },
};
