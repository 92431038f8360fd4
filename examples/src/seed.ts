/** Seeding objects on the embedded server over HTTP, with a progress line. */
import type { KubeObject } from '@kubecache/apimachinery';
import type { ExampleContext } from './example-cli.js';
import type { ResourceRef } from './kube-client.js';

/** A node named `name` in `zone` (the well-known `topology.kubernetes.io/zone` label). */
export function nodeObject(name: string, zone: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } } };
}

/** A pod `name` in `namespace` bound to `nodeName` (empty: unscheduled). */
export function podObject(namespace: string, name: string, nodeName: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name.replace(/-\d+$/, ''), ...labels } },
    spec: { ...(nodeName && { nodeName }), containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
  };
}

/** A namespace with `labels`. */
export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** Creates `objects` in order (each under `ref(obj)`), printing one progress line when done. */
export async function seed(
  ctx: ExampleContext,
  what: string,
  objects: readonly { ref: ResourceRef; obj: KubeObject }[],
): Promise<void> {
  const t0 = performance.now();
  let done = 0;
  const progress = setInterval(() => ctx.log(`  seeding ${what}: ${done}/${objects.length}`), 1000);
  try {
    for (const { ref, obj } of objects) {
      ctx.signal.throwIfAborted();
      await ctx.client.create(ref, obj, ctx.signal);
      done++;
    }
  } finally {
    clearInterval(progress);
  }
  ctx.log(`seeded ${what} in ${(performance.now() - t0).toFixed(0)} ms`);
}
