/**
 * The seed's `NewNamespaceKeyedIndexerAndReflector`: the usual pairing of a store keyed `namespace/name` with
 * a namespace index, and the Reflector that fills it.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { metaNamespaceKeyFunc } from './keys.js';
import type { ListerWatcher } from './list-watch.js';
import { Reflector, type ReflectorOptions } from './reflector.js';
import { type Indexer, metaNamespaceIndexFunc, NAMESPACE_INDEX } from './store.js';
import { IndexedStore } from './thread-safe-store.js';

/** Options of {@link newNamespaceKeyedIndexerAndReflector}: the Reflector's, less its store. */
export type NamespaceKeyedOptions<T extends KubeObject> = Omit<ReflectorOptions<T>, 'listerWatcher' | 'store'>;

/**
 * An indexer keyed by `metaNamespaceKeyFunc` with the namespace index, and a Reflector from `lw` into it.
 *
 * @example
 * const { indexer, reflector } = newNamespaceKeyedIndexerAndReflector(lw, { expectedKind: 'Pod' });
 * void reflector.run(signal);
 * indexer.byIndex(NAMESPACE_INDEX, 'default');
 */
export function newNamespaceKeyedIndexerAndReflector<T extends KubeObject>(
  lw: ListerWatcher<T>,
  options: NamespaceKeyedOptions<T> = {},
): { indexer: Indexer<T>; reflector: Reflector<T> } {
  const indexer = new IndexedStore<T>({
    keyFunc: metaNamespaceKeyFunc,
    indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc },
  });
  const reflector = new Reflector<T>({ ...options, listerWatcher: lw, store: indexer });
  return { indexer, reflector };
}
