/**
 * Resource versions on the server side (the apiserver's `APIObjectVersioner`): decimal strings of one
 * global revision. Only storage and the Cacher parse them; clients treat them as opaque.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { badRequestError } from '@kubecache/apimachinery';

/**
 * Parses a resource version: `''` and `'0'` give 0, a decimal number gives its value.
 *
 * Throws a 400 `StatusError` for anything else, with Go's wording
 * (`resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax`).
 *
 * @example
 * parseResourceVersion('42'); // 42
 * parseResourceVersion('');   // 0
 */
export function parseResourceVersion(resourceVersion: string | undefined): number {
  if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') return 0;
  if (!/^[0-9]+$/.test(resourceVersion)) throw invalidVersion(resourceVersion, 'invalid syntax');
  const value = Number(resourceVersion);
  if (!Number.isSafeInteger(value)) throw invalidVersion(resourceVersion, 'value out of range');
  return value;
}

function invalidVersion(rv: string, why: string) {
  return badRequestError(`resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": ${why}`);
}

/** The resource version of an object as a number (0 when unset). Throws 400 when unparsable. */
export function objectResourceVersion(obj: KubeObject): number {
  return parseResourceVersion(obj.metadata?.resourceVersion);
}

/**
 * A copy of `obj` whose `metadata.resourceVersion` is `rv` (removed when `rv` is 0). Shallow: only the
 * object and its metadata are new, the rest is shared.
 */
export function withResourceVersion<T extends KubeObject>(obj: T, rv: number): T {
  const metadata = { ...obj.metadata };
  if (rv > 0) metadata.resourceVersion = String(rv);
  else delete metadata.resourceVersion;
  return { ...obj, metadata };
}

/**
 * The bytes a write stores (`PrepareObjectForStorage`): the object as JSON without `resourceVersion` and
 * `selfLink`, so that equal content compares equal whatever version it was read at.
 */
export function encodeForStorage(obj: KubeObject): string {
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  delete metadata.selfLink;
  return JSON.stringify({ ...obj, metadata });
}
