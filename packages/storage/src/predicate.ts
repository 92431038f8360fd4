/**
 * Selection predicates (the apiserver's `storage.SelectionPredicate`): a label selector, a field selector,
 * the function that computes an object's labels and fields, and the paging fields of a list.
 *
 * The selector shapes are structural, matching `parseLabelSelector`/`parseFieldSelector` of the selectors
 * module, so any implementation with these methods fits.
 */
import type { KubeObject } from '@kubecache/apimachinery';

/** A parsed label selector. */
export interface LabelSelectorLike {
  matches(labels: Readonly<Record<string, string>>): boolean;
  empty(): boolean;
  toString(): string;
}

/** A parsed field selector. `requiresExactMatch` returns the value when `field=value` is required. */
export interface FieldSelectorLike {
  matches(fields: Readonly<Record<string, string>>): boolean;
  empty(): boolean;
  requiresExactMatch(field: string): unknown;
  toString(): string;
}

/** An object's labels and fields, computed once and reused by every filter. */
export interface ObjectAttrs {
  readonly labels: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, string>>;
}

/** Computes {@link ObjectAttrs}; may throw for objects of the wrong shape (they then match nothing). */
export type AttrsFunc<T> = (obj: T) => ObjectAttrs;

/** A filter plus paging (`limit`, `continue`). */
export interface SelectionPredicate<T extends KubeObject = KubeObject> {
  /** Label selector; unset matches everything. */
  label?: LabelSelectorLike;
  /** Field selector; unset matches everything. */
  field?: FieldSelectorLike;
  /** Computes labels and fields. Default: `metadata.labels` and `metadata.name`/`metadata.namespace`. */
  getAttrs?: AttrsFunc<T>;
  /** Maximum items per page; 0 or unset means all. */
  limit?: number;
  /** Continue token of the previous page. */
  continue?: string;
}

/** The default attributes: labels, and the `metadata.name`/`metadata.namespace` fields. */
export function defaultAttrs(obj: KubeObject): ObjectAttrs {
  const meta = obj.metadata ?? {};
  const fields: Record<string, string> = { 'metadata.name': meta.name ?? '' };
  if (meta.namespace !== undefined) fields['metadata.namespace'] = meta.namespace;
  return { labels: meta.labels ?? {}, fields };
}

/** Whether the predicate filters nothing (no label or field requirement). */
export function predicateEmpty(p: SelectionPredicate<never> | undefined): boolean {
  return p === undefined || ((p.label?.empty() ?? true) && (p.field?.empty() ?? true));
}

/** Whether precomputed `attrs` satisfy the predicate's selectors. */
export function matchesAttrs(p: SelectionPredicate<never> | undefined, attrs: ObjectAttrs): boolean {
  if (p === undefined) return true;
  if (p.label && !p.label.empty() && !p.label.matches(attrs.labels)) return false;
  if (p.field && !p.field.empty() && !p.field.matches(attrs.fields)) return false;
  return true;
}

/** Whether `obj` satisfies the predicate; an object whose attributes cannot be computed matches nothing. */
export function matchesObject<T extends KubeObject>(p: SelectionPredicate<T> | undefined, obj: T): boolean {
  if (predicateEmpty(p)) return true;
  const attrs = safeAttrs(p?.getAttrs ?? defaultAttrs, obj);
  return attrs !== undefined && matchesAttrs(p, attrs);
}

/** Computes attributes, or `undefined` when the function throws. */
export function safeAttrs<T>(getAttrs: AttrsFunc<T>, obj: T): ObjectAttrs | undefined {
  try {
    return getAttrs(obj);
  } catch {
    return undefined;
  }
}

/** The value `field` must equal under the predicate's field selector, if it requires one. */
export function exactFieldMatch(p: SelectionPredicate<never> | undefined, field: string): string | undefined {
  const result = p?.field?.requiresExactMatch(field);
  if (typeof result === 'string') return result;
  if (Array.isArray(result)) return result[1] === false ? undefined : (result[0] as string);
  if (typeof result === 'object' && result !== null && 'value' in result) {
    const r = result as { value: string; found?: boolean };
    return r.found === false ? undefined : r.value;
  }
  return undefined;
}

/** The kind of change a filtered watcher sees. */
export type FilteredEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * The event a filtered watcher receives for a change, by whether the current and previous states pass
 * (the cache's and the etcd watcher's conversion): entering → ADDED, staying → MODIFIED, leaving → DELETED
 * (of the previous state), neither → nothing. A storage DELETED has no current state.
 */
export function convertFiltered(
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  currentPasses: boolean,
  previousPasses: boolean,
): FilteredEventType | undefined {
  if (type === 'DELETED') return previousPasses ? 'DELETED' : undefined;
  if (currentPasses) return previousPasses ? 'MODIFIED' : 'ADDED';
  return previousPasses ? 'DELETED' : undefined;
}
