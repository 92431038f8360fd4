/**
 * `storageWithCacher` (the apiserver's `StorageWithCacher` decorator): a Cacher over a raw storage, started,
 * with the function that tears both down.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import type { AttrsFunc, Storage } from '@kubecache/storage';
import { Cacher, type CacherOptions, type CacherTrigger } from '../cacher/cacher.js';
import { createStorageBackend, type StorageBackendConfig } from './storage-backend.js';

/** What `storageWithCacher` caches. */
export interface StorageWithCacherOptions<T extends KubeObject> {
  /** Initial history capacity of the watch cache, in events. Default 100. */
  capacity?: number;
  /** The resource's key prefix, e.g. `/pods`. */
  resourcePrefix: string;
  /** Storage key of an object. Default `<prefix>/<namespace>/<name>`. */
  keyFunc?: (obj: T) => string;
  /** Labels and fields of an object. Default: labels, `metadata.name`, `metadata.namespace`. */
  getAttrs?: AttrsFunc<T>;
  /** Indexed triggers; the Cacher uses the first (kube allows one per resource). Default none. */
  triggers?: CacherTrigger<T>[];
  /** Any other Cacher option (clock, encoder, bookmark frequency…). */
  cacher?: Partial<Omit<CacherOptions<T>, 'storage' | 'resourcePrefix'>>;
}

/** The decorated storage: reads from `cacher`, writes to `storage`. */
export interface StorageWithCacher<T extends KubeObject> {
  readonly cacher: Cacher<T>;
  readonly storage: Storage<T>;
  /** Stops the Cacher and closes the storage if this call created it. */
  destroy(): Promise<void>;
}

/**
 * Wraps `source` (a storage, or a backend config to create one) in a started Cacher.
 *
 * @example
 * const { cacher, destroy } = await storageWithCacher({ type: 'memory' }, { resourcePrefix: '/pods' });
 * await cacher.waitUntilReady();
 * await destroy();
 */
export async function storageWithCacher<T extends KubeObject = KubeObject>(
  source: Storage<T> | StorageBackendConfig,
  options: StorageWithCacherOptions<T>,
): Promise<StorageWithCacher<T>> {
  const owned = isStorage(source) ? undefined : await createStorageBackend(source);
  const storage = owned ? (owned.storage as unknown as Storage<T>) : (source as Storage<T>);
  const trigger = options.triggers?.[0];
  const cacher = new Cacher<T>({
    ...options.cacher,
    storage,
    resourcePrefix: options.resourcePrefix,
    ...(options.keyFunc && { keyFunc: options.keyFunc }),
    ...(options.getAttrs && { getAttrs: options.getAttrs }),
    ...(trigger && { trigger }),
    ...(options.capacity !== undefined && { historyLowerBound: options.capacity }),
  });
  cacher.start();
  return {
    cacher,
    storage,
    destroy: async () => {
      await cacher.stop();
      await owned?.close();
    },
  };
}

function isStorage<T extends KubeObject>(source: Storage<T> | StorageBackendConfig): source is Storage<T> {
  return typeof (source as Storage<T>).getList === 'function';
}
