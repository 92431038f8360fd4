/**
 * Building a {@link SelectionPredicate} from the query strings of a request (`labelSelector`,
 * `fieldSelector`) with the selectors module: parse, check the fields the kind supports, and turn every
 * failure into the 400 BadRequest the apiserver sends.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import {
  badRequestError,
  fieldSetFor,
  parseFieldSelector,
  parseLabelSelector,
  validateFieldSelector,
} from '@kubecache/apimachinery';
import type { ObjectAttrs, SelectionPredicate } from './predicate.js';

/** The selector and paging parameters of a request. */
export interface SelectionParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/**
 * A predicate for objects of `kind` (e.g. `Pod`) from request parameters. Throws a 400 `StatusError` with
 * the parser's message for a malformed selector or a field `kind` does not support.
 *
 * @example
 * selectionPredicate('Pod', { fieldSelector: 'spec.nodeName=n1', labelSelector: 'app=web' });
 * selectionPredicate('Pod', { fieldSelector: 'spec.bogus=1' }); // throws 400
 */
export function selectionPredicate<T extends KubeObject>(kind: string, params: SelectionParams): SelectionPredicate<T> {
  try {
    const predicate: SelectionPredicate<T> = { getAttrs: attrsFor(kind) };
    if (params.labelSelector) predicate.label = parseLabelSelector(params.labelSelector);
    if (params.fieldSelector) predicate.field = validateFieldSelector(kind, parseFieldSelector(params.fieldSelector));
    if (params.limit !== undefined) predicate.limit = params.limit;
    if (params.continue !== undefined) predicate.continue = params.continue;
    return predicate;
  } catch (err) {
    const e = badRequestError((err as Error).message);
    Object.defineProperty(e, 'cause', { value: err });
    throw e;
  }
}

/** The attribute function the apiserver uses for `kind`: labels plus the kind's selectable fields. */
export function attrsFor(kind: string): (obj: KubeObject) => ObjectAttrs {
  return (obj) => ({ labels: obj.metadata?.labels ?? {}, fields: fieldSetFor(kind, obj) });
}
