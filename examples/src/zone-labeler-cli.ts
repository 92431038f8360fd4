#!/usr/bin/env node
/**
 * `kubecache-zone-labeler`: runs the zone labeler against the embedded storage (default; exits when done)
 * or, with `--kubeconfig <file>`, against a real cluster until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { runEmbeddedDemo } from './embedded-demo.js';

const USAGE = `usage: kubecache-zone-labeler [--kubeconfig <file>] [--pods <n>]
  (no flags)          label pods in the embedded storage, then exit
  --kubeconfig <file> label pods of a real cluster until Ctrl-C (needs get/list/watch/patch on pods)
  --pods <n>          pods to seed in the embedded storage (default 12)`;

async function runAgainstCluster(file: string): Promise<void> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { KubeListerWatcher } = await import('@kubecache/informers');
  const { clusterPodWriter } = await import('./writers.js');
  const { ZoneLabeler } = await import('./zone-labeler.js');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(file);
  const labeler = new ZoneLabeler({
    listerWatcher: new KubeListerWatcher({ kubeConfig, version: 'v1', resource: 'pods' }),
    writer: await clusterPodWriter(kubeConfig),
    log: console.log,
  });
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  console.log(`watching pods of ${kubeConfig.getCurrentCluster()?.server}; Ctrl-C stops`);
  await labeler.run(stop.signal);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { kubeconfig: { type: 'string' }, pods: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return console.log(USAGE);
  if (values.kubeconfig) return runAgainstCluster(values.kubeconfig);
  const pods = values.pods === undefined ? undefined : Number.parseInt(values.pods, 10);
  if (pods !== undefined && !(pods > 1)) throw new Error(`--pods must be a number above 1, got ${values.pods}`);
  await runEmbeddedDemo({ ...(pods !== undefined && { pods }) });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  console.error(USAGE);
  process.exitCode = 1;
});
