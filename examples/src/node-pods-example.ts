/**
 * `kubecache-node-pods`: a live table of pods per node. On the embedded server it seeds nodes and pods, then
 * schedules, starts, moves and deletes pods while the table follows, and exits with the final table; with
 * `--kubeconfig`, it shows the cluster's table until Ctrl-C. In a terminal the table is redrawn in place;
 * otherwise a snapshot is printed whenever it changed.
 */
import type { ExampleDefinition } from './example-cli.js';
import { NodePodsTable } from './node-pods-table.js';
import { syncInformers, until, untilAborted } from './scenario.js';
import { namespaceObject, nodeObject, podObject, seed } from './seed.js';

const NS = 'batch';

/** The pods-per-node table command. */
export const nodePodsExample: ExampleDefinition = {
  name: 'node-pods',
  description: 'A live table of pods per node, read from listers and a spec.nodeName index.',
  details: [
    'Embedded: seeds 3 nodes, 8 scheduled and 2 unscheduled pods, then schedules the 2, marks pods Running,',
    'adds a node, deletes a pod; the table follows each change; exits with the final table.',
    'Cluster: shows the live table until Ctrl-C; needs list/watch on nodes and pods.',
  ],
  async run(ctx) {
    const table = new NodePodsTable({ factory: ctx.factory });
    const podRef = { version: 'v1', resource: 'pods', namespace: NS };
    if (ctx.embedded) {
      await seed(ctx, '3 nodes and 10 pods', [
        { ref: { version: 'v1', resource: 'namespaces' }, obj: namespaceObject(NS) },
        ...['node-0', 'node-1', 'node-2'].map((n, i) => ({
          ref: { version: 'v1', resource: 'nodes' },
          obj: nodeObject(n, `zone-${'abc'[i]}`),
        })),
        ...Array.from({ length: 10 }, (_, i) => ({
          ref: podRef,
          obj: podObject(NS, `job-${i}`, i < 8 ? `node-${i % 3}` : ''),
        })),
      ]);
    }
    await syncInformers(ctx, { pods: table.pods, nodes: table.nodes });
    const stop = new AbortController();
    const draw = ctx.redraw ?? ((frame: string) => ctx.log(frame));
    // No controller here: with --leader-elect, the table is drawn only while this process leads.
    const drawing = ctx.runControllers(
      (signal) => table.live(draw, signal),
      AbortSignal.any([ctx.signal, stop.signal]),
    );
    if (!ctx.embedded) {
      await untilAborted(ctx.signal);
      await drawing;
      return `stopped: ${table.events} events shown`;
    }
    const step = async (what: string, action: () => Promise<unknown>, done: () => boolean) => {
      ctx.log(`now: ${what}`);
      await action();
      await until(what, done, ctx.signal, () => table.render());
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the table show it
    };
    const row = (node: string) => table.rows().find((r) => r.node === node);
    try {
      await step(
        'job-8 and job-9 are scheduled to node-2',
        async () => {
          for (const name of ['job-8', 'job-9']) {
            await ctx.client.mergePatch(podRef, name, { spec: { nodeName: 'node-2' } });
          }
        },
        () => row('(unscheduled)') === undefined && row('node-2')?.pods === 4,
      );
      await step(
        'the pods on node-0 start running',
        async () => {
          for (const name of ['job-0', 'job-3', 'job-6']) {
            const pod = await ctx.client.get(`/api/v1/namespaces/${NS}/pods/${name}`);
            await ctx.client.replace(podRef, { ...pod, status: { phase: 'Running' } }, 'status');
          }
        },
        () => row('node-0')?.running === 3,
      );
      await step(
        'node-3 joins and job-1 is deleted',
        async () => {
          await ctx.client.create({ version: 'v1', resource: 'nodes' }, nodeObject('node-3', 'zone-a'));
          await ctx.client.delete(podRef, 'job-1');
        },
        () => row('node-3')?.pods === 0 && row('node-1')?.pods === 2,
      );
    } finally {
      stop.abort();
      await drawing;
    }
    ctx.redraw?.(table.render()); // a terminal's last frame; elsewhere the loop printed it after the last step
    const rows = table.rows();
    const running = rows.reduce((a, r) => a + r.running, 0);
    return `done: ${rows.reduce((a, r) => a + r.pods, 0)} pods on ${rows.length} nodes, ${running} running; ${table.events} events shown`;
  },
};
