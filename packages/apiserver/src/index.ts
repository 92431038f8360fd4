// Public API of @kubecache/apiserver (k8s.io/apiserver): the Cacher and what configures it.

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
