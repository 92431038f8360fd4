// Public API of @kubecache/storage (k8s.io/apiserver/pkg/storage): the Storage interface every backend
// implements, its errors, selection predicates, the versioner, and the in-memory backend.

// --- the interface
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
} from './interfaces.js';

// --- errors
export type { ErrorTarget, StorageErrorCode, StorageOperation } from './errors.js';
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
} from './errors.js';

// --- selection
export type {
  AttrsFunc,
  FieldSelectorLike,
  LabelSelectorLike,
  ObjectAttrs,
  SelectionPredicate,
} from './predicate.js';
export { defaultAttrs, matchesObject } from './predicate.js';
export type { SelectionParams } from './selection.js';
export { attrsFor, selectionPredicate } from './selection.js';

// --- resource versions
export { parseResourceVersion, withResourceVersion } from './versioner.js';

// --- the in-memory backend
export type { MemoryStorageOptions } from './memory-storage.js';
export { MemoryStorage } from './memory-storage.js';
