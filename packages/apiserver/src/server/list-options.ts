/**
 * Query parameters of a list or watch (`metav1.ListOptions`) → storage list options, with the apiserver's
 * validation: 400 for unparsable values and selectors, 422 (kind `ListOptions`) for bad combinations.
 */
import {
  badRequestError,
  failureStatus,
  type KubeObject,
  type ResourceVersionMatch,
  StatusError,
} from '@kubecache/apimachinery';
import { type StorageListOptions, selectionPredicate } from '@kubecache/storage';

/** Parsed list/watch options. */
export interface ParsedListOptions {
  storage: StorageListOptions<KubeObject>;
  /** Watch length asked by the client, in seconds (0: server default). */
  timeoutSeconds: number;
}

function invalid(field: string, message: string): StatusError {
  return new StatusError(
    failureStatus(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, {
      group: 'meta.k8s.io',
      kind: 'ListOptions',
      causes: [{ reason: 'FieldValueForbidden', message, field }],
    }),
  );
}

function int(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?[0-9]+$/.test(raw))
    throw badRequestError(`invalid value for ${name}: ${JSON.stringify(raw)}: must be an integer`);
  return Number(raw);
}

function bool(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw === '' || raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw badRequestError(`invalid value for ${name}: ${JSON.stringify(raw)}: must be a boolean`);
}

/**
 * Reads the list options of a request for objects of `kind`. `named` is the object name of a
 * `/…/<name>?watch=1` request (it becomes a `metadata.name` field selector).
 */
export function parseListOptions(query: URLSearchParams, kind: string, watch: boolean, named = ''): ParsedListOptions {
  const rv = query.get('resourceVersion') ?? '';
  if (rv !== '' && !/^[0-9]+$/.test(rv)) throw badRequestError(`invalid resource version: ${JSON.stringify(rv)}`);
  const rvmRaw = query.get('resourceVersionMatch') ?? '';
  const cont = query.get('continue') ?? '';
  const limit = int(query, 'limit');
  const sendInitialEvents = bool(query, 'sendInitialEvents');
  if (rvmRaw && rvmRaw !== 'Exact' && rvmRaw !== 'NotOlderThan') {
    throw invalid('resourceVersionMatch', `Unsupported value: "${rvmRaw}": supported values: "Exact", "NotOlderThan"`);
  }
  const rvm = (rvmRaw || undefined) as ResourceVersionMatch | undefined;
  if (rvm && cont)
    throw invalid('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden when continue is provided');
  if (watch) {
    if (sendInitialEvents !== undefined && rvm !== 'NotOlderThan') {
      throw invalid(
        'resourceVersionMatch',
        `Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`,
      );
    }
    if (rvm && sendInitialEvents === undefined)
      throw invalid(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
      );
  } else {
    if (sendInitialEvents !== undefined)
      throw invalid('sendInitialEvents', 'Forbidden: sendInitialEvents is forbidden for list');
    if (rvm && rv === '')
      throw invalid(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    if (rvm === 'Exact' && rv === '0')
      throw invalid(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
  }
  let fieldSelector = query.get('fieldSelector') ?? '';
  if (named) {
    const sel = fieldSelector ? selectionPredicate(kind, { fieldSelector }) : undefined;
    const pinned = sel?.field?.requiresExactMatch('metadata.name');
    const value = Array.isArray(pinned)
      ? pinned[0]
      : typeof pinned === 'string'
        ? pinned
        : (pinned as { value?: string } | undefined)?.value;
    if (value && value !== named) throw badRequestError("fieldSelector metadata.name doesn't match requested name");
    fieldSelector = fieldSelector ? `${fieldSelector},metadata.name=${named}` : `metadata.name=${named}`;
  }
  const predicate = selectionPredicate<KubeObject>(kind, {
    labelSelector: query.get('labelSelector') ?? '',
    fieldSelector,
    ...(limit !== undefined && limit > 0 && { limit }),
    ...(cont && { continue: cont }),
  });
  return {
    storage: {
      resourceVersion: rv,
      ...(rvm && { resourceVersionMatch: rvm }),
      predicate,
      recursive: true,
      allowWatchBookmarks: bool(query, 'allowWatchBookmarks') ?? false,
      ...(sendInitialEvents !== undefined && { sendInitialEvents }),
    },
    timeoutSeconds: Math.max(0, int(query, 'timeoutSeconds') ?? 0),
  };
}
