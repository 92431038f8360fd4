/**
 * What the server knows about one resource: its group, version, names, scope and subresources (the
 * apiserver's `APIResource` plus the strategy bits the handlers need).
 */
import type { KubeObject } from '@kubecache/apimachinery';

/** Where a scalable resource keeps its replica counts (a CRD's `subresources.scale`). */
export interface ScalePaths {
  /** Dotted path of the desired replicas, e.g. `.spec.replicas`. */
  specReplicasPath: string;
  /** Dotted path of the observed replicas, e.g. `.status.replicas`. */
  statusReplicasPath: string;
  /** Dotted path of the label selector string, if any. */
  labelSelectorPath?: string;
}

/** A printer column (`metav1.TableColumnDefinition`) with the function that fills its cell. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  /** 0: shown by default; 1: only with `-o wide`. */
  priority?: number;
  cell: (obj: KubeObject, now: number) => unknown;
}

/** One served resource. */
export interface ResourceDefinition {
  /** API group; `''` for core. */
  group: string;
  /** Served version, e.g. `v1`. */
  version: string;
  /** Plural, e.g. `pods`. */
  resource: string;
  /** Singular, e.g. `pod`. */
  singular: string;
  /** Kind, e.g. `Pod`. */
  kind: string;
  /** Whether objects live in a namespace. */
  namespaced: boolean;
  /** Short names for kubectl, e.g. `['po']`. */
  shortNames?: string[];
  /** Categories, e.g. `['all']`. */
  categories?: string[];
  /** Whether `/status` is served (and the main resource ignores status changes). */
  status?: boolean;
  /** Whether `/scale` is served, and where the replica counts live. */
  scale?: ScalePaths;
  /** Whether strategic merge patch is accepted (built-in kinds only). */
  strategicMerge?: boolean;
  /** Table columns after NAME; default AGE only. */
  columns?: PrinterColumn[];
  /** The indexed trigger field of the watch cache (pods: `spec.nodeName`). */
  triggerField?: string;
  /** Whether names are DNS labels (namespaces, services) rather than DNS subdomains. */
  dnsLabelNames?: boolean;
  /** Set for custom resources: the CRD's name. */
  crd?: string;
}

/** `group/version`, or `version` for core. */
export function groupVersion(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** The storage key prefix: `/<resource>` for built-ins, `/<group>/<resource>` for custom resources. */
export function resourcePrefix(def: ResourceDefinition): string {
  return def.crd ? `/${def.group}/${def.resource}` : `/${def.resource}`;
}

/** `resource.group` (or `resource` for core), as errors name it. */
export function qualifiedResource(def: Pick<ResourceDefinition, 'group' | 'resource'>): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}
