// Public API of @kubecache/informers: an allow-list of named exports.

// --- client-node ListerWatcher (issue 3)
export type { KubeListerWatcherOptions } from './kube-lister-watcher.js';
export { KubeListerWatcher, statusErrorOf } from './kube-lister-watcher.js';
export { toEvent, WatchLineDecoder } from './watch-line-decoder.js';

// --- shared informers, workqueue, controller runner (issue 4)
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
export { SharedInformerFactory } from './factory.js';
export type { HandlerRegistration } from './handler-registration.js';
export type { FailFastPolicy, InformerHealth, InformerPhase } from './informer-health.js';
export { failFastOnAuthAndNotFound } from './informer-health.js';
export type { DeltaHandler, ProcessableDelta } from './process-deltas.js';
export { processDeltas } from './process-deltas.js';
export { HandlerError } from './processor-listener.js';
export type { DeletedObject, HandlerResult, InformerEvent, ResourceEventHandler } from './resource-event-handler.js';
export { filteringHandler, toDeletedObject } from './resource-event-handler.js';
export type { ResourceTarget } from './resource-target.js';
export { MINIMUM_RESYNC_PERIOD_MS, resyncPeriodFor } from './resync-period.js';
export type { InformerQueueKind, SharedIndexInformerOptions } from './shared-informer.js';
export { InformerLifecycleError, SharedIndexInformer } from './shared-informer.js';
export type { SyncCheck, WaitForCacheSyncOptions } from './wait-for-cache-sync.js';
export { waitForCacheSync } from './wait-for-cache-sync.js';
export type { DelayingQueueOptions } from './workqueue/delaying-queue.js';
export { DelayingQueue } from './workqueue/delaying-queue.js';
export type {
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  SettableGaugeMetric,
  WorkQueueMetricsProvider,
} from './workqueue/metrics.js';
export { noopWorkQueueMetricsProvider } from './workqueue/metrics.js';
export type { GetResult, WorkQueueOptions } from './workqueue/queue.js';
export { WorkQueue } from './workqueue/queue.js';
export type {
  BucketOptions,
  ItemExponentialOptions,
  ItemFastSlowOptions,
  RateLimiter,
} from './workqueue/rate-limiters.js';
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  defaultItemBasedRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WithMaxWaitRateLimiter,
} from './workqueue/rate-limiters.js';
export type { RateLimitingQueueOptions } from './workqueue/rate-limiting-queue.js';
export { RateLimitingQueue } from './workqueue/rate-limiting-queue.js';
