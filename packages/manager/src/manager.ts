/**
 * The controller manager (controller-runtime's `Manager`): owns the informer factory, the controllers and the
 * metrics/probe servers, and runs them in this order:
 *
 * ```
 *  start ─> servers listen ─> informers start ─> caches synced ─> (leader?) ─> controllers run
 *  abort ─> controllers drain ─> informers stop ─> Events flushed ─> lease released ─> servers close
 *  lease lost ─> controllers stop at once ─> the same shutdown, without the release ─> start() rejects
 * ```
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Clock, errorReporter, type KubeObject, realClock } from '@kubecache/apimachinery';
import {
  ClusterAgents,
  ControllerRunner,
  type ControllerRunnerOptions,
  type HandlerRegistration,
  type InformerRequest,
  KubeListerWatcher,
  type ListerWatcherFactory,
  type SharedIndexInformer,
  SharedInformerFactory,
} from '@kubecache/informers';
import { RateLimitingQueue } from '@kubecache/workqueue';
import { EventRecorder } from './event-recorder.js';
import { type HealthCheck, HealthChecks } from './health-checks.js';
import { InformerTracker } from './informer-tracker.js';
import { KubeEventSink, KubeLeaseLock } from './kube-clients.js';
import { LeaderElector } from './leader-elector.js';
import {
  LeaderElectionLostError,
  type ManagerAddresses,
  type ManagerLogger,
  type ManagerOptions,
  type Runnable,
  ShutdownTimeoutError,
} from './manager-options.js';
import { ManagerServer } from './manager-server.js';
import { PromMetrics } from './prom-metrics.js';
import { Shutdown } from './shutdown.js';

const prefixed = (logger: ManagerLogger | undefined): ManagerLogger => {
  if (logger) return logger;
  return {
    info: (m) => console.info(`[kubecache manager] ${m}`),
    warn: (m) => console.warn(`[kubecache manager] ${m}`),
    error: (m) => console.error(`[kubecache manager] ${m}`),
  };
};

/**
 * Runs an operator's informers and controllers with metrics, probes, leader election and Events.
 *
 * @example
 * const mgr = new Manager({ kubeConfig, metricsPort: 8080, healthPort: 8081,
 *   leaderElection: { name: 'zone-labeler', namespace: 'default' } });
 * const pods = mgr.informerFor({ version: 'v1', resource: 'pods' });
 * const ctrl = mgr.addController({ name: 'zone-labeler', reconcile: async (key) => { ... } });
 * pods.addEventHandler({ onAdd: (p) => ctrl.enqueue(`${p.metadata?.namespace}/${p.metadata?.name}`) });
 * await mgr.start(AbortSignal.timeout(60_000));
 */
export class Manager {
  readonly factory: SharedInformerFactory;
  /** The metrics, or undefined when prom-client is missing or no metrics port was asked for. */
  readonly metrics: PromMetrics | undefined;
  /** The leader elector, when leader election is on. */
  readonly elector: LeaderElector | undefined;
  readonly healthz = new HealthChecks('healthz');
  readonly readyz = new HealthChecks('readyz');
  readonly #o: ManagerOptions;
  readonly #clock: Clock;
  readonly #log: ManagerLogger;
  readonly #tracker: InformerTracker;
  readonly #runnables: Runnable[] = [];
  readonly #recorders: EventRecorder[] = [];
  readonly #servers: ManagerServer[] = [];
  /** Keep-alive connections of the default ListerWatchers, closed once the informers have stopped. */
  readonly #agents = new ClusterAgents();
  #addresses: Promise<ManagerAddresses> | undefined;
  #synced = false;
  #started = false;

  constructor(options: ManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#log = prefixed(options.logger);
    this.#tracker = new InformerTracker(this.#clock);
    if (options.metricsPort !== undefined) {
      const host = options.kubeConfig?.getCurrentCluster()?.server ?? '';
      this.metrics = PromMetrics.load({ registry: options.registry, host, logger: this.#log });
      this.#tracker.sink = this.metrics?.informers;
    }
    this.factory = new SharedInformerFactory({
      listerWatcherFor: this.#listerWatcherFor(),
      namespace: options.namespace,
      defaultResyncPeriodMs: options.defaultResyncPeriodMs,
      informerOptions: options.informerOptions,
      clock: this.#clock,
    });
    this.elector = options.leaderElection ? this.#newElector() : undefined;
    this.#addDefaultChecks();
  }

  /** The shared informer for `request` (see `SharedInformerFactory.informerFor`). */
  informerFor<T extends KubeObject = KubeObject>(request: InformerRequest<T>): SharedIndexInformer<T> {
    return this.factory.informerFor(request);
  }

  /**
   * A controller run by the manager: its queue and reconciles are measured, it starts once the caches have
   * synced (and, with leader election, only while this replica leads), and it drains on shutdown.
   */
  addController(options: ControllerRunnerOptions & { needLeaderElection?: boolean }): ControllerRunner {
    const runner = this.newController(options);
    const name = options.name ?? 'controller';
    this.add({ name, needLeaderElection: options.needLeaderElection, run: (signal) => runner.run(signal) });
    return runner;
  }

  /**
   * A controller measured like `addController`'s (workqueue and reconcile metrics) that the caller runs
   * itself, e.g. inside a runnable of its own or only while it leads.
   */
  newController(options: ControllerRunnerOptions): ControllerRunner {
    const name = options.name ?? 'controller';
    const queue =
      options.queue ??
      new RateLimitingQueue<string>({ name, clock: this.#clock, metricsProvider: this.metrics?.workqueue });
    return new ControllerRunner({
      clock: this.#clock,
      metricsProvider: this.metrics?.reconcile,
      ...options,
      name,
      queue,
    });
  }

  /** Adds a runnable; call before `start`. */
  add(runnable: Runnable): void {
    if (this.#started) throw new Error('manager: add runnables before start');
    this.#runnables.push(runnable);
  }

  /** Adds a `/healthz` check. */
  addHealthzCheck(check: HealthCheck): void {
    this.healthz.add(check);
  }

  /** Adds a `/readyz` check. */
  addReadyzCheck(check: HealthCheck): void {
    this.readyz.add(check);
  }

  /** Reports `informer_handler_backlog{handler=name}` for a handler registration. */
  trackHandler(name: string, registration: HandlerRegistration): void {
    this.metrics?.trackHandler(name, registration);
  }

  /** An Event recorder for `component`; the manager flushes and stops it on shutdown. */
  eventRecorderFor(component: string): EventRecorder {
    const sink =
      this.#o.eventSink ?? new KubeEventSink({ kubeConfig: this.#need('eventSink'), onRequest: this.#onRequest });
    const recorder = new EventRecorder({ sink, component, clock: this.#clock, host: hostname() });
    this.#recorders.push(recorder);
    return recorder;
  }

  /** Starts the servers (idempotent); resolves with their addresses. */
  listen(): Promise<ManagerAddresses> {
    this.#addresses ??= this.#listen();
    return this.#addresses;
  }

  /**
   * Closes what `listen()` opened and stops the informer factory, for a manager whose `start` will never run
   * (its owner failed before starting it). `start` closes everything itself; after `start`, abort its signal.
   */
  async close(): Promise<void> {
    if (this.#started) throw new Error('manager: close() is for a manager that was never started');
    this.#started = true;
    await this.factory.shutdown();
    this.#agents.destroy();
    await Promise.all(this.#servers.map((s) => s.close()));
  }

  /**
   * Runs everything until `signal` aborts, then shuts down in order within `gracefulShutdownTimeoutMs`.
   * Rejects with {@link LeaderElectionLostError} when the lease was lost, {@link ShutdownTimeoutError} when
   * shutdown overran, or a cache-sync failure (401/403/404 fail fast).
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('manager: start called twice');
    this.#started = true;
    const shutdown = new Shutdown(this.#clock, this.#o.gracefulShutdownTimeoutMs ?? 30_000, this.#log);
    const runs = new AbortController();
    const electorStop = new AbortController();
    const running: Promise<unknown>[] = [];
    let lost = false;
    let stopping = false;
    let syncError: unknown;
    const ended = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      runs.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await this.listen();
    this.factory.start();
    const synced = this.#waitForSync(signal).catch((err: unknown) => {
      syncError = err;
      runs.abort();
    });
    const launch = (list: Runnable[], s: AbortSignal): void => {
      for (const r of list) running.push(this.#runOne(r, s));
    };
    const [elected, always] = partition(
      this.#runnables,
      (r) => this.elector !== undefined && r.needLeaderElection !== false,
    );
    void synced.then(() => !runs.signal.aborted && launch(always, runs.signal));
    if (this.elector) {
      this.#onLeading = (leading) => {
        void synced.then(() => {
          if (!leading.aborted && !runs.signal.aborted) launch(elected, AbortSignal.any([leading, runs.signal]));
        });
      };
      this.#onLost = () => {
        if (stopping) return;
        lost = true;
        runs.abort();
      };
    }
    const electorRun = this.elector?.run(electorStop.signal);
    await ended;
    stopping = !lost;
    runs.abort();
    const drained = await shutdown.step('controllers drained', Promise.all(running));
    await shutdown.step('informers stopped', this.factory.shutdown());
    this.#agents.destroy();
    await shutdown.step('events flushed', Promise.all(this.#recorders.map((r) => r.flush(shutdown.signal))));
    for (const r of this.#recorders) r.stop();
    electorStop.abort();
    if (electorRun) await shutdown.step('leader election stopped', electorRun);
    if (this.elector && !lost && drained && this.#o.leaderElection?.releaseOnCancel !== false) {
      await shutdown.step('lease released', this.elector.release());
    } else if (this.elector && !drained) this.#log.warn('lease not released: controllers did not stop in time');
    await Promise.all(this.#servers.map((s) => s.close()));
    shutdown.dispose();
    if (syncError) throw syncError;
    if (lost)
      throw new LeaderElectionLostError(
        `leader election lost: ${this.#o.leaderElection?.name} (${this.elector?.identity})`,
      );
    if (shutdown.overran) throw new ShutdownTimeoutError(`shutdown overran: ${shutdown.overran}`);
  }

  #onLeading: (signal: AbortSignal) => void = () => {};
  #onLost: () => void = () => {};

  async #runOne(r: Runnable, signal: AbortSignal): Promise<void> {
    try {
      await r.run(signal);
    } catch (err) {
      this.#log.error(`runnable ${r.name ?? '?'} failed: ${String(err)}`);
    }
  }

  async #waitForSync(signal: AbortSignal): Promise<void> {
    await this.factory.waitForCacheSync(signal);
    if (signal.aborted) return;
    this.#synced = true;
    this.#log.info('caches synced');
  }

  async #listen(): Promise<ManagerAddresses> {
    const host = this.#o.bindAddress ?? '127.0.0.1';
    const { metricsPort, healthPort } = this.#o;
    const onError = (err: unknown): void => this.#log.error(`server: ${String(err)}`);
    const metrics = metricsPort !== undefined ? this.metrics : undefined;
    // Equal ports (both 0 included) mean one server for everything.
    const shared = healthPort !== undefined && healthPort === metricsPort;
    const serve = async (routes: ConstructorParameters<typeof ManagerServer>[0], port: number): Promise<string> => {
      const server = new ManagerServer(routes, onError);
      this.#servers.push(server);
      return server.listen(port, host);
    };
    const probes = { healthz: this.healthz, readyz: this.readyz };
    if (shared) {
      const url = await serve({ metrics, ...probes }, healthPort);
      return { metrics: metrics ? url : undefined, health: url };
    }
    const metricsUrl = metrics && metricsPort !== undefined ? await serve({ metrics }, metricsPort) : undefined;
    const healthUrl = healthPort !== undefined ? await serve(probes, healthPort) : undefined;
    return { metrics: metricsUrl, health: healthUrl };
  }

  #addDefaultChecks(): void {
    this.healthz.add({ name: 'ping', check: () => {} });
    const e = this.elector;
    if (e) {
      this.healthz.add({
        name: 'leader-election',
        check: () => {
          // client-go's HealthzAdaptor: a leader that has not renewed well past its lease is wedged.
          const overdue = this.#clock.now() - e.observedAt() - e.leaseDurationMs;
          if (e.isLeader() && overdue > 20_000) throw new Error(`lease renewal overdue by ${overdue} ms`);
        },
      });
    }
    this.readyz.add({
      name: 'informer-sync',
      check: () => {
        if (!this.#synced) throw new Error('informer caches have not synced');
      },
    });
    const threshold = this.#o.readinessBackoffThresholdMs ?? 30_000;
    this.readyz.add({
      name: 'informers',
      check: () => {
        const now = this.#clock.now();
        const failing = this.#tracker
          .informers()
          .filter((i) => i.failingSince !== undefined && now - i.failingSince > threshold);
        if (failing.length === 0) return;
        const names = failing.map((i) => `${i.name} (${String(i.lastError)})`).join(', ');
        throw new Error(`informers failing for more than ${threshold} ms: ${names}`);
      },
    });
  }

  #listerWatcherFor(): ListerWatcherFactory {
    const base: ListerWatcherFactory =
      this.#o.listerWatcherFor ??
      ((r) => new KubeListerWatcher({ kubeConfig: this.#need('listerWatcherFor'), agents: this.#agents, ...r }));
    return (r) => {
      const gv = r.group ? `${r.group}/${r.version}` : r.version;
      const name = `${gv}/${r.resource}${r.namespace ? `@${r.namespace}` : ''}`;
      return this.#tracker.wrap(name, base(r));
    };
  }

  #newElector(): LeaderElector {
    const le = this.#o.leaderElection as NonNullable<ManagerOptions['leaderElection']>;
    const namespace = le.namespace ?? 'default';
    const lock =
      le.lock ??
      new KubeLeaseLock({
        kubeConfig: this.#need('leaderElection.lock'),
        namespace,
        name: le.name,
        onRequest: this.#onRequest,
      });
    const identity = le.identity ?? `${hostname()}_${randomUUID()}`;
    let leading = false;
    const report = errorReporter(`leader election ${lock.describe()}`, { clock: this.#clock, logger: this.#log });
    return new LeaderElector({
      lock,
      identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      random: le.random,
      clock: this.#clock,
      onError: (err) => report(err, identity),
      callbacks: {
        onStartedLeading: (signal) => {
          leading = true;
          this.#log.info(`${identity} started leading ${namespace}/${le.name}`);
          this.metrics?.setLeader(le.name, true);
          this.#onLeading(signal);
        },
        onStoppedLeading: () => {
          this.metrics?.setLeader(le.name, false);
          if (!leading) return;
          leading = false;
          this.#log.info(`${identity} stopped leading ${namespace}/${le.name}`);
          this.#onLost();
        },
        onNewLeader: (id) => {
          if (id && id !== identity) this.#log.info(`new leader of ${namespace}/${le.name}: ${id}`);
        },
      },
    });
  }

  #onRequest = (method: string, code: string): void => this.metrics?.request(method, code);

  #need(what: string) {
    if (!this.#o.kubeConfig) throw new TypeError(`manager: kubeConfig is required unless ${what} is given`);
    return this.#o.kubeConfig;
  }
}

function partition<T>(items: readonly T[], pred: (t: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const i of items) (pred(i) ? yes : no).push(i);
  return [yes, no];
}
