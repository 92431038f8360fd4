// Public API of @kubecache/apiserver (k8s.io/apiserver): the Cacher, the storage wiring, and the
// Kubernetes-compatible HTTP server with its test harness.

// --- the Cacher
export type {
  CacheFiller,
  CacherOptions,
  CacherStats,
  CacherTrigger,
  CacherWatchOptions,
  ListKind,
} from './cacher/cacher.js';
export { Cacher } from './cacher/cacher.js';
export type { CacheWatcher, StopOptions } from './cacher/cache-watcher.js';
export type { ReadyState } from './cacher/ready.js';
export { storageListerWatcher } from './cacher/storage-lister-watcher.js';
export type { CacheWatchEvent, EventEncoder } from './cacher/watch-cache-event.js';
export { jsonLineEncoder } from './cacher/watch-cache-event.js';

// --- storage wiring
export type { StorageBackend, StorageBackendConfig, StorageBackendType } from './storage/storage-backend.js';
export { createStorageBackend, StorageConfigError } from './storage/storage-backend.js';
export type { StorageWithCacher, StorageWithCacherOptions } from './storage/storage-with-cacher.js';
export { storageWithCacher } from './storage/storage-with-cacher.js';

// --- resources
export { BUILTIN_RESOURCES, INITIAL_NAMESPACES } from './registry/builtin-resources.js';
export type { PrinterColumn, ResourceDefinition, ScalePaths } from './registry/resource-definition.js';
export type { ResourceRegistry, ResourceStore } from './registry/resource-registry.js';

// --- the HTTP server
export type { ApiServerOptions } from './server/api-server.js';
export { ApiServer } from './server/api-server.js';
export { readTokenFile } from './server/authn.js';
export type { ServingCertificate } from './server/self-signed.js';
export { generateServingCertificate } from './server/self-signed.js';

// --- in-process use
export type { KubeconfigTarget } from './testing/kubeconfig.js';
export { kubeconfigYaml } from './testing/kubeconfig.js';
export type { TestServer, TestServerOptions } from './testing/start-test-server.js';
export { startTestServer } from './testing/start-test-server.js';
