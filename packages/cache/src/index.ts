// Public API of @kubecache/cache: an allow-list of named exports, grouped by concept.
// Add a new export to the group of its concept.

// --- objects, keys, clock, store contracts

export type { Clock, TimerHandle } from './clock.js';
export { RealClock, realClock } from './clock.js';
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
export type { KubeList, KubeObject, ListMeta, ObjectMeta, OwnerReference } from './object.js';
export { resourceVersionOf } from './object.js';
export type { Status, StatusCause, StatusDetails, StatusReason } from './status.js';
export {
  alreadyExistsError,
  badRequestError,
  conflictError,
  expiredError,
  failureStatus,
  internalError,
  isResourceExpired,
  isStatus,
  isStatusCode,
  notFoundError,
  StatusError,
  timeoutError,
  tooManyRequestsError,
} from './status.js';
export type { Indexer, Indexers, IndexFunc, ReflectorStore, Store } from './store.js';
export { metaNamespaceIndexFunc, NAMESPACE_INDEX } from './store.js';

// --- stores and queues (issue 2)

// queues (FIFO, DeltaFIFO, the in-order FIFO, Heap)
export type { Delta, DeltaFIFOOptions, Deltas, DeltaType } from './delta-fifo.js';
export { DeltaFIFO, newestDelta, oldestDelta } from './delta-fifo.js';
export type { FIFOOptions } from './fifo.js';
export { FIFO } from './fifo.js';
export type { HeapOptions } from './heap.js';
export { Heap, HeapClosedError, HeapKeyNotFoundError } from './heap.js';
export type { KeyListerGetter, PopProcessFunc, Queue } from './queue.js';
export { FIFOClosedError } from './queue.js';
export type { AtomicDelta, AtomicDeltaType, RealFIFODelta, RealFIFODeltas, RealFIFOOptions } from './real-fifo.js';
export { isRealFIFODelta, RealFIFO } from './real-fifo.js';
export { Ring } from './ring.js';

// stores

export type {
  ExpirationCacheOptions,
  ExpirationPolicy,
  TimestampedEntry,
  TTLPolicyOptions,
} from './expiration-cache.js';
export { ExpirationCache, TTLPolicy } from './expiration-cache.js';
export { deepFreeze } from './freeze.js';
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

// --- selectors (issue 5)
export { fieldSetFor, matchesFieldSelector, supportedFields, validateFieldSelector } from './selectors/field-sets.js';
export type { FieldOperator, FieldRequirement, Fields, FieldSelector, FieldTransform } from './selectors/fields.js';
export {
  escapeFieldValue,
  fieldSelectorEverything,
  fieldSelectorFromRequirements,
  fieldSelectorFromSet,
  fieldSelectorOneTermEqual,
  parseFieldSelector,
  unescapeFieldValue,
} from './selectors/fields.js';
export type { LabelOperator, Labels } from './selectors/label-requirement.js';
export { LabelRequirement, newLabelRequirement } from './selectors/label-requirement.js';
export type {
  LabelSelector,
  LabelSelectorObject,
  LabelSelectorRequirementObject,
} from './selectors/labels.js';
export {
  labelSelectorEverything,
  labelSelectorFromObject,
  labelSelectorFromRequirements,
  labelSelectorFromSet,
  labelSelectorNothing,
  parseLabelSelector,
} from './selectors/labels.js';
export type { SelectorErrorKind, SelectorErrorOptions } from './selectors/selector-error.js';
export { SelectorError } from './selectors/selector-error.js';
export { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './selectors/validation.js';

// --- list/watch, reflector, status errors (issue 3)
export type { BackoffManager, ExponentialBackoffOptions } from './backoff.js';
export { DEFAULT_BACKOFF, ExponentialBackoff } from './backoff.js';
export type { ListPagerOptions, PagedList } from './list-pager.js';
export { DEFAULT_PAGE_SIZE, ListPager } from './list-pager.js';
export type { ListerWatcher, ListOptions, ListResult, ResourceVersionMatch } from './list-watch.js';
export type { ReflectorOptions, WatchNext } from './reflector.js';
export { nextAfterWatch, Reflector } from './reflector.js';
export {
  isConnectionRefused,
  isExpiredError,
  isInternalError,
  isTooLargeResourceVersionError,
  isTooManyRequests,
  isWatchErrorRetriable,
  ReflectorStoreError,
  retryAfterMs,
  UnexpectedObjectError,
  VeryShortWatchError,
  WatchInactivityError,
  WatchTeardownError,
} from './reflector-errors.js';
export type { RetryWithDeadlineOptions } from './retry-with-deadline.js';
export { RetryWithDeadline } from './retry-with-deadline.js';
export type { WatchErrorEvent, WatchEvent, WatchEventType, WatchObjectEvent } from './watch.js';
export { INITIAL_EVENTS_END_ANNOTATION, isInitialEventsEndBookmark, isWatchEventType } from './watch.js';
export type { ResourceVersionMode, WatchEnd, WatchSessionOptions } from './watch-session.js';
export { WatchSession } from './watch-session.js';

// --- storage and cacher (issue 6)
export type { CacheWatcherOptions, StopOptions } from './cacher/cache-watcher.js';
export { CacheWatcher, nextBookmarkTime } from './cacher/cache-watcher.js';
export type {
  CacheFiller,
  CacherOptions,
  CacherStats,
  CacherTrigger,
  CacherWatchOptions,
  ListKind,
} from './cacher/cacher.js';
export type { CachedPage } from './cacher/cache-list.js';
export { defaultKeyFunc, listFromCache } from './cacher/cache-list.js';
export { Cacher } from './cacher/cacher.js';
export type { ReadyState } from './cacher/ready.js';
export { Ready } from './cacher/ready.js';
export { storageListerWatcher } from './cacher/storage-lister-watcher.js';
export type { TimeBudgetOptions } from './cacher/time-budget.js';
export { TimeBudget } from './cacher/time-budget.js';
export type { WatchCacheOptions } from './cacher/watch-cache.js';
export { StoreElement, WatchCache } from './cacher/watch-cache.js';
export type { CacheWatchEvent, EventEncoder } from './cacher/watch-cache-event.js';
export { jsonLineEncoder, WatchCacheEvent } from './cacher/watch-cache-event.js';
export type { WatchCacheHistoryOptions } from './cacher/watch-cache-history.js';
export { upperBoundForWindow, WatchCacheHistory } from './cacher/watch-cache-history.js';
export type { WatchCacheInterval } from './cacher/watch-cache-interval.js';
export { IntervalInvalidatedError } from './cacher/watch-cache-interval.js';
export type { ContinuePosition } from './storage/continue.js';
export { decodeContinue, encodeContinue } from './storage/continue.js';
export type { ErrorTarget, StorageErrorCode, StorageOperation } from './storage/errors.js';
export {
  CONTINUE_TOO_OLD_MESSAGE,
  continueExpiredError,
  isStorageError,
  isTooLargeResourceVersion,
  LIST_TOO_OLD_MESSAGE,
  StorageError,
  serverTimeoutError,
  toStatusError,
  tooLargeResourceVersionError,
  WATCH_TOO_OLD_MESSAGE,
} from './storage/errors.js';
export type {
  CreateOptions,
  DeleteOptions,
  GetOptions,
  GuaranteedUpdateOptions,
  Preconditions,
  ResponseMeta,
  Storage,
  StorageEvent,
  StorageList,
  StorageListOptions,
  UpdateFunc,
} from './storage/interfaces.js';
export { hasPathPrefix, prepareKey } from './storage/keys.js';
export type { MemoryStorageOptions } from './storage/memory-storage.js';
export { MemoryStorage } from './storage/memory-storage.js';
export type {
  AttrsFunc,
  FieldSelectorLike,
  LabelSelectorLike,
  ObjectAttrs,
  SelectionPredicate,
} from './storage/predicate.js';
export { defaultAttrs, exactFieldMatch, matchesAttrs, matchesObject, predicateEmpty } from './storage/predicate.js';
export type { SelectionParams } from './storage/selection.js';
export { attrsFor, selectionPredicate } from './storage/selection.js';
export { encodeForStorage, parseResourceVersion, withResourceVersion } from './storage/versioner.js';
