/**
 * Shared logic of the lister expansions: which objects of a namespace select a given pod (or ReplicaSet),
 * and the error client-go returns when none does.
 */

import type { LabelSelectorObject } from '@kubecache/apimachinery';
import {
  type LabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  SelectorError,
} from '@kubecache/apimachinery';

/** The object whose selectors are tested: a pod, or a ReplicaSet for deployments. */
export interface SelectedObject {
  metadata?: { name?: string; namespace?: string; labels?: Readonly<Record<string, string>> };
}

/**
 * No object selects the given one. client-go's expansions return this as an error (with its wording) so
 * callers can tell "none" from "some"; `kind` is what was searched for.
 */
export class NoMatchError extends Error {
  override readonly name = 'NoMatchError';
  constructor(
    message: string,
    /** What was searched for, e.g. `'ReplicaSet'`. */
    readonly kind: string,
  ) {
    super(message);
  }
}

/** A label set as Go's `%v` prints a map: `map[a:1 b:2]`, keys sorted. */
export function goMapString(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return `map[${keys.map((k) => `${k}:${labels![k]}`).join(' ')}]`;
}

/** Whether `obj` has at least one label. */
export function hasLabels(obj: SelectedObject): boolean {
  const labels = obj.metadata?.labels;
  return labels !== undefined && labels !== null && Object.keys(labels).length > 0;
}

/**
 * The selector of a `LabelSelector` object, or `undefined` when it is invalid or selects everything: a
 * controller with a nil, empty or broken selector must match nothing, not everything.
 */
export function controllerSelector(obj: LabelSelectorObject | null | undefined): LabelSelector | undefined {
  const sel = objectSelector(obj);
  return sel === undefined || sel.empty() ? undefined : sel;
}

/**
 * The selector of a `LabelSelector` object as `LabelSelectorAsSelector` gives it, or `undefined` when it is
 * nil or invalid. Unlike {@link controllerSelector}, an empty selector selects everything (what client-go's
 * `GetPodJobs` does: it has no `Empty()` guard).
 */
export function objectSelector(obj: LabelSelectorObject | null | undefined): LabelSelector | undefined {
  if (obj === undefined || obj === null) return undefined;
  try {
    return labelSelectorFromObject(obj);
  } catch (err) {
    if (err instanceof SelectorError) return undefined;
    throw err;
  }
}

/** The selector of a plain map selector (Services, ReplicationControllers); `undefined` when invalid. */
export function mapSelector(map: Readonly<Record<string, string>>): LabelSelector | undefined {
  try {
    return labelSelectorFromSet(map);
  } catch (err) {
    if (err instanceof SelectorError) return undefined;
    throw err;
  }
}

/**
 * The candidates (already limited to the target's namespace) whose selector matches the target's labels.
 * `selectorOf` returns `undefined` for a candidate that must be skipped.
 */
export function selecting<C>(
  candidates: readonly C[],
  target: SelectedObject,
  selectorOf: (candidate: C) => LabelSelector | undefined,
): C[] {
  const labels = target.metadata?.labels;
  const out: C[] = [];
  for (const c of candidates) {
    const sel = selectorOf(c);
    if (sel?.matches(labels)) out.push(c);
  }
  return out;
}

/** The "could not find … for pod …" error of client-go's expansions. */
export function notFoundFor(what: string, kind: string, target: SelectedObject, targetKind = 'pod'): NoMatchError {
  const m = target.metadata;
  return new NoMatchError(
    `could not find ${what} for ${targetKind} ${m?.name ?? ''} in namespace ${m?.namespace ?? ''} with labels: ${goMapString(m?.labels)}`,
    kind,
  );
}

/** The "no … found for pod … because it has no labels" error. */
export function noLabels(what: string, kind: string, target: SelectedObject, targetKind = 'pod'): NoMatchError {
  return new NoMatchError(
    `no ${what} found for ${targetKind} ${target.metadata?.name ?? ''} because it has no labels`,
    kind,
  );
}

/** Whether `obj`'s controller owner reference (the one with `controller: true`) has uid `uid`. */
export function isControlledBy(
  obj: { metadata?: { ownerReferences?: readonly { uid?: string; controller?: boolean }[] } },
  uid: string | undefined,
): boolean {
  if (uid === undefined || uid === '') return false;
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  return ref !== undefined && ref.uid === uid;
}

/** What a lister offers a selector search: the objects of one namespace (all of them for `''`). */
export interface NamespacedSource<C> {
  namespace(ns: string): { list(): C[] };
}

/** How an expansion searches for the objects selecting a target, and how it words a miss. */
export interface SelectorSearch<C> {
  /** What was searched for, as {@link NoMatchError.kind}, e.g. `'ReplicaSet'`. */
  kind: string;
  /** The noun of "could not find <noun> for pod …", e.g. `'ReplicaSet'`. */
  notFound: string;
  /** The noun of "no <noun> found for pod … because it has no labels"; omit to skip the label check. */
  noLabels?: string;
  /** The target's kind in messages. Default `'pod'`. */
  targetKind?: string;
  /**
   * Drop candidates whose namespace differs from the target's. Matters only for a target without a
   * namespace, whose namespace lister lists every namespace. Default `false`.
   */
  sameNamespaceOnly?: boolean;
  /** The candidate's selector; `undefined` means it selects nothing. */
  selectorOf(candidate: C): LabelSelector | undefined;
}

function namespaceOf(obj: unknown): string {
  const ns = (obj as SelectedObject | null)?.metadata?.namespace;
  return typeof ns === 'string' ? ns : '';
}

/**
 * The objects of the target's namespace whose selector matches its labels (the shape every client-go
 * `Get<Pod><Owners>` expansion shares). Throws {@link NoMatchError} when the target has no labels (if
 * `search.noLabels` is set) or when nothing matches.
 */
export function findSelecting<C>(source: NamespacedSource<C>, target: SelectedObject, search: SelectorSearch<C>): C[] {
  const targetKind = search.targetKind ?? 'pod';
  if (search.noLabels !== undefined && !hasLabels(target)) {
    throw noLabels(search.noLabels, search.kind, target, targetKind);
  }
  const ns = target.metadata?.namespace ?? '';
  let candidates = source.namespace(ns).list();
  if (search.sameNamespaceOnly === true && ns === '') candidates = candidates.filter((c) => namespaceOf(c) === ns);
  const found = selecting(candidates, target, search.selectorOf);
  if (found.length === 0) throw notFoundFor(search.notFound, search.kind, target, targetKind);
  return found;
}

/** An object whose `spec.selector` is a `LabelSelector` (the apps and batch workloads). */
export interface WithSpecSelector {
  spec?: { selector?: LabelSelectorObject | null };
}

/**
 * A {@link SelectorSearch} over workloads' `spec.selector`, worded `could not find <notFound> for …` and
 * `no <noLabels> found for …`. The selector is read with {@link controllerSelector} (nil, empty or invalid
 * matches nothing) unless `options.selectorOf` says otherwise.
 */
export function specSelectorSearch<C extends WithSpecSelector>(
  kind: string,
  notFound: string,
  noLabels: string,
  options: Partial<SelectorSearch<C>> = {},
): SelectorSearch<C> {
  return { kind, notFound, noLabels, selectorOf: (c) => controllerSelector(c.spec?.selector), ...options };
}
