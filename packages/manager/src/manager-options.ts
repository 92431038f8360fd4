/**
 * Options of the {@link Manager}, and the small types around it.
 */
import type { Clock } from '@kubecache/apimachinery';
import type { ListerWatcherFactory, SharedInformerFactoryOptions } from '@kubecache/informers';
import type { KubeConfig } from '@kubernetes/client-node';
import type { EventSink } from './event-recorder.js';
import type { LeaseLock } from './lease-lock.js';
import type { PromRegistry } from './prom-metrics.js';

/** Where the manager's log lines go. `console` satisfies it. */
export interface ManagerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Leader election settings (client-go's defaults). */
export interface ManagerLeaderElectionOptions {
  /** Name of the Lease; every replica of one operator uses the same. Required. */
  name: string;
  /** Namespace of the Lease. Default `'default'`. */
  namespace?: string;
  /** This replica's identity. Default `<hostname>_<random uuid>`. */
  identity?: string;
  /** Wait after the last observed renewal before taking over, ms. Default 15 000. */
  leaseDurationMs?: number;
  /** A leader stops when it could not renew for this long, ms. Default 10 000. */
  renewDeadlineMs?: number;
  /** Time between attempts, ms (contending candidates add up to 120 % jitter). Default 2 000. */
  retryPeriodMs?: number;
  /** Release the Lease on a clean shutdown so a successor need not wait. Default true. */
  releaseOnCancel?: boolean;
  /** The lock, instead of a Lease through `kubeConfig` (tests; other lock kinds). Default a {@link KubeLeaseLock}. */
  lock?: LeaseLock;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Options of {@link Manager}. */
export interface ManagerOptions {
  /**
   * Cluster and credentials, used for informers, Leases and Events. Required unless `listerWatcherFor`,
   * `leaderElection.lock` (when electing) and `eventSink` (when recording) are all given.
   */
  kubeConfig?: KubeConfig;
  /** Builds informers' ListerWatchers. Default a `KubeListerWatcher` over `kubeConfig`. */
  listerWatcherFor?: ListerWatcherFactory;
  /** Default namespace of informers. Default `''` (all). */
  namespace?: string;
  /** Default informer resync period, ms. Default 0 (none). */
  defaultResyncPeriodMs?: number;
  /** Passed to every informer (backoff, queue kind, …). Default none. */
  informerOptions?: SharedInformerFactoryOptions['informerOptions'];
  /** Port of `/metrics`; 0 picks a free port. Default: no metrics server. Needs prom-client. */
  metricsPort?: number;
  /**
   * Port of `/healthz` and `/readyz`; 0 picks a free port. Equal to `metricsPort` (0 included): one server for
   * all three paths. Default: no probe server.
   */
  healthPort?: number;
  /** Address the servers bind. Default `'127.0.0.1'`. */
  bindAddress?: string;
  /** A prom-client Registry to register the metrics into. Default one of the manager's own. */
  registry?: PromRegistry;
  /** Leader election; without it every replica runs the controllers. Default off. */
  leaderElection?: ManagerLeaderElectionOptions;
  /** `/readyz` fails while an informer's list/watch has been failing for longer than this, ms. Default 30 000. */
  readinessBackoffThresholdMs?: number;
  /** Time allowed for the whole shutdown (controllers, informers, Events, lease), ms. Default 30 000. */
  gracefulShutdownTimeoutMs?: number;
  /** Where Events go, instead of `core/v1` Events through `kubeConfig`. Default a {@link KubeEventSink}. */
  eventSink?: EventSink;
  /** Time source. Default the real clock. */
  clock?: Clock;
  /** Log lines (start, leadership, shutdown). Default `console`, prefixed `[kubecache manager]`. */
  logger?: ManagerLogger;
}

/** Something the manager runs: `run` until `signal` aborts. */
export interface Runnable {
  /** Name for log lines. */
  readonly name?: string;
  /** Run only while this replica leads (when leader election is on). Default true. */
  readonly needLeaderElection?: boolean;
  run(signal: AbortSignal): Promise<unknown>;
}

/** The addresses the manager's servers listen on (`http://127.0.0.1:port`). */
export interface ManagerAddresses {
  readonly metrics: string | undefined;
  readonly health: string | undefined;
}

/** This replica lost the lease: its controllers were stopped; restart the process to campaign again. */
export class LeaderElectionLostError extends Error {
  override readonly name = 'LeaderElectionLostError';
}

/** A shutdown step did not finish within `gracefulShutdownTimeoutMs`. */
export class ShutdownTimeoutError extends Error {
  override readonly name = 'ShutdownTimeoutError';
}
