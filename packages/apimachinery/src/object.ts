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
 * The subset of `metav1.ObjectMeta` kubecache reads; other fields pass through untouched. No index
 * signature, so client-node's `V1ObjectMeta` (and so `V1Pod`, …) is assignable to it.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
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
  return obj.metadata?.resourceVersion ?? '';
}
