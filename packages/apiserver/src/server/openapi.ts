/**
 * A minimal OpenAPI v3 (`/openapi/v3`, `/openapi/v3/<api|apis/g>/<v>`): one PATCH operation per served
 * kind, tagged with `x-kubernetes-group-version-kind` and declaring the `fieldValidation` query parameter.
 * That is what kubectl reads to decide that the server validates fields itself, so it needs no schema
 * download; there are no object schemas (no `kubectl explain`, no client-side validation), and PATCH
 * declares no strategic-merge body, so kubectl computes apply patches from its compiled-in types.
 */
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from '../registry/resource-registry.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function groupVersions(registry: ResourceRegistry): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const s of registry.list()) seen.set(gvPath(s.def.group, s.def.version), [s.def.group, s.def.version]);
  return [...seen.values()];
}

/** The v3 root: a document URL per group version (the hash changes when the served kinds do). */
export function openApiRoot(registry: ResourceRegistry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [g, v] of groupVersions(registry)) {
    const hash = createHash('sha256')
      .update(JSON.stringify(openApiGroupVersion(registry, g, v)))
      .digest('hex')
      .slice(0, 32)
      .toUpperCase();
    paths[gvPath(g, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=${hash}` };
  }
  return { paths };
}

/** The document of one group version, or undefined when nothing is served there. */
export function openApiGroupVersion(registry: ResourceRegistry, group: string, version: string) {
  const stores = registry.list(group).filter((s) => s.def.version === version);
  if (stores.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const { def } of stores) {
    const base = `/${gvPath(group, version)}${def.namespaced ? '/namespaces/{namespace}' : ''}/${def.resource}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${def.kind}`,
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: def.kind },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-kubecache' },
    paths,
    components: { schemas: {} },
  };
}
