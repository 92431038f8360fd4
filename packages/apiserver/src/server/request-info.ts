/**
 * Parsing a resource request path (the apiserver's `RequestInfoFactory`): API prefix, group, version,
 * namespace, resource, name and subresource, and the verb from the method.
 */

/** The verbs of resource requests. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** A parsed resource request. */
export interface RequestInfo {
  group: string;
  version: string;
  /** `''` for cluster-scoped requests and all-namespace lists. */
  namespace: string;
  resource: string;
  /** `''` for collections. */
  name: string;
  /** `''`, `status`, `scale`, … */
  subresource: string;
  verb: Verb | undefined;
}

/** Subresources of a namespace object itself (`/api/v1/namespaces/<ns>/status`). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * Parses `path` (already split from the query), or `undefined` when it is not a resource path.
 * `watchParam` is the query's watch flag; `/watch/` paths force it.
 *
 * @example
 * parseRequestInfo('GET', '/api/v1/namespaces/default/pods/web', false);
 * // { group: '', version: 'v1', namespace: 'default', resource: 'pods', name: 'web', subresource: '', verb: 'get' }
 */
export function parseRequestInfo(method: string, path: string, watchParam: boolean): RequestInfo | undefined {
  const raw = path.split('/').slice(1);
  let parts: string[];
  try {
    parts = raw.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  let group = '';
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    version = parts[1] as string;
    parts = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    [group, version] = [parts[1] as string, parts[2] as string];
    parts = parts.slice(3);
  } else return undefined;
  let watch = watchParam;
  if (parts[0] === 'watch') {
    watch = true;
    parts = parts.slice(1);
  }
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1] as string;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
  }
  if (parts.length === 0 || parts.length > 3) return undefined;
  const [resource = '', name = '', subresource = ''] = parts;
  if (resource === 'namespaces') namespace = '';
  return { group, version, namespace, resource, name, subresource, verb: verbOf(method, name !== '', watch) };
}

function verbOf(method: string, named: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return named ? undefined : 'create';
    case 'PUT':
      return named ? 'update' : undefined;
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** The `watch` query flag: false only for `0` or `false` (any case), true for any other value. */
export function watchFlag(value: string | null): boolean {
  if (value === null) return false;
  const v = value.toLowerCase();
  return v !== '0' && v !== 'false';
}
