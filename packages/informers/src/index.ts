// Public API of @kubecache/informers: an allow-list of named exports.

// --- client-node ListerWatcher
export type { KubeListerWatcherOptions } from './kube-lister-watcher.js';
export { KubeListerWatcher, WatchIdleTimeoutError } from './kube-lister-watcher.js';
export type { RequestTimeouts, TimeoutPhase } from './http-transport.js';
export {
  agentsFor,
  ClusterAgents,
  DEFAULT_REQUEST_TIMEOUTS,
  RequestFailedError,
  RequestTimeoutError,
} from './http-transport.js';
export type { ListHead, ListStreamDecoderOptions } from './list-stream-decoder.js';
export { ListDecodeError, ListStreamDecoder } from './list-stream-decoder.js';
export type { WatchLineDecoderOptions } from './watch-line-decoder.js';
export { DEFAULT_MAX_WATCH_LINE_BYTES, WatchLineDecoder, WatchLineTooLongError } from './watch-line-decoder.js';

// --- shared informers and the controller runner
export type { ControllerOptions, DeltaQueue } from './controller.js';
export { Controller } from './controller.js';
export type {
  ControllerRunnerOptions,
  ReconcileMetricsProvider,
  ReconcileOutcome,
  ReconcileResult,
  Reconciler,
} from './controller-runner.js';
export { ControllerRunner, RequeueAfterError, TerminalError } from './controller-runner.js';
export type {
  InformerLease,
  InformerRequest,
  ListerWatcherFactory,
  SharedInformerFactoryOptions,
  SyncResult,
} from './factory.js';
export { InformerConflictError, InformerSyncError, SharedInformerFactory } from './factory.js';
export type { HandlerRegistration } from './handler-registration.js';
export type { FailFastPolicy, InformerHealth, InformerPhase } from './informer-health.js';
export { failFastOnAuthAndNotFound, isCertificateError } from './informer-health.js';
export { HandlerError } from './processor-listener.js';
export { SubscriberError } from './informer-events.js';
export { DEFAULT_STOP_TIMEOUT_MS, StopTimeoutError } from './stop-deadline.js';
export type { DeletedObject, HandlerResult, InformerEvent, ResourceEventHandler } from './resource-event-handler.js';
export { filteringHandler, toDeletedObject } from './resource-event-handler.js';
export type { ResourceTarget } from './resource-target.js';
export { MINIMUM_RESYNC_PERIOD_MS, resyncPeriodFor } from './resync-period.js';
export type { InformerQueueKind, SharedIndexInformerOptions } from './shared-informer.js';
export { InformerLifecycleError, SharedIndexInformer } from './shared-informer.js';
export type { SyncCheck, WaitForCacheSyncOptions } from './wait-for-cache-sync.js';
export { waitForCacheSync } from './wait-for-cache-sync.js';
