/**
 * Storage key preparation (`storage.PrepareKey`): refuse path tricks and empty keys before they reach the
 * backend, and give recursive (collection) keys their trailing slash.
 */
import { badRequestError, type KubeObject } from '@kubecache/apimachinery';

/**
 * Validates `key` and returns the key the backend uses: with a trailing `/` when `recursive`.
 *
 * Throws a 400 `StatusError`: `invalid key: "…"` for `.`/`..` segments or a key outside `resourcePrefix`,
 * `empty key: "…"` for `''` or `/`.
 *
 * @example
 * prepareKey('/pods/ns', true, '/pods'); // '/pods/ns/'
 * prepareKey('/pods/../secrets', false);  // throws 400
 */
export function prepareKey(key: string, recursive: boolean, resourcePrefix = ''): string {
  const segments = key.split('/');
  if (segments.some((s) => s === '..' || s === '.')) throw badRequestError(`invalid key: "${key}"`);
  if (key === '' || key === '/') throw badRequestError(`empty key: "${key}"`);
  const prepared = recursive && !key.endsWith('/') ? `${key}/` : key;
  if (
    resourcePrefix !== '' &&
    !(prepared + (prepared.endsWith('/') ? '' : '/')).startsWith(withSlash(resourcePrefix))
  ) {
    throw badRequestError(`invalid key: "${key}" lacks resource prefix: "${resourcePrefix}"`);
  }
  return prepared;
}

function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}

/**
 * Whether `key` is `prefix` or lies below it at a `/` boundary (the cache's `HasPathPrefix`).
 *
 * @example
 * hasPathPrefix('/pods/ns/a', '/pods/ns'); // true
 * hasPathPrefix('/pods/ns2/a', '/pods/ns'); // false
 */
export function hasPathPrefix(key: string, prefix: string): boolean {
  if (!key.startsWith(prefix)) return false;
  return key.length === prefix.length || prefix.endsWith('/') || key.charCodeAt(prefix.length) === 47;
}

/**
 * Refuses (400) an object whose name or namespace contradicts its key `…/<namespace>/<name>`: the Cacher
 * and every watcher key objects by their metadata, so a mismatch would leave a ghost under the old key.
 * @internal
 */
export function checkObjectMatchesKey(key: string, obj: KubeObject): void {
  const segments = key.split('/');
  const name = obj.metadata?.name;
  const last = segments.at(-1) ?? '';
  if (name && name !== last) {
    throw badRequestError(`the name of the object (${name}) does not match the name on the key (${last})`);
  }
  const ns = obj.metadata?.namespace;
  const parent = segments.at(-2) ?? '';
  if (ns && ns !== parent) {
    throw badRequestError(`the namespace of the object (${ns}) does not match the namespace on the key (${parent})`);
  }
}
