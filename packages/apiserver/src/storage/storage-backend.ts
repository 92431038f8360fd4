/**
 * The storage factory (the apiserver's `storagebackend.Config` and `factory.Create`): turns a backend
 * config into a {@link Storage} shared by every resource. `memory` is the embedded default, `etcd3` is
 * served by the optional `@kubecache/etcd` package, `etcd2` is refused as kube-apiserver refuses it since 1.13.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import type { Storage } from '@kubecache/storage';
import { MemoryStorage } from '@kubecache/storage';

/** The storage backends kube-apiserver knows by name. */
export type StorageBackendType = 'memory' | 'etcd3' | 'etcd2';

/** A `storagebackend.Config`: which backend, and how to reach it. */
export interface StorageBackendConfig {
  /** Backend. Default `'memory'`. */
  type?: StorageBackendType;
  /** Key prefix in etcd. Default `'/registry'` (ignored by memory). */
  prefix?: string;
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`. Required for `etcd3`. */
  serverList?: string[];
  /** PEM file of the CA that signed etcd's serving certificate. Default: none (plain or system CAs). */
  caFile?: string;
  /** PEM client certificate for etcd. Default: none. */
  certFile?: string;
  /** PEM client key for etcd. Default: none. */
  keyFile?: string;
  /** How often etcd history is compacted, in ms. Default: the etcd package's default. */
  compactionIntervalMs?: number;
  /** Memory only: changes kept for watches and old reads, in events. Default 100 000. */
  historySize?: number;
}

/** A storage with the means to release it. */
export interface StorageBackend {
  /** One storage for all resources; keys are `/<resource>/<namespace>/<name>`. */
  readonly storage: Storage<KubeObject>;
  /** `'memory'` or `'etcd3'`. */
  readonly type: 'memory' | 'etcd3';
  /** Closes connections and timers. */
  close(): Promise<void>;
}

/** A storage config that cannot be served (etcd2, a missing etcd package, no servers). */
export class StorageConfigError extends Error {
  override readonly name = 'StorageConfigError';
}

interface EtcdModule {
  Etcd3Storage: new (options: {
    serverList: string[];
    prefix?: string;
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    compactionIntervalMs?: number;
  }) => Storage<KubeObject> & { close(): Promise<void> };
}

// A variable module name keeps TypeScript (and bundlers) from requiring the optional package.
const ETCD_PACKAGE = '@kubecache/etcd';

/**
 * Creates the storage `config` names.
 *
 * @example
 * const { storage, close } = await createStorageBackend({ type: 'memory' });
 * await storage.create('/configmaps/default/a', { metadata: { name: 'a', namespace: 'default' } });
 * await close();
 */
export async function createStorageBackend(config: StorageBackendConfig = {}): Promise<StorageBackend> {
  const type = config.type ?? 'memory';
  if (type === 'memory') {
    const storage = new MemoryStorage<KubeObject>({ historySize: config.historySize ?? 100_000 });
    return { storage, type, close: async () => storage.close() };
  }
  if (type === 'etcd2') {
    throw new StorageConfigError('storage type "etcd2" is no longer supported; use "etcd3" (or "memory")');
  }
  if (type !== 'etcd3') throw new StorageConfigError(`unknown storage type ${JSON.stringify(type)}`);
  if (!config.serverList?.length)
    throw new StorageConfigError('storage type "etcd3" needs serverList (--etcd-servers)');
  const storage = new (await loadEtcd()).Etcd3Storage({
    serverList: config.serverList,
    prefix: config.prefix ?? '/registry',
    ...(config.caFile && { caFile: config.caFile }),
    ...(config.certFile && { certFile: config.certFile }),
    ...(config.keyFile && { keyFile: config.keyFile }),
    ...(config.compactionIntervalMs !== undefined && { compactionIntervalMs: config.compactionIntervalMs }),
  });
  return { storage, type, close: () => storage.close() };
}

async function loadEtcd(): Promise<EtcdModule> {
  try {
    return (await import(ETCD_PACKAGE)) as EtcdModule;
  } catch (err) {
    throw new StorageConfigError(
      `storage type "etcd3" needs the ${ETCD_PACKAGE} package, which could not be loaded: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
