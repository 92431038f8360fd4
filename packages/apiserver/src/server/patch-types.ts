/**
 * The PATCH content types and how each applies to a stored object: JSON merge patch, JSON patch, and
 * strategic merge patch (built-in kinds only, as kube-apiserver; 415 for custom resources). Server-side
 * apply (`application/apply-patch+yaml`) is not supported: 415.
 */
import { badRequestError } from '@kubecache/apimachinery';
import type { ResourceDefinition } from '../registry/resource-definition.js';
import { unsupportedMediaTypeError } from './errors.js';
import { jsonPatch, mergePatch } from './merge-patch.js';
import type { Json } from './object-meta.js';
import { strategicMerge } from './strategic-merge.js';

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

/** Applies `patch` to `current`. */
export type PatchFunc = (current: Json) => Json;

/** The patch function for a request's Content-Type and body (415 for an unsupported type, 400 for bad JSON). */
export function patchFunc(def: ResourceDefinition, contentType: string | undefined, body: Buffer): PatchFunc {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const supported = def.strategicMerge ? [JSON_PATCH, MERGE, STRATEGIC] : [JSON_PATCH, MERGE];
  if (!supported.includes(type)) throw unsupportedMediaTypeError(type, supported);
  let patch: unknown;
  try {
    patch = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequestError(`error decoding patch: ${(err as Error).message}`);
  }
  if (type === JSON_PATCH) return (current) => jsonPatch(current, patch);
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw badRequestError('the patch must be a JSON object');
  }
  if (type === MERGE) return (current) => mergePatch(current, patch);
  return (current) => strategicMerge(current, patch);
}
