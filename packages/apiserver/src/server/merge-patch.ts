/**
 * JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the apiserver applies them to the stored
 * object. Failures are 422 (a failed `test`, a missing path) or 400 (a malformed patch).
 */
import { badRequestError, failureStatus, StatusError } from '@kubecache/apimachinery';
import type { Json } from './object-meta.js';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Applies a merge patch: objects merge key by key, `null` deletes, anything else replaces.
 *
 * @example
 * mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } }); // { a: 1, b: { d: 3 } }
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unprocessable(message: string): StatusError {
  return new StatusError(failureStatus(422, 'Invalid', message));
}

function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) {
    throw badRequestError(`invalid JSON pointer: ${JSON.stringify(path)}`);
  }
  return path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[]): { parent: Json; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isMap(cur) ? cur[t] : undefined;
    if (cur === undefined)
      throw unprocessable(
        `the server rejected our request due to an error in our request: missing path ${tokens.join('/')}`,
      );
  }
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function getAt(doc: Json, tokens: string[]): Json {
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens);
  const v = Array.isArray(parent) ? parent[Number(key)] : isMap(parent) ? parent[key] : undefined;
  if (v === undefined) throw unprocessable(`jsonpatch: value not found at /${tokens.join('/')}`);
  return v;
}

function index(arr: unknown[], key: string, insert: boolean): number {
  if (insert && key === '-') return arr.length;
  const i = Number(key);
  if (!/^(0|[1-9][0-9]*)$/.test(key) || i > arr.length || (!insert && i === arr.length)) {
    throw unprocessable(`jsonpatch: array index out of bounds: ${key}`);
  }
  return i;
}

function remove(doc: Json, tokens: string[]): Json {
  if (tokens.length === 0) throw unprocessable('jsonpatch: cannot remove the document root');
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) return parent.splice(index(parent, key, false), 1)[0];
  if (!isMap(parent) || !(key in parent))
    throw unprocessable(`jsonpatch remove operation does not apply: doc is missing path: /${tokens.join('/')}`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function add(doc: Json, tokens: string[], value: unknown, replace: boolean): Json {
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const i = index(parent, key, !replace);
    parent.splice(i, replace ? 1 : 0, structuredClone(value));
  } else if (isMap(parent)) {
    if (replace && !(key in parent))
      throw unprocessable(`jsonpatch replace operation does not apply: doc is missing key: /${tokens.join('/')}`);
    parent[key] = structuredClone(value);
  } else throw unprocessable(`jsonpatch: cannot add at /${tokens.join('/')}`);
  return doc;
}

/** Applies a JSON patch (a list of operations) to a copy of `doc`. */
export function jsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequestError('json patch must be a list of operations');
  let out: Json = structuredClone(doc);
  for (const op of patch) {
    if (!isMap(op)) throw badRequestError('json patch operations must be objects');
    const path = pointer(op.path);
    switch (op.op) {
      case 'add':
      case 'replace':
        if (!('value' in op)) throw badRequestError(`json patch ${op.op} needs a value`);
        out = add(out, path, op.value, op.op === 'replace');
        break;
      case 'remove':
        remove(out, path);
        break;
      case 'move':
      case 'copy': {
        const value = getAt(out, pointer(op.from));
        if (op.op === 'move') remove(out, pointer(op.from));
        out = add(out, path, value, false);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(out, path)) !== JSON.stringify(op.value)) {
          throw unprocessable(
            `the server rejected our request due to an error in our request: testing value ${op.path} failed`,
          );
        }
        break;
      default:
        throw badRequestError(`unexpected json patch operation ${JSON.stringify(op.op)}`);
    }
  }
  return out;
}
