// Public API of @kubecache/cache (client-go's tools/cache): an allow-list of named exports, grouped by concept.
// Objects, Status errors, selectors and the clock live in @kubecache/apimachinery.

// --- keys and store contracts
export type { KeyFunc, ObjectName } from './keys.js';
export {
  DeletedFinalStateUnknown,
  deletionHandlingMetaNamespaceKeyFunc,
  ExplicitKey,
  KeyError,
  metaNamespaceKeyFunc,
  objectNameToString,
  parseObjectName,
  splitMetaNamespaceKey,
} from './keys.js';
export type {
  Indexer,
  Indexers,
  IndexFunc,
  ReadonlyIndexer,
  ReadonlyStore,
  ReflectorStore,
  Store,
} from './store.js';
export { metaNamespaceIndexFunc, NAMESPACE_INDEX, readonlyIndexer } from './store.js';

// --- queues: FIFO, DeltaFIFO, the in-order FIFO, Heap
export type { Delta, DeltaFIFOOptions, Deltas, DeltaType } from './delta-fifo.js';
export { DeltaCompressorError, DeltaFIFO, newestDelta, oldestDelta } from './delta-fifo.js';
export type { FIFOOptions } from './fifo.js';
export { FIFO } from './fifo.js';
export type { HeapOptions } from './heap.js';
export { Heap, HeapClosedError, HeapKeyNotFoundError } from './heap.js';
export type { KeyListerGetter, PopProcessFunc, Queue, SkippedObject } from './queue.js';
export { FIFOClosedError, SkippedObjectsError } from './queue.js';
export type { AtomicDelta, AtomicDeltaType, RealFIFODelta, RealFIFODeltas, RealFIFOOptions } from './real-fifo.js';
export { isRealFIFODelta, RealFIFO } from './real-fifo.js';

// --- stores
export type {
  ExpirationCacheOptions,
  ExpirationPolicy,
  TimestampedEntry,
  TTLPolicyOptions,
} from './expiration-cache.js';
export { ExpirationCache, TTLPolicy } from './expiration-cache.js';
export type { StoreOptions, StoreTransaction, TransactionType } from './thread-safe-store.js';
export {
  IndexError,
  IndexedStore,
  IndexerConflictError,
  TransactionError,
  TransformError,
} from './thread-safe-store.js';
export type { UndeltaStoreOptions } from './undelta-store.js';
export { UndeltaStore } from './undelta-store.js';

// --- list/watch and the Reflector
export type { BackoffManager, ExponentialBackoffOptions } from './backoff.js';
export { DEFAULT_BACKOFF, ExponentialBackoff, REFLECTOR_BACKOFF } from './backoff.js';
export type { ListPagerOptions, PagedList } from './list-pager.js';
export { DEFAULT_MAX_PAGES, DEFAULT_PAGE_SIZE, ListPager, ListPagingError } from './list-pager.js';
export type { ListerWatcher, ListResult } from './list-watch.js';
export type { NamespaceKeyedOptions } from './namespace-keyed.js';
export { newNamespaceKeyedIndexerAndReflector } from './namespace-keyed.js';
export type { GetFunc, PollerOptions, PollResult } from './poller.js';
export { newPoller, Poller } from './poller.js';
export type { ReflectorOptions, ReflectorStatus } from './reflector.js';
export { Reflector } from './reflector.js';
export {
  isConnectionRefused,
  isExpectedObject,
  isExpiredError,
  isInternalError,
  isTooLargeResourceVersionError,
  isTooManyRequests,
  isWatchErrorRetriable,
  ListTimeoutError,
  MissingResourceVersionError,
  ReflectorStoreError,
  DEFAULT_MAX_RETRY_AFTER_MS,
  retryAfterMs,
  UnexpectedObjectError,
  VeryShortWatchError,
  WatchInactivityError,
  WatchTeardownError,
} from './reflector-errors.js';
export type { RetryBudgetOptions } from './retry-budget.js';
export { RetryBudget } from './retry-budget.js';
export type { RetryWithDeadlineOptions } from './retry-with-deadline.js';
export { RetryWithDeadline } from './retry-with-deadline.js';
