/** Small helpers over listers and keys shared by the examples. */
import { isStatusCode, type OwnerReference } from '@kubecache/apimachinery';
import { metaNamespaceKeyFunc } from '@kubecache/cache';

/** `lister.get(…)` that answers `undefined` for a 404 instead of throwing (other errors still throw). */
export function getOrUndefined<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch (err) {
    if (isStatusCode(err, 404)) return undefined;
    throw err;
  }
}

/** The `namespace/name` store key of a cached object. */
export function keyOf(obj: { readonly metadata?: { readonly name?: string; readonly namespace?: string } }): string {
  return metaNamespaceKeyFunc(obj);
}

/** The controller owner reference of `obj`, if any (client-go's `metav1.GetControllerOf`). */
export function controllerOf(obj: {
  readonly metadata?: { readonly ownerReferences?: readonly Readonly<OwnerReference>[] };
}): Readonly<OwnerReference> | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

/** A positive integer flag, or `fallback` when absent; throws `make(message)` for anything else. */
export function intFlag(
  value: string | boolean | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got ${value}`);
  return n;
}
