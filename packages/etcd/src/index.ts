// Public API of @kubecache/etcd (the apiserver's storage/etcd3): the etcd v3 Storage backend.

export type { EtcdConnectionOptions } from './etcd3-client.js';
export { EtcdConfigError } from './etcd3-client.js';
export { ObjectTooLargeError } from './etcd3-codec.js';
export { COMPACT_REV_KEY } from './etcd3-compactor.js';
export type { Etcd3StorageOptions } from './etcd3-storage.js';
export { Etcd3Storage } from './etcd3-storage.js';
