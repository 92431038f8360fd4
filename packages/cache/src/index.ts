// Public API of @kubecache/cache: an allow-list of named exports, grouped by concept.
// Each group is owned by one part of the package; add exports in your own group.

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
// --- objects, keys, clock, store contracts
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

// --- selectors (issue 5)

// --- list/watch, reflector, status errors (issue 3)

// --- storage and cacher (issue 6)
