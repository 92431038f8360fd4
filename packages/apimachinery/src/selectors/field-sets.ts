/**
 * The field sets the API server exposes per kind for field selectors (each registry strategy's
 * `ToSelectableFields` plus the field-label conversions of `core/v1`, `apps/v1`, `batch/v1` and
 * `certificates/v1`). Kinds without their own conversion accept only `metadata.name` and
 * `metadata.namespace`.
 */
import type { KubeObject } from '../object.js';
import type { FieldSelector, Fields } from './fields.js';
import { goQuote } from './go-format.js';
import { SelectorError } from './selector-error.js';

// biome-ignore lint/suspicious/noExplicitAny: field readers walk arbitrary JSON shapes.
type Json = any;
type FieldReader = (obj: Json) => string;

/** How a kind's selectable fields are defined. */
interface KindFields {
  /** Whether objects carry `metadata.namespace` (and so the field set has it). */
  namespaced: boolean;
  /** Kind-specific fields: field path → reader. */
  fields: Readonly<Record<string, FieldReader>>;
  /** Whether the kind has its own field-label conversion ("field label not supported" on a miss). */
  custom: boolean;
  /** Legacy field names the conversion rewrites (old → new). */
  aliases?: Readonly<Record<string, string>>;
  /** Accepted by the conversion but not in `metadata`/`fields` (they read as `''`). */
  extra?: readonly string[];
  /** Set-only fields: in the field set but not accepted in selectors. */
  setOnly?: Readonly<Record<string, FieldReader>>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0');
const bool = (v: unknown): string => (v === true ? 'true' : 'false');

const POD_FIELDS: Record<string, FieldReader> = {
  'spec.nodeName': (o) => str(o.spec?.nodeName),
  'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
  'spec.schedulerName': (o) => str(o.spec?.schedulerName),
  'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
  'spec.hostNetwork': (o) => bool(o.spec?.hostNetwork),
  'status.phase': (o) => str(o.status?.phase),
  'status.podIP': (o) => str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
  'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
};

const EVENT_FIELDS: Record<string, FieldReader> = {
  'involvedObject.kind': (o) => str(o.involvedObject?.kind),
  'involvedObject.namespace': (o) => str(o.involvedObject?.namespace),
  'involvedObject.name': (o) => str(o.involvedObject?.name),
  'involvedObject.uid': (o) => str(o.involvedObject?.uid),
  'involvedObject.apiVersion': (o) => str(o.involvedObject?.apiVersion),
  'involvedObject.resourceVersion': (o) => str(o.involvedObject?.resourceVersion),
  'involvedObject.fieldPath': (o) => str(o.involvedObject?.fieldPath),
  reason: (o) => str(o.reason),
  reportingComponent: (o) => str(o.reportingComponent),
  source: (o) => str(o.source?.component) || str(o.reportingComponent),
  type: (o) => str(o.type),
};

const CUSTOM: Readonly<Record<string, KindFields>> = {
  Pod: {
    namespaced: true,
    custom: true,
    fields: POD_FIELDS,
    aliases: { 'spec.host': 'spec.nodeName' },
    // Accepted by the core/v1 conversion but absent from the pod's field set, so it matches as ''.
    extra: ['status.podIPs'],
  },
  Node: { namespaced: false, custom: true, fields: { 'spec.unschedulable': (o) => bool(o.spec?.unschedulable) } },
  Namespace: {
    namespaced: false,
    custom: true,
    fields: { 'status.phase': (o) => str(o.status?.phase) },
    setOnly: { name: (o) => str(o.metadata?.name) },
  },
  Secret: { namespaced: true, custom: true, fields: { type: (o) => str(o.type) } },
  Event: { namespaced: true, custom: true, fields: EVENT_FIELDS },
  ReplicationController: {
    namespaced: true,
    custom: true,
    fields: { 'status.replicas': (o) => int(o.status?.replicas) },
  },
  ReplicaSet: { namespaced: true, custom: true, fields: { 'status.replicas': (o) => int(o.status?.replicas) } },
  Job: { namespaced: true, custom: true, fields: { 'status.successful': (o) => int(o.status?.succeeded) } },
  Service: {
    namespaced: true,
    custom: true,
    fields: { 'spec.clusterIP': (o) => str(o.spec?.clusterIP), 'spec.type': (o) => str(o.spec?.type) },
  },
  CertificateSigningRequest: {
    namespaced: false,
    custom: true,
    fields: { 'spec.signerName': (o) => str(o.spec?.signerName) },
  },
};

/** Built-in cluster-scoped kinds: their field sets hold no `metadata.namespace`. */
const CLUSTER_SCOPED = new Set([
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ComponentStatus',
]);

const RESOURCE_TO_KIND: Readonly<Record<string, string>> = {
  pods: 'Pod',
  nodes: 'Node',
  namespaces: 'Namespace',
  secrets: 'Secret',
  events: 'Event',
  replicationcontrollers: 'ReplicationController',
  replicasets: 'ReplicaSet',
  jobs: 'Job',
  services: 'Service',
  certificatesigningrequests: 'CertificateSigningRequest',
};

/** Accepts a kind (`Pod`), its lowercase form (`pod`) or its resource (`pods`). */
function kindName(kind: string): string {
  const mapped = RESOURCE_TO_KIND[kind.toLowerCase()];
  if (mapped !== undefined) return mapped;
  const byLower = Object.keys(CUSTOM).find((k) => k.toLowerCase() === kind.toLowerCase());
  return byLower ?? kind;
}

function specFor(kind: string): KindFields {
  const name = kindName(kind);
  const spec = Object.hasOwn(CUSTOM, name) ? CUSTOM[name] : undefined;
  return spec ?? { namespaced: !CLUSTER_SCOPED.has(name), custom: false, fields: {} };
}

/**
 * The fields `kind` accepts in a field selector, in the API server's order: `metadata.name`, then
 * `metadata.namespace` (namespaced kinds and kinds without their own conversion), then the kind's own.
 *
 * @example
 * supportedFields('Node'); // ['metadata.name', 'spec.unschedulable']
 */
export function supportedFields(kind: string): readonly string[] {
  const spec = specFor(kind);
  const meta = spec.custom && !spec.namespaced ? ['metadata.name'] : ['metadata.name', 'metadata.namespace'];
  return [...meta, ...Object.keys(spec.fields), ...(spec.extra ?? [])];
}

/**
 * The field set of `obj` as the API server computes it for field selectors of `kind`: `metadata.name`,
 * `metadata.namespace` for namespaced kinds, and the kind's own fields (`spec.nodeName`, `status.phase`, …).
 * Never throws; a missing field reads as the empty string (booleans as `false`, counts as `0`).
 */
export function fieldSetFor(kind: string, obj: KubeObject): Record<string, string> {
  const spec = specFor(kind);
  const set: Record<string, string> = { 'metadata.name': str(obj?.metadata?.name) };
  if (spec.namespaced) set['metadata.namespace'] = str(obj?.metadata?.namespace);
  for (const [field, read] of Object.entries(spec.fields)) set[field] = read(obj ?? {});
  for (const [field, read] of Object.entries(spec.setOnly ?? {})) set[field] = read(obj ?? {});
  return set;
}

/**
 * Checks every field of `selector` against what `kind` supports, rewriting legacy names (`spec.host` →
 * `spec.nodeName` for pods), and returns the converted selector. Throws {@link SelectorError} (kind
 * `'UnsupportedField'`) with the API server's text: `field label not supported: <field>` for kinds with
 * their own conversion, `"<field>" is not a known field selector: only "metadata.name", "metadata.namespace"`
 * for the others.
 */
export function validateFieldSelector(kind: string, selector: FieldSelector): FieldSelector {
  const spec = specFor(kind);
  const allowed = new Set(supportedFields(kind));
  return selector.transform((field, value) => {
    const renamed = spec.aliases?.[field];
    if (renamed !== undefined) return [renamed, value];
    if (allowed.has(field)) return [field, value];
    const message = spec.custom
      ? `field label not supported: ${field}`
      : `${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
    throw new SelectorError(message, { kind: 'UnsupportedField', token: field, selector: selector.toString() });
  });
}

/**
 * A matcher for `kind`: whether `obj`'s field set satisfies `selector`. Computes the field set only when
 * the selector has terms.
 */
export function matchesFieldSelector(kind: string, selector: FieldSelector, obj: KubeObject): boolean {
  if (selector.empty()) return true;
  const fields: Fields = fieldSetFor(kind, obj);
  return selector.matches(fields);
}
