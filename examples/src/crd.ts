/**
 * Registering a CustomResourceDefinition through the API, as an operator's installer does: create it (an
 * existing one is fine), then wait until it is Established and its resource answers a LIST.
 */
import { isStatusCode, type KubeObject } from '@kubecache/apimachinery';
import type { ExampleContext } from './example-cli.js';
import { resourcePath } from './kube-client.js';

/** The API group of the examples' custom resources. */
export const EXAMPLES_GROUP = 'examples.kubecache.io';

/** What {@link crdObject} needs. */
export interface CrdSpec {
  kind: string;
  plural: string;
  /** Printer columns shown by `kubectl get`. Default none. */
  columns?: readonly { name: string; type: string; jsonPath: string }[];
}

/** A namespaced `examples.kubecache.io/v1` CRD with a status subresource and no schema checks. */
export function crdObject(spec: CrdSpec): KubeObject {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${spec.plural}.${EXAMPLES_GROUP}` },
    spec: {
      group: EXAMPLES_GROUP,
      scope: 'Namespaced',
      names: {
        kind: spec.kind,
        plural: spec.plural,
        singular: spec.kind.toLowerCase(),
        listKind: `${spec.kind}List`,
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          ...(spec.columns && { additionalPrinterColumns: spec.columns }),
        },
      ],
    },
  };
  return crd;
}

/** Creates the CRD unless it exists, and waits until its resource is served (at most 30 s). */
export async function ensureCrd(ctx: ExampleContext, spec: CrdSpec): Promise<void> {
  const crdRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
  try {
    await ctx.client.create(crdRef, crdObject(spec));
    ctx.log(`registered CRD ${spec.plural}.${EXAMPLES_GROUP}`);
  } catch (err) {
    if (!isStatusCode(err, 409)) throw err;
    ctx.log(`CRD ${spec.plural}.${EXAMPLES_GROUP} already registered`);
  }
  const path = resourcePath({ group: EXAMPLES_GROUP, version: 'v1', resource: spec.plural });
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      await ctx.client.get(`${path}?limit=1`, ctx.signal);
      return;
    } catch (err) {
      ctx.signal.throwIfAborted();
      if (performance.now() > deadline)
        throw new Error(`${spec.plural}.${EXAMPLES_GROUP} is not served`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
