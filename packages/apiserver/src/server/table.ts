/**
 * The `meta.k8s.io/v1 Table` form kubectl asks for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`):
 * NAME, the kind's columns, AGE; rows carry `PartialObjectMetadata` (or the whole object with
 * `includeObject=Object`).
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { ageOf } from '../registry/human-duration.js';
import type { PrinterColumn, ResourceDefinition } from '../registry/resource-definition.js';

/** Whether the Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const p = part.replace(/\s+/g, '');
    return /(^|;)as=Table(;|$)/.test(p) && /(^|;)g=meta\.k8s\.io(;|$)/.test(p) && /(^|;)v=v1(beta1)?(;|$)/.test(p);
  });
}

/** Table rows' object form (`includeObject`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

function columnsOf(def: ResourceDefinition): PrinterColumn[] {
  return [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: 'Name must be unique within a namespace.',
      cell: (o) => o.metadata?.name ?? '',
    },
    ...(def.columns ?? []),
    {
      name: 'Age',
      type: 'string',
      description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
      cell: (o, now) => ageOf(o.metadata?.creationTimestamp, now),
    },
  ];
}

function rowOf(columns: PrinterColumn[], obj: KubeObject, now: number, include: IncludeObject) {
  const cells = columns.map((c) => {
    try {
      return c.cell(obj, now);
    } catch {
      return '';
    }
  });
  const object =
    include === 'Object'
      ? obj
      : include === 'Metadata'
        ? { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }
        : undefined;
  return object ? { cells, object } : { cells };
}

/** A Table of `objects` (one row each); `headers: false` leaves out the column definitions (watch events). */
export function toTable(
  def: ResourceDefinition,
  objects: readonly KubeObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  options: { include: IncludeObject; headers: boolean; now: number },
) {
  const columns = columnsOf(def);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: options.headers
      ? columns.map(({ name, type, format, description, priority }) => ({
          name,
          type,
          format: format ?? '',
          description: description ?? '',
          priority: priority ?? 0,
        }))
      : [],
    rows: objects.map((o) => rowOf(columns, o, options.now, options.include)),
  };
}

/** Parses `includeObject` (default Metadata). */
export function includeObjectOf(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}
