// Public API of @kubecache/workqueue (client-go's util/workqueue): an allow-list of named exports.

export type { DelayingQueueOptions } from './delaying-queue.js';
export { DelayingQueue } from './delaying-queue.js';
export type {
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  SettableGaugeMetric,
  WorkQueueMetricsProvider,
} from './metrics.js';
export { noopWorkQueueMetricsProvider } from './metrics.js';
export type { GetResult, WorkQueueOptions } from './queue.js';
export { WorkQueue } from './queue.js';
export type {
  BucketOptions,
  ItemExponentialOptions,
  ItemFastSlowOptions,
  RateLimiter,
} from './rate-limiters.js';
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  defaultItemBasedRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WithMaxWaitRateLimiter,
} from './rate-limiters.js';
export type { RateLimitingQueueOptions } from './rate-limiting-queue.js';
export { RateLimitingQueue } from './rate-limiting-queue.js';
