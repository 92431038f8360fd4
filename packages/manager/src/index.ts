// Public API of @kubecache/manager: an allow-list of named exports.

// --- the manager
export { Manager } from './manager.js';
export type {
  ManagerAddresses,
  ManagerLeaderElectionOptions,
  ManagerLogger,
  ManagerOptions,
  Runnable,
} from './manager-options.js';
export { LeaderElectionLostError, ShutdownTimeoutError } from './manager-options.js';

// --- metrics and probes
export type { PromMetricsOptions, PromRegistry } from './prom-metrics.js';
export { PromMetrics } from './prom-metrics.js';
export type { HealthCheck, HealthReport } from './health-checks.js';
export { HealthChecks } from './health-checks.js';

// --- leader election
export type { LeaderCallbacks, LeaderElectorOptions } from './leader-elector.js';
export { LEADER_ELECTION_JITTER, LeaderElectionConfigError, LeaderElector } from './leader-elector.js';
export type { LeaderElectionRecord, LeaseLock, VersionedRecord } from './lease-lock.js';
export { LeaseConflictError } from './lease-lock.js';

// --- events
export type {
  CoreEvent,
  Correlation,
  EventCorrelatorOptions,
  EventSpamFilterOptions,
  ObjectReference,
} from './event-correlator.js';
export { EventCorrelator, EventSpamFilter } from './event-correlator.js';
export type { EventRecorderOptions, EventSink, EventType } from './event-recorder.js';
export { EventRecorder } from './event-recorder.js';

// --- client-node implementations
export type { KubeEventSinkOptions, KubeLeaseLockOptions, RequestObserver } from './kube-clients.js';
export { KubeEventSink, KubeLeaseLock } from './kube-clients.js';
