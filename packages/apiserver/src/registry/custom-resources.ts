/**
 * CustomResourceDefinitions → served resources: each served version of an Established CRD becomes a
 * {@link ResourceDefinition} (scope, names, status and scale subresources, printer columns). Objects are
 * stored as sent: there is no schema validation, defaulting, pruning or version conversion.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { ageOf } from './human-duration.js';
import type { PrinterColumn, ResourceDefinition } from './resource-definition.js';

// biome-ignore lint/suspicious/noExplicitAny: CRDs are arbitrary JSON.
type Json = any;

/** Reads a simple JSONPath (`.spec.replicas`, `.status.conditions[0].type`). */
function readPath(obj: Json, path: string): unknown {
  const keys = path
    .replace(/^\{?\.?/, '')
    .replace(/\}$/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((k) => k !== undefined && k !== '');
  let cur = obj;
  for (const k of keys) {
    if (cur === undefined || cur === null) return undefined;
    cur = cur[k];
  }
  return cur;
}

function printerColumns(version: Json): PrinterColumn[] | undefined {
  const cols: Json[] = version.additionalPrinterColumns ?? [];
  if (cols.length === 0) return undefined;
  // AGE is always added last by the table writer; a CRD's own creationTimestamp column replaces it in kube,
  // here it is printed as an age as well.
  return cols
    .filter((c) => c.jsonPath !== '.metadata.creationTimestamp')
    .map((c) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
      cell: (o: KubeObject, now: number) => {
        const v = readPath(o, c.jsonPath);
        if (c.type === 'date') return ageOf(v, now);
        if (v === undefined || v === null) return c.type === 'integer' || c.type === 'number' ? null : '';
        return typeof v === 'object' ? JSON.stringify(v) : v;
      },
    }));
}

/** The resources a CRD serves (none when it is not Established or is being deleted). */
export function crdDefinitions(crd: KubeObject): ResourceDefinition[] {
  const c = crd as Json;
  const spec = c.spec ?? {};
  const established = (c.status?.conditions ?? []).some((x: Json) => x.type === 'Established' && x.status === 'True');
  if (!established || c.metadata?.deletionTimestamp) return [];
  const names = spec.names ?? {};
  return (spec.versions ?? [])
    .filter((v: Json) => v.served !== false)
    .map((v: Json): ResourceDefinition => {
      const scale = v.subresources?.scale;
      const columns = printerColumns(v);
      return {
        group: spec.group,
        version: v.name,
        resource: names.plural,
        singular: names.singular ?? String(names.kind).toLowerCase(),
        kind: names.kind,
        namespaced: spec.scope === 'Namespaced',
        ...(names.shortNames && { shortNames: names.shortNames }),
        ...(names.categories && { categories: names.categories }),
        status: v.subresources?.status !== undefined,
        ...(scale && {
          scale: {
            specReplicasPath: scale.specReplicasPath,
            statusReplicasPath: scale.statusReplicasPath,
            ...(scale.labelSelectorPath && { labelSelectorPath: scale.labelSelectorPath }),
          },
        }),
        ...(columns && { columns }),
        strategicMerge: false,
        crd: c.metadata.name,
      };
    });
}
