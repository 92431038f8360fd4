/**
 * Workqueue metrics as a small provider interface, the shape of client-go's `workqueue.MetricsProvider`, so a
 * user can bind it to prom-client (or anything else) without this package depending on one. The default is
 * no-op and costs nothing on the hot path.
 */
import type { Clock } from '@kubecache/apimachinery';

/** A value that only goes up (prom-client's `Counter`). */
export interface CounterMetric {
  inc(): void;
}

/** A value that goes up and down (prom-client's `Gauge` with `inc`/`dec`). */
export interface GaugeMetric {
  inc(): void;
  dec(): void;
}

/** A value that is set outright (a `Gauge` used with `set`). */
export interface SettableGaugeMetric {
  set(value: number): void;
}

/** Observed samples (prom-client's `Histogram`/`Summary`); values are in seconds, as client-go reports. */
export interface HistogramMetric {
  observe(value: number): void;
}

/**
 * Creates the metrics of one named queue. Each method is called once per queue, with the queue's name.
 *
 * @example
 * const provider: WorkQueueMetricsProvider = {
 *   newDepthMetric: (name) => promGauge.labels(name),
 *   // ...
 * };
 */
export interface WorkQueueMetricsProvider {
  /** Items waiting in the queue (not processing). */
  newDepthMetric(name: string): GaugeMetric;
  /** Adds that were not collapsed into an already-waiting item. */
  newAddsMetric(name: string): CounterMetric;
  /** Seconds an item waited between its add and its `get`. */
  newLatencyMetric(name: string): HistogramMetric;
  /** Seconds between `get` and `done`. */
  newWorkDurationMetric(name: string): HistogramMetric;
  /** Seconds of work in progress that has not finished yet, summed over items. */
  newUnfinishedWorkSecondsMetric(name: string): SettableGaugeMetric;
  /** Seconds the longest-running item has been processing. */
  newLongestRunningProcessorSecondsMetric(name: string): SettableGaugeMetric;
  /** Delayed re-adds (`addAfter`, hence every rate-limited requeue). */
  newRetriesMetric(name: string): CounterMetric;
}

const noopMetric = { inc() {}, dec() {}, set() {}, observe() {} };

/** A provider whose metrics do nothing. */
export const noopWorkQueueMetricsProvider: WorkQueueMetricsProvider = {
  newDepthMetric: () => noopMetric,
  newAddsMetric: () => noopMetric,
  newLatencyMetric: () => noopMetric,
  newWorkDurationMetric: () => noopMetric,
  newUnfinishedWorkSecondsMetric: () => noopMetric,
  newLongestRunningProcessorSecondsMetric: () => noopMetric,
  newRetriesMetric: () => noopMetric,
};

/**
 * Bookkeeping behind a queue's metrics: when each waiting item was added and when each processing item
 * started. Internal; a queue creates one only when it is given a provider.
 */
export class QueueMetrics<T> {
  readonly #clock: Clock;
  readonly #depth: GaugeMetric;
  readonly #adds: CounterMetric;
  readonly #latency: HistogramMetric;
  readonly #workDuration: HistogramMetric;
  readonly #unfinished: SettableGaugeMetric;
  readonly #longest: SettableGaugeMetric;
  readonly #retries: CounterMetric;
  readonly #addTimes = new Map<T, number>();
  readonly #processingStart = new Map<T, number>();

  constructor(name: string, provider: WorkQueueMetricsProvider, clock: Clock) {
    this.#clock = clock;
    this.#depth = provider.newDepthMetric(name);
    this.#adds = provider.newAddsMetric(name);
    this.#latency = provider.newLatencyMetric(name);
    this.#workDuration = provider.newWorkDurationMetric(name);
    this.#unfinished = provider.newUnfinishedWorkSecondsMetric(name);
    this.#longest = provider.newLongestRunningProcessorSecondsMetric(name);
    this.#retries = provider.newRetriesMetric(name);
  }

  add(item: T): void {
    this.#adds.inc();
    this.#depth.inc();
    if (!this.#addTimes.has(item)) this.#addTimes.set(item, this.#clock.now());
  }

  get(item: T): void {
    this.#depth.dec();
    const now = this.#clock.now();
    this.#processingStart.set(item, now);
    const added = this.#addTimes.get(item);
    if (added !== undefined) {
      this.#latency.observe((now - added) / 1000);
      this.#addTimes.delete(item);
    }
  }

  done(item: T): void {
    const started = this.#processingStart.get(item);
    if (started === undefined) return;
    this.#workDuration.observe((this.#clock.now() - started) / 1000);
    this.#processingStart.delete(item);
  }

  retry(): void {
    this.#retries.inc();
  }

  /** Recomputes the unfinished-work and longest-running gauges (client-go does it every 500 ms). */
  updateUnfinishedWork(): void {
    const now = this.#clock.now();
    let total = 0;
    let oldest = 0;
    for (const started of this.#processingStart.values()) {
      const age = (now - started) / 1000;
      total += age;
      if (age > oldest) oldest = age;
    }
    this.#unfinished.set(total);
    this.#longest.set(oldest);
  }
}
