/**
 * The shape of the objects kubecache stores: plain JSON as the Kubernetes API serves it.
 *
 * Compatible with `@kubernetes/client-node`'s `KubernetesObject`; nothing here requires a class instance.
 * Fields are optional because bad input happens: code that needs a name or namespace goes through the key
 * helpers, which fail with a typed `KeyError` instead of crashing.
 */

/** Owner reference as in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * The subset of `metav1.ObjectMeta` kubecache reads, as it arrives on the wire; other fields pass through
 * untouched. Timestamps are RFC 3339 strings: a client-node model (whose timestamps are `Date`s) fits once
 * mapped with `Wire<T>` (`Wire<V1Pod>`). No index signature, so those mapped models are assignable to it.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: readonly OwnerReference[];
  finalizers?: readonly string[];
  managedFields?: readonly unknown[];
  selfLink?: string;
}

/** A Kubernetes object: `apiVersion`, `kind`, `metadata`, and whatever the kind adds. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** `metav1.ListMeta`. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  selfLink?: string;
}

/** A list as the API serves it (`PodList`, …). */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** The resource version of an object, or `''` when it has none. */
export function resourceVersionOf(obj: KubeObject): string {
  const rv = (obj as KubeObject | null | undefined)?.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}
