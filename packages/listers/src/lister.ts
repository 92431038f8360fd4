/**
 * Generic listers (client-go `tools/cache/listers.go` and `listers/generic_helpers.go`): read-only views of
 * an indexer that list by label selector, per namespace or cluster-wide, and get by name.
 *
 * Objects handed out are the store's own (frozen) objects, never copies: cheap, and safe because the store
 * froze them. Derive changes with immer's `produce`.
 */

import { type LabelSelector, labelSelectorNothing, notFoundError, parseLabelSelector } from '@kubecache/apimachinery';
import { NAMESPACE_INDEX, type ReadonlyIndexer } from '@kubecache/cache';

/** The least a listed object must have: `metadata` with a namespace and labels, all optional. */
export interface ListedObject {
  metadata?: { name?: string; namespace?: string; labels?: Readonly<Record<string, string>> };
}

/** A label selector object, or its string form (parsed on each call; parse once for hot loops). */
export type SelectorInput = LabelSelector | string;

/** Reads one namespace. */
export interface NamespaceLister<T> {
  /** Objects of this namespace whose labels match `selector` (default: all), in no particular order. */
  list(selector?: SelectorInput): T[];
  /** The object `name` of this namespace; throws a 404 `StatusError` when there is none. */
  get(name: string): T;
}

/** Reads a cluster-scoped kind (nodes, namespaces, persistent volumes, …). */
export interface ClusterLister<T> {
  /** Objects whose labels match `selector` (default: all), in no particular order. */
  list(selector?: SelectorInput): T[];
  /** The object `name`; throws a 404 `StatusError` when there is none. */
  get(name: string): T;
}

/** Reads a namespaced kind across all namespaces or, through `namespace(ns)`, one of them. */
export interface Lister<T> extends ClusterLister<T> {
  /** A lister of namespace `ns`; `''` means all namespaces for `list`. */
  namespace(ns: string): NamespaceLister<T>;
}

/** Options of {@link GenericLister}. */
export interface ListerOptions<T> {
  /** The indexer to read. Give it a `namespace` index (`NAMESPACE_INDEX`) for fast namespaced lists. */
  indexer: ReadonlyIndexer<T>;
  /** API group of the resource, for NotFound errors: `''` for core, `'apps'`, `'batch'`, … Default `''`. */
  group?: string;
  /** Resource name (plural, lowercase) for NotFound errors, e.g. `'pods'`. Required. */
  resource: string;
}

function toSelector(selector: SelectorInput | undefined): LabelSelector | undefined {
  if (selector === undefined) return undefined;
  return typeof selector === 'string' ? parseLabelSelector(selector) : selector;
}

function labelsOf(obj: unknown): Readonly<Record<string, string>> | undefined {
  return (obj as ListedObject | null)?.metadata?.labels;
}

function namespaceOf(obj: unknown): string {
  const ns = (obj as ListedObject | null)?.metadata?.namespace;
  return typeof ns === 'string' ? ns : '';
}

/** Keeps the objects of `items` whose labels match; reads no labels for an everything selector. */
function filterByLabels<T>(items: T[], sel: LabelSelector | undefined): T[] {
  if (sel === undefined || sel.empty()) return items;
  const out: T[] = [];
  for (let i = 0; i < items.length; i++) {
    const obj = items[i]!;
    if (sel.matches(labelsOf(obj))) out.push(obj);
  }
  return out;
}

/**
 * Every object of `indexer` whose labels match `selector` (client-go `ListAll`): nothing for a
 * match-nothing selector, everything without reading labels for an empty one. Throws `SelectorError` for
 * a selector string that does not parse.
 */
export function listAll<T>(indexer: Pick<ReadonlyIndexer<T>, 'list'>, selector?: SelectorInput): T[] {
  const sel = toSelector(selector);
  if (sel === labelSelectorNothing()) return [];
  return filterByLabels(indexer.list(), sel);
}

/**
 * The objects of namespace `ns` whose labels match (client-go `ListAllByNamespace`). `ns === ''` lists all
 * namespaces. Uses the `namespace` index when the indexer has it — cost proportional to the namespace's
 * size — and otherwise scans every object.
 */
export function listAllByNamespace<T>(indexer: ReadonlyIndexer<T>, ns: string, selector?: SelectorInput): T[] {
  if (ns === '') return listAll(indexer, selector);
  const sel = toSelector(selector);
  if (sel === labelSelectorNothing()) return [];
  if (indexer.indexNames().includes(NAMESPACE_INDEX)) {
    return filterByLabels(indexer.byIndex(NAMESPACE_INDEX, ns), sel);
  }
  const out: T[] = [];
  for (const obj of indexer.list()) {
    if (namespaceOf(obj) === ns && (sel === undefined || sel.matches(labelsOf(obj)))) out.push(obj);
  }
  return out;
}

/**
 * The lister for any kind (client-go `GenericLister`). Cluster-scoped kinds use `list` and `get`;
 * namespaced kinds `namespace(ns).list/get`, and `get` with a `ns/name` key.
 *
 * @example
 * const pods = new GenericLister<Pod>({ indexer, resource: 'pods' });
 * pods.namespace('default').list('app=web');
 * pods.namespace('default').get('web-0'); // throws StatusError 404 when absent
 */
export class GenericLister<T> implements Lister<T> {
  readonly #indexer: ReadonlyIndexer<T>;
  readonly #group: string;
  readonly #resource: string;

  constructor(options: ListerOptions<T>) {
    this.#indexer = options.indexer;
    this.#group = options.group ?? '';
    this.#resource = options.resource;
  }

  list(selector?: SelectorInput): T[] {
    return listAll(this.#indexer, selector);
  }

  /** The object under store key `name` (`ns/name` for namespaced kinds); throws 404 when absent. */
  get(name: string): T {
    return this.#getByKey(name, name);
  }

  namespace(ns: string): NamespaceLister<T> {
    return {
      list: (selector?: SelectorInput) => listAllByNamespace(this.#indexer, ns, selector),
      get: (name: string) => this.#getByKey(ns === '' ? name : `${ns}/${name}`, name),
    };
  }

  #getByKey(key: string, name: string): T {
    const obj = this.#indexer.getByKey(key);
    if (obj === undefined) throw notFoundError(this.#group, this.#resource, name);
    return obj;
  }
}
