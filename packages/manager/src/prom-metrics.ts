/**
 * Prometheus metrics with `prom-client`, under the names Go operators' dashboards already use
 * (client-go's workqueue and leader-election metrics, controller-runtime's reconcile metrics, client-go's
 * reflector and REST client metrics). prom-client is an optional peer dependency: {@link PromMetrics.load}
 * returns `undefined` (and says so once in the log) when it is not installed.
 */
import { createRequire } from 'node:module';
import type { HandlerRegistration, ReconcileMetricsProvider, ReconcileOutcome } from '@kubecache/informers';
import type { CounterMetric, WorkQueueMetricsProvider } from '@kubecache/workqueue';
import type { InformerMetricsSink } from './informer-tracker.js';

/** The part of a prom-client `Registry` the manager needs (pass your own to share one registry). */
export interface PromRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Options of {@link PromMetrics.load}. */
export interface PromMetricsOptions {
  /** A prom-client `Registry` to register into. Default a new registry of the manager's own. */
  registry?: PromRegistry;
  /** `host` label of `rest_client_requests_total` (the API server's address). Default `''`. */
  host?: string;
  /** Where the "prom-client is not installed" line goes. Default `console`. */
  logger?: { warn(message: string): void };
}

// controller-runtime's buckets for workqueue durations: 10 ns × 10^i, 12 buckets.
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 10e-9 * 10 ** i);
// controller-runtime's buckets for reconcile time.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

type Prom = typeof import('prom-client');
type Labels = Record<string, string>;

/** Loads prom-client if it is installed (it is CommonJS, so a synchronous require works). */
function requirePromClient(): Prom | undefined {
  try {
    return createRequire(import.meta.url)('prom-client') as Prom;
  } catch {
    return undefined;
  }
}

/**
 * The manager's metrics. Use it on its own to instrument a {@link ControllerRunner} without a Manager.
 *
 * @example
 * const metrics = PromMetrics.load();
 * const runner = new ControllerRunner({ reconcile, metricsProvider: metrics?.reconcile,
 *   queue: new RateLimitingQueue({ name: 'pods', metricsProvider: metrics?.workqueue }) });
 * http.createServer(async (_, res) => res.end(await metrics?.render()));
 */
export class PromMetrics {
  readonly workqueue: WorkQueueMetricsProvider;
  readonly reconcile: ReconcileMetricsProvider;
  readonly informers: InformerMetricsSink;
  readonly #registry: PromRegistry;
  readonly #host: string;
  readonly #requests;
  readonly #leader;
  readonly #handlers = new Map<string, HandlerRegistration>();

  /** Creates the metrics, or returns `undefined` with a log line when prom-client is missing. */
  static load(options: PromMetricsOptions = {}): PromMetrics | undefined {
    const prom = requirePromClient();
    if (!prom) {
      (options.logger ?? console).warn(
        '[kubecache manager] prom-client is not installed: metrics are off (npm install prom-client to enable /metrics)',
      );
      return undefined;
    }
    return new PromMetrics(prom, options);
  }

  private constructor(prom: Prom, options: PromMetricsOptions) {
    const registry = (options.registry as InstanceType<Prom['Registry']> | undefined) ?? new prom.Registry();
    this.#registry = registry;
    this.#host = options.host ?? '';
    const registers = [registry];
    const counter = (name: string, help: string, labelNames: string[]) =>
      new prom.Counter({ name, help, labelNames, registers });
    const gauge = (name: string, help: string, labelNames: string[]) =>
      new prom.Gauge({ name, help, labelNames, registers });
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
      new prom.Histogram({ name, help, labelNames, buckets, registers });
    this.workqueue = workqueueProvider(counter, gauge, histogram);
    this.reconcile = reconcileProvider(counter, histogram);
    this.informers = this.#informerSink(counter, gauge);
    this.#requests = counter('rest_client_requests_total', 'HTTP requests by status code, method and host', [
      'code',
      'method',
      'host',
    ]);
    this.#leader = gauge('leader_election_master_status', '1 while this process leads the named election', ['name']);
    const handlers = this.#handlers;
    new prom.Gauge({
      name: 'informer_handler_backlog',
      help: 'Events waiting for each tracked informer event handler',
      labelNames: ['handler'],
      registers,
      collect() {
        for (const [name, reg] of handlers) this.set({ handler: name }, reg.backlog());
      },
    });
  }

  /** The exposition format's content type. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The metrics in Prometheus text format. */
  render(): Promise<string> {
    return this.#registry.metrics();
  }

  /** Counts one HTTP request to the API server. */
  request(method: string, code: string): void {
    this.#requests.inc({ code, method, host: this.#host });
  }

  /** Sets `leader_election_master_status{name}`. */
  setLeader(name: string, leading: boolean): void {
    this.#leader.set({ name }, leading ? 1 : 0);
  }

  /** Reports `informer_handler_backlog{handler=name}` for a handler registration. */
  trackHandler(name: string, registration: HandlerRegistration): void {
    this.#handlers.set(name, registration);
  }

  #informerSink(counter: CounterFactory, gauge: GaugeFactory): InformerMetricsSink {
    const lists = counter('reflector_lists_total', 'LIST requests answered, by informer', ['name']);
    const relists = counter('reflector_relists_total', 'LISTs after the first, by informer', ['name']);
    const watches = counter('reflector_watches_total', 'WATCH requests opened, by informer', ['name']);
    const rv = gauge('reflector_last_resource_version', 'Last resource version seen, by informer', ['name']);
    return {
      listed: (name, relist) => {
        lists.inc({ name });
        if (relist) relists.inc({ name });
      },
      watched: (name) => watches.inc({ name }),
      request: (method, code) => this.request(method, code),
      resourceVersion: (name, value) => rv.set({ name }, value),
    };
  }
}

type CounterFactory = (name: string, help: string, labels: string[]) => { inc(labels: Labels, v?: number): void };
type GaugeFactory = (
  name: string,
  help: string,
  labels: string[],
) => {
  inc(labels: Labels, v?: number): void;
  dec(labels: Labels, v?: number): void;
  set(labels: Labels, v: number): void;
};
type HistogramFactory = (
  name: string,
  help: string,
  labels: string[],
  buckets: number[],
) => { observe(labels: Labels, v: number): void };

function workqueueProvider(
  counter: CounterFactory,
  gauge: GaugeFactory,
  histogram: HistogramFactory,
): WorkQueueMetricsProvider {
  const labels = ['controller', 'name'];
  const depth = gauge('workqueue_depth', 'Current depth of workqueue', labels);
  const adds = counter('workqueue_adds_total', 'Total number of adds handled by workqueue', labels);
  const latency = histogram(
    'workqueue_queue_duration_seconds',
    'How long in seconds an item stays in workqueue before being requested',
    labels,
    QUEUE_BUCKETS,
  );
  const work = histogram(
    'workqueue_work_duration_seconds',
    'How long in seconds processing an item from workqueue takes',
    labels,
    QUEUE_BUCKETS,
  );
  const unfinished = gauge(
    'workqueue_unfinished_work_seconds',
    'How many seconds of work has been done that is in progress and has not been observed by work_duration',
    labels,
  );
  const longest = gauge(
    'workqueue_longest_running_processor_seconds',
    'How many seconds has the longest running processor for workqueue been running',
    labels,
  );
  const retries = counter('workqueue_retries_total', 'Total number of retries handled by workqueue', labels);
  const l = (name: string): Labels => ({ controller: name, name });
  const zero = (c: { inc(labels: Labels, v?: number): void }, name: string) => c.inc(l(name), 0);
  return {
    newDepthMetric: (name) => {
      depth.set(l(name), 0);
      return { inc: () => depth.inc(l(name)), dec: () => depth.dec(l(name)) };
    },
    newAddsMetric: (name) => {
      zero(adds, name);
      return { inc: () => adds.inc(l(name)) };
    },
    newLatencyMetric: (name) => ({ observe: (v) => latency.observe(l(name), v) }),
    newWorkDurationMetric: (name) => ({ observe: (v) => work.observe(l(name), v) }),
    newUnfinishedWorkSecondsMetric: (name) => ({ set: (v) => unfinished.set(l(name), v) }),
    newLongestRunningProcessorSecondsMetric: (name) => ({ set: (v) => longest.set(l(name), v) }),
    newRetriesMetric: (name) => {
      zero(retries, name);
      return { inc: () => retries.inc(l(name)) };
    },
  };
}

/** controller-runtime's `result` label for each outcome; terminal errors count as errors too. */
const RESULT: Record<ReconcileOutcome, string> = {
  success: 'success',
  error: 'error',
  terminal: 'error',
  requeue: 'requeue',
  requeue_after: 'requeue_after',
};

function reconcileProvider(counter: CounterFactory, histogram: HistogramFactory): ReconcileMetricsProvider {
  const total = counter('controller_runtime_reconcile_total', 'Total number of reconciliations per controller', [
    'controller',
    'result',
  ]);
  const errors = counter('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors', [
    'controller',
  ]);
  const terminal = counter(
    'controller_runtime_terminal_reconcile_errors_total',
    'Total number of terminal reconciliation errors',
    ['controller'],
  );
  const time = histogram(
    'controller_runtime_reconcile_time_seconds',
    'Length of time per reconciliation per controller',
    ['controller'],
    RECONCILE_BUCKETS,
  );
  return {
    newReconcileOutcomeMetric: (controller, outcome): CounterMetric => {
      const result = RESULT[outcome];
      total.inc({ controller, result }, 0);
      if (outcome === 'error') errors.inc({ controller }, 0);
      if (outcome === 'terminal') terminal.inc({ controller }, 0);
      return {
        inc: () => {
          total.inc({ controller, result });
          if (outcome === 'error' || outcome === 'terminal') errors.inc({ controller });
          if (outcome === 'terminal') terminal.inc({ controller });
        },
      };
    },
    newReconcileTimeMetric: (controller) => ({ observe: (v) => time.observe({ controller }, v) }),
  };
}
