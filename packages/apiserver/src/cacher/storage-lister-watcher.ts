/**
 * Adapts a {@link Storage} to the Reflector's {@link ListerWatcher} (the apiserver's
 * `cacher/lister_watcher.go`): recursive lists and watches of the resource prefix, with storage progress
 * notifications so the cache RV follows the storage even when the resource is quiet.
 */

import type { KubeObject, ListOptions, WatchEvent } from '@kubecache/apimachinery';
import type { ListerWatcher, ListResult } from '@kubecache/cache';
import type { Storage } from '@kubecache/storage';
import type { Observable } from 'rxjs';

/**
 * A ListerWatcher over `storage` at `resourcePrefix`. Selectors in the options are ignored (the cache
 * holds everything); limit/continue and resource versions are passed through.
 *
 * @example
 * const lw = storageListerWatcher(storage, '/pods');
 * const page = await lw.list({ resourceVersion: '0' });
 */
export function storageListerWatcher<T extends KubeObject>(
  storage: Storage<T>,
  resourcePrefix: string,
): ListerWatcher<T> {
  return {
    async list(options: ListOptions): Promise<ListResult<T>> {
      const predicate = { limit: options.limit ?? 0, ...(options.continue ? { continue: options.continue } : {}) };
      const list = await storage.getList(resourcePrefix, {
        recursive: true,
        resourceVersion: options.continue ? '' : (options.resourceVersion ?? ''),
        ...(options.resourceVersionMatch &&
          !options.continue && { resourceVersionMatch: options.resourceVersionMatch }),
        predicate,
      });
      return { metadata: list.metadata, items: list.items };
    },
    watch(options: ListOptions): Observable<WatchEvent<T>> {
      return storage.watch(resourcePrefix, {
        recursive: true,
        resourceVersion: options.resourceVersion ?? '',
        allowWatchBookmarks: options.allowWatchBookmarks ?? false,
        progressNotify: true,
        ...(options.sendInitialEvents !== undefined && { sendInitialEvents: options.sendInitialEvents }),
      }) as Observable<WatchEvent<T>>;
    },
  };
}
