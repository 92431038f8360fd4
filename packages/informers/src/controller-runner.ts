/**
 * A controller runner: N workers take keys from a rate-limited workqueue and call `reconcile(key)`, with the
 * retry rules controller authors expect (client-go's worker loop, controller-runtime's results):
 *
 * | reconcile outcome | queue action |
 * | --- | --- |
 * | resolves (nothing) | `forget` (backoff reset) |
 * | resolves `{ requeueAfter: ms }` | `forget`, then `addAfter(key, ms)` |
 * | resolves `{ requeue: true }` | `addRateLimited` |
 * | throws {@link TerminalError} | `forget`, no requeue |
 * | throws {@link RequeueAfterError} | `addAfter(key, error.requeueAfterMs)` (an error *and* a retry time) |
 * | throws anything else | `addRateLimited` |
 */
import { type Clock, type ErrorReport, errorReporter, realClock } from '@kubecache/apimachinery';
import type { CounterMetric, HistogramMetric } from '@kubecache/workqueue';
import { RateLimitingQueue } from '@kubecache/workqueue';
import { DEFAULT_STOP_TIMEOUT_MS, StopTimeoutError, settlesWithin } from './stop-deadline.js';
import { type SyncCheck, waitForCacheSync } from './wait-for-cache-sync.js';

/** What `reconcile` may ask for. */
export interface ReconcileResult {
  /** Reconcile again after this many milliseconds (the backoff is reset). */
  requeueAfterMs?: number;
  /** Reconcile again after the rate limiter's delay (the backoff grows). */
  requeue?: boolean;
}

/** Throw it from `reconcile` for a failure that retrying cannot fix: the key is not requeued. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Throw it from `reconcile` to report a failure *and* say when to retry (e.g. a dependency is not ready for
 * another 30 s): the key comes back after `requeueAfterMs` instead of the rate limiter's delay, and the
 * error still reaches `onError` and the metrics (controller-runtime drops one of the two).
 */
export class RequeueAfterError extends Error {
  override readonly name = 'RequeueAfterError';
  constructor(
    message: string,
    /** Milliseconds until the retry. */
    readonly requeueAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How one reconcile ended, as counted by the metrics. */
export type ReconcileOutcome = 'success' | 'error' | 'terminal' | 'requeue' | 'requeue_after';

/** Reconcile metrics, the same small-interface style as the workqueue's provider. */
export interface ReconcileMetricsProvider {
  /** A counter of reconciles of controller `name` that ended with `outcome`. */
  newReconcileOutcomeMetric(name: string, outcome: ReconcileOutcome): CounterMetric;
  /** Seconds each reconcile took. */
  newReconcileTimeMetric(name: string): HistogramMetric;
}

/** The reconcile function: the signal aborts when the runner is stopping. */
export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileResult | undefined> | Promise<void>;

/** Options of {@link ControllerRunner}. */
export interface ControllerRunnerOptions {
  /** Name for metrics and error reports. Default `'controller'`. */
  name?: string;
  /** The reconcile function. Required. */
  reconcile: Reconciler;
  /** Parallel workers. Default 1. */
  workers?: number;
  /** Time source for the queue, rate limiters and sync polling. Default the real clock. */
  clock?: Clock;
  /** The queue. Default a {@link RateLimitingQueue} with client-go's default controller rate limiter. */
  queue?: RateLimitingQueue<string>;
  /** Workers start only once all of these report synced (informers, handler registrations). Default none. */
  waitFor?: readonly SyncCheck[];
  /**
   * Told about every failed reconcile (thrown error) with its key. Default: `console.error` naming the runner
   * and the key, once per distinct error per minute (`errorReporter` of @kubecache/apimachinery).
   */
  onError?: (key: string, error: unknown) => void;
  /** Reconcile-outcome metrics. Default none. */
  metricsProvider?: ReconcileMetricsProvider;
  /**
   * How long stopping waits for reconciles in progress, in ms; past it they are abandoned and a
   * `StopTimeoutError` naming their keys is reported (to `onError`, once per key). Default 10 000.
   */
  stopTimeoutMs?: number;
}

const OUTCOMES: readonly ReconcileOutcome[] = ['success', 'error', 'terminal', 'requeue', 'requeue_after'];

/**
 * Runs a reconciler over a workqueue. Feed it keys with {@link ControllerRunner.enqueue} (typically from
 * informer handlers), then `run(signal)`; aborting the signal stops taking new keys, lets the in-flight
 * reconciles finish, and resolves `run`.
 *
 * @example
 * const runner = new ControllerRunner({ reconcile: async (key) => { ... }, workers: 4, waitFor: [informer] });
 * informer.addEventHandler({ onAdd: (pod) => runner.enqueue(keyOf(pod)) });
 * await runner.run(signal);
 */
export class ControllerRunner {
  readonly queue: RateLimitingQueue<string>;
  readonly #options: ControllerRunnerOptions;
  readonly #defaultReport: ErrorReport;
  readonly #clock: Clock;
  readonly #outcomes = new Map<ReconcileOutcome, CounterMetric>();
  readonly #inFlight = new Set<string>();
  readonly #time: HistogramMetric | undefined;
  #started = false;

  constructor(options: ControllerRunnerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.queue = options.queue ?? new RateLimitingQueue<string>({ clock: this.#clock, name: options.name });
    const name = options.name ?? 'controller';
    this.#defaultReport = errorReporter(`controller ${name}`, { clock: this.#clock });
    const provider = options.metricsProvider;
    if (provider) {
      for (const o of OUTCOMES) this.#outcomes.set(o, provider.newReconcileOutcomeMetric(name, o));
      this.#time = provider.newReconcileTimeMetric(name);
    }
  }

  /** Queues `key` for reconciliation (deduplicated with keys already waiting). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /**
   * Waits for `waitFor` to sync, runs the workers until `signal` aborts, then waits for in-flight
   * reconciles and shuts the queue down. Resolves `false` if aborted before the caches synced.
   * Call it once; a second call rejects.
   */
  async run(signal: AbortSignal): Promise<boolean> {
    if (this.#started) throw new Error(`controller ${this.#options.name ?? ''} is already running`);
    this.#started = true;
    const checks = this.#options.waitFor ?? [];
    const synced = await waitForCacheSync(checks, { signal, clock: this.#clock });
    if (!synced || signal.aborted) {
      this.queue.shutDown();
      return false;
    }
    const onAbort = (): void => this.queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    const workers: Promise<void>[] = [];
    for (let i = 0; i < (this.#options.workers ?? 1); i++) workers.push(this.#worker(signal));
    const all = Promise.all(workers);
    await new Promise<void>((resolve) => {
      void all.then(() => resolve());
      signal.addEventListener('abort', () => void this.#drain(all).then(resolve), { once: true });
    });
    signal.removeEventListener('abort', onAbort);
    this.queue.shutDown();
    return true;
  }

  async #worker(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const next = await this.queue.get();
      if (next.shutdown) return;
      if (signal.aborted) {
        this.queue.done(next.item);
        return;
      }
      await this.#process(next.item, signal);
    }
  }

  /** After the abort: waits for the workers at most `stopTimeoutMs`, then reports the keys still reconciling. */
  async #drain(workers: Promise<unknown>): Promise<void> {
    const timeout = this.#options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    if (await settlesWithin(workers, timeout, this.#clock)) return;
    const stuck = [...this.#inFlight];
    const error = new StopTimeoutError(`controller ${this.#options.name ?? 'controller'}`, stuck, timeout);
    for (const key of stuck) this.#report(key, error);
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    const started = this.#clock.now();
    let outcome: ReconcileOutcome;
    this.#inFlight.add(key);
    try {
      const result = (await this.#options.reconcile(key, signal)) as ReconcileResult | undefined;
      outcome = this.#onResult(key, result);
    } catch (err) {
      outcome = this.#onError(key, err);
    } finally {
      this.#inFlight.delete(key);
      this.queue.done(key);
    }
    this.#time?.observe((this.#clock.now() - started) / 1000);
    this.#outcomes.get(outcome)?.inc();
  }

  #onResult(key: string, result: ReconcileResult | undefined): ReconcileOutcome {
    if (result?.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
      this.queue.forget(key);
      this.queue.addAfter(key, result.requeueAfterMs);
      return 'requeue_after';
    }
    if (result?.requeue) {
      this.queue.addRateLimited(key);
      return 'requeue';
    }
    this.queue.forget(key);
    return 'success';
  }

  #onError(key: string, err: unknown): ReconcileOutcome {
    this.#report(key, err);
    if (err instanceof TerminalError) {
      this.queue.forget(key);
      return 'terminal';
    }
    if (err instanceof RequeueAfterError) {
      this.queue.addAfter(key, err.requeueAfterMs);
      return 'error';
    }
    this.queue.addRateLimited(key);
    return 'error';
  }

  #report(key: string, err: unknown): void {
    try {
      if (this.#options.onError) this.#options.onError(key, err);
      else this.#defaultReport(err, key);
    } catch {
      // a throwing error reporter must not stop the worker
    }
  }
}
