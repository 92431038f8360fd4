/**
 * The low-level controller (client-go's `controller.go`, CT-1): a Reflector filling a queue, and a process
 * loop popping it until the queue closes. The queue is pluggable: anything that implements the cache's
 * `Queue` contract and hands out delta lists (DeltaFIFO, the in-order FIFO).
 */

import { type Clock, errorReporter, type KubeObject, realClock } from '@kubecache/apimachinery';
import {
  type BackoffManager,
  FIFOClosedError,
  type ListerWatcher,
  type Queue,
  Reflector,
  type ReflectorStatus,
  type RetryBudget,
} from '@kubecache/cache';
import { DEFAULT_SLICE_MS } from '@kubecache/cache/internal';
import type { ProcessableDelta } from './process-deltas.js';

/** A queue of delta lists the process loop can pop. */
export type DeltaQueue<T> = Queue<T, readonly ProcessableDelta<T>[]>;

/** Options of {@link Controller}. */
export interface ControllerOptions<T extends KubeObject> {
  /** Name for errors. Default `'controller'`. */
  name?: string;
  /** Source of lists and watches. */
  listerWatcher: ListerWatcher<T>;
  /** The queue the Reflector writes and the loop pops. */
  queue: DeltaQueue<T>;
  /** Applies one popped item; a throw is reported through `onError` and the loop goes on. */
  process: (deltas: readonly ProcessableDelta<T>[], isInInitialList: boolean) => void | Promise<void>;
  /** Called after each pop has been processed (when the queue's sync state may have changed). */
  afterPop?: () => void;
  /** Resync period of the Reflector, in ms; 0 (default) never. */
  resyncPeriodMs?: number;
  /** Asked at each resync tick. Default: always. */
  shouldResync?: () => boolean;
  /** Time source. Default the real clock. */
  clock?: Clock;
  /** Reflector backoff. Default the Reflector's (1–1.4 s, then 1.6–2.24 s; reset by progress). */
  backoff?: BackoffManager;
  /** Reflector retry budget. Default the Reflector's (at most one retry ahead of client-go). */
  retryBudget?: RetryBudget;
  /** Abandon and retry a list that has not answered after this long, in ms. Default the Reflector's (60 s). */
  listTimeoutMs?: number;
  /** List page size. Default the Reflector's. */
  pageSize?: number;
  /** Stream the initial list with a watch (`sendInitialEvents`) before falling back to listing. Default false. */
  useWatchList?: boolean;
  /** Lower bound of the server-side watch timeout, in ms (at least 5 min). Default 5 min. */
  minWatchTimeoutMs?: number;
  /** Drop a watch that delivered no event for this long, in ms. Default: its server timeout plus 30 s. */
  inactivityTimeoutMs?: number;
  /** The longest a server's `Retry-After` is obeyed, in ms. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Objects of another `kind` are dropped. Default: accept all. */
  expectedKind?: string;
  /** Objects outside this namespace are dropped. Default `''`: every namespace. */
  expectedNamespace?: string;
  /** Errors `listAndWatch` ends with (before backing off). */
  watchErrorHandler?: (err: Error) => void;
  /** Told when the Reflector lists, watches or waits before a retry (the informer's health). */
  onStatus?: (status: ReflectorStatus) => void;
  /** Told that the watch delivered events, with the clock time (the Reflector's `onWatchProgress`). */
  onWatchProgress?: (at: number) => void;
  /** Told of each error a watch stream fails with (the Reflector's `onWatchStreamError`). */
  onWatchStreamError?: (err: Error) => void;
  /** Errors the controller recovers from (process failures, store failures, bad events). */
  onError?: (err: Error) => void;
}

/**
 * Runs a Reflector and a process loop. `run` may be called once.
 *
 * @example
 * const c = new Controller({ listerWatcher, queue, process: (d, initial) => apply(d, initial) });
 * await c.run(signal);
 */
export class Controller<T extends KubeObject> {
  readonly #o: ControllerOptions<T>;
  readonly #onError: (err: Error) => void;
  readonly #reflector: Reflector<T>;
  #started = false;
  /**
   * The one-event list a batched event is processed as, reused from event to event (a synchronous `process`
   * is done with it when it returns; one that returns a promise keeps it, and the next event gets a new one).
   */
  #one: ProcessableDelta<T>[] = [];

  constructor(options: ControllerOptions<T>) {
    this.#o = options;
    const onError = options.onError ?? errorReporter(`controller ${options.name ?? 'unnamed'}`);
    this.#onError = onError;
    this.#reflector = new Reflector<T>({
      name: options.name,
      listerWatcher: options.listerWatcher,
      store: options.queue,
      clock: options.clock ?? realClock,
      resyncPeriodMs: options.resyncPeriodMs ?? 0,
      shouldResync: options.shouldResync,
      backoff: options.backoff,
      retryBudget: options.retryBudget,
      listTimeoutMs: options.listTimeoutMs,
      pageSize: options.pageSize,
      useWatchList: options.useWatchList,
      minWatchTimeoutMs: options.minWatchTimeoutMs,
      inactivityTimeoutMs: options.inactivityTimeoutMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      expectedKind: options.expectedKind,
      expectedNamespace: options.expectedNamespace,
      watchErrorHandler: (_r, err) => options.watchErrorHandler?.(err),
      onStatus: options.onStatus,
      onWatchProgress: options.onWatchProgress,
      onWatchStreamError: options.onWatchStreamError,
      onError,
    });
  }

  /** Whether the queue has handed out (and the loop applied) the whole first list. */
  hasSynced(): boolean {
    return this.#o.queue.hasSynced();
  }

  /** The Reflector's last synced resource version. */
  lastSyncResourceVersion(): string {
    return this.#reflector.lastSyncResourceVersion();
  }

  /** Runs until `signal` aborts, then closes the queue; resolves when both halves have stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error(`controller ${this.#o.name ?? ''} was already run`);
    this.#started = true;
    const onAbort = (): void => this.#o.queue.close();
    if (signal.aborted) return;
    signal.addEventListener('abort', onAbort, { once: true });
    await Promise.all([this.#reflector.run(signal), this.#processLoop(signal)]);
  }

  /**
   * Pops until the queue closes: runs of events at once when the queue can hand them out (the in-order FIFO's
   * `popBatch`), one item otherwise. Gives the event loop a turn every few milliseconds, so a long backlog
   * (DeltaFIFO's drain of a 100k list) never stalls timers and sockets.
   */
  async #processLoop(signal: AbortSignal): Promise<void> {
    const { queue, process } = this.#o;
    let sliceEnd = performance.now() + DEFAULT_SLICE_MS;
    while (!signal.aborted) {
      try {
        // No signal per pop (each would add and remove an abort listener): the abort closes the queue,
        // which ends a waiting pop with FIFOClosedError.
        if (queue.popBatch) await queue.popBatch(this.#processBatch, process);
        else await queue.pop(process);
        this.#o.afterPop?.();
      } catch (err) {
        if (err instanceof FIFOClosedError || signal.aborted) return;
        this.#onError(err instanceof Error ? err : new Error(String(err)));
      }
      if (performance.now() >= sliceEnd) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceEnd = performance.now() + DEFAULT_SLICE_MS;
      }
    }
  }

  /** Processes a popped run of events one by one: a failing event is reported and the others still applied. */
  readonly #processBatch = (deltas: readonly ProcessableDelta<T>[], isInInitialList: boolean): void | Promise<void> => {
    const one = this.#one;
    for (let i = 0; i < deltas.length; i++) {
      let pending: void | Promise<void>;
      one[0] = deltas[i] as ProcessableDelta<T>;
      try {
        pending = this.#o.process(one, isInInitialList);
      } catch (err) {
        this.#onError(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (pending !== undefined) {
        this.#one = [];
        const rest = deltas.slice(i + 1);
        return pending.then(
          () => this.#processBatch(rest, isInInitialList),
          (err: unknown) => {
            this.#onError(err instanceof Error ? err : new Error(String(err)));
            return this.#processBatch(rest, isInInitialList);
          },
        );
      }
    }
  };
}
