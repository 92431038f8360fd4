/** Test helpers shared by the lister tests. */
import { IndexedStore, metaNamespaceIndexFunc, NAMESPACE_INDEX } from '@kubecache/cache';

/**
 * A store holding `items` with the `namespace` index, as an informer's store has it.
 *
 * @example
 * const pods = new PodLister({ indexer: indexedStoreOf([pod]) });
 */
export function indexedStoreOf<T extends { metadata?: { namespace?: string } }>(items: readonly T[]): IndexedStore<T> {
  const store = new IndexedStore<T>({ indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });
  store.replace(items, '1');
  return store;
}
