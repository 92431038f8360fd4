// @kubecache/chaos (private): seeded fault storms against a list/watch server in a separate process.
export type { ChaosRunOptions, ChaosRunResult, RetryPolicy } from './chaos-run.js';
export { runChaos } from './chaos-run.js';
export type { ChaosSuiteOptions, ChaosSummary } from './chaos-suite.js';
export { formatComparison, formatSummary, quantile, runChaosSuite, summarise } from './chaos-suite.js';
export { ChaosLane } from './chaos-lane.js';
export { FaultProxy } from './fault-proxy.js';
export type { ListWatchServerOptions, RequestCounts } from './list-watch-server.js';
export { ListWatchServer } from './list-watch-server.js';
export type { SeededRandom } from './seeded-random.js';
export { seededRandom } from './seeded-random.js';
export type { FaultKind, StormReport } from './storm.js';
export { FAULT_KINDS } from './storm.js';
