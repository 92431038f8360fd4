/** The two places the example writes pods: the embedded storage and a real cluster. */
import type { KubeObject } from '@kubecache/apimachinery';
import { TerminalError } from '@kubecache/informers';
import type { Storage } from '@kubecache/storage';
import type { KubeConfig } from '@kubernetes/client-node';
import { produce } from 'immer';
import { type PodWriter, ZONE_LABEL } from './zone-labeler.js';

/**
 * Writes through the storage's optimistic-concurrency loop; the object the informer handed out is frozen,
 * so the new one is derived with immer's `produce`.
 */
export function storagePodWriter(storage: Storage<KubeObject>, resourcePrefix = '/pods'): PodWriter {
  return {
    async setZone(namespace, name, zone) {
      await storage.guaranteedUpdate(`${resourcePrefix}/${namespace}/${name}`, {
        tryUpdate: (current) => {
          if (!current) throw new TerminalError(`pod ${namespace}/${name} is gone`);
          return produce(current, (draft) => {
            draft.metadata ??= {};
            draft.metadata.labels = { ...draft.metadata.labels, [ZONE_LABEL]: zone };
          });
        },
      });
    },
  };
}

/** Writes with a JSON merge patch through client-node, so auth and TLS come from the kubeconfig. */
export async function clusterPodWriter(kubeConfig: KubeConfig): Promise<PodWriter> {
  const { KubernetesObjectApi, PatchStrategy } = await import('@kubernetes/client-node');
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  return {
    async setZone(namespace, name, zone) {
      const patch = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, labels: { [ZONE_LABEL]: zone } } };
      await client.patch(patch, undefined, undefined, 'kubecache-zone-labeler', undefined, PatchStrategy.MergePatch);
    },
  };
}
