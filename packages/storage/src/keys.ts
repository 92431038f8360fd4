/**
 * Storage key preparation (`storage.PrepareKey`): refuse path tricks and empty keys before they reach the
 * backend, and give recursive (collection) keys their trailing slash.
 */
import { badRequestError } from '@kubecache/apimachinery';

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
