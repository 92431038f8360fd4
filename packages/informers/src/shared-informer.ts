/**
 * SharedIndexInformer (client-go's `shared_informer.go`, SI-1…SI-10): one list+watch feeding an indexed store
 * and any number of handlers, each with its own buffered, in-order delivery line and resync period.
 */

import {
  type Clock,
  type ErrorReport,
  errorReporter,
  type Immutable,
  type KubeObject,
  realClock,
} from '@kubecache/apimachinery';
import {
  type BackoffManager,
  type DeletedFinalStateUnknown,
  DeltaFIFO,
  IndexedStore,
  type Indexers,
  type KeyFunc,
  type ListerWatcher,
  type ReadonlyIndexer,
  RealFIFO,
  type RetryBudget,
  readonlyIndexer,
} from '@kubecache/cache';
import type { Observable } from 'rxjs';
import { Controller, type DeltaQueue } from './controller.js';
import { type HandlerRegistration, ListenerRegistration } from './handler-registration.js';
import { eventsIterator, eventsObservable } from './informer-events.js';
import {
  type FailFastPolicy,
  failFastOnAuthAndNotFound,
  HealthTracker,
  type InformerHealth,
} from './informer-health.js';
import { type DeltaHandler, processDeltas } from './process-deltas.js';
import { type HandlerError, ProcessorListener } from './processor-listener.js';
import { type InformerEvent, type ResourceEventHandler, toDeletedObject } from './resource-event-handler.js';
import { MINIMUM_RESYNC_PERIOD_MS, resyncPeriodFor } from './resync-period.js';
import { SharedProcessor } from './shared-processor.js';
import { DEFAULT_STOP_TIMEOUT_MS, StopTimeoutError, settlesWithin } from './stop-deadline.js';

/** Which queue the informer runs (see DESIGN: both give the same handler history). */
export type InformerQueueKind = 'in-order' | 'delta-fifo';

/** The informer was asked to do something its lifecycle no longer allows. */
export class InformerLifecycleError extends Error {
  override readonly name = 'InformerLifecycleError';
}

/** Options of {@link SharedIndexInformer}. */
export interface SharedIndexInformerOptions<T extends KubeObject> {
  /** Where objects come from (a Kubernetes ListerWatcher, or the fake source in tests). */
  listerWatcher: ListerWatcher<T>;
  /** Name for errors, handler reports and health. Default `'informer'`. */
  name?: string;
  /** The `kind` of the objects (e.g. `Pod`); listed or watched objects of another kind are dropped and reported. Default: any. */
  expectedKind?: string;
  /** The namespace the ListerWatcher reads; objects from elsewhere are dropped and reported. Default `''`: all. */
  namespace?: string;
  /** Default resync period of handlers, in ms; 0 (default) means none. */
  resyncPeriodMs?: number;
  /** Indexes of the store. Default none. */
  indexers?: Indexers<T>;
  /** Store key function. Default `ns/name`. */
  keyFunc?: KeyFunc<T>;
  /** Time source. Default the real clock. */
  clock?: Clock;
  /** Queue kind: the atomic in-order FIFO (default) or DeltaFIFO. */
  queue?: InformerQueueKind;
  /** Runs once per object before it is stored and shown to handlers. Default none. */
  transform?: (obj: T) => T;
  /**
   * Freeze stored objects. Default true. An update then shares what did not change with the object it
   * replaces (`old.spec === obj.spec` in `onUpdate` when the spec is unchanged): the cache keeps one copy,
   * and the collector copies only what changed, which makes a watch event cheaper than without freezing.
   */
  freeze?: boolean;
  /** Reflector backoff. Default 1–1.4 s, then 1.6–2.24 s, reset by progress; paced by `retryBudget` (see the Reflector). */
  backoff?: BackoffManager;
  /** Caps the Reflector's retries. Default: at most one retry ahead of client-go (see `RetryBudget`). */
  retryBudget?: RetryBudget;
  /** Abandon and retry a list that has not answered after this long, in ms (a half-open connection). Default 60 000. */
  listTimeoutMs?: number;
  /** List page size. Default: the Reflector's (500 for the first list). */
  pageSize?: number;
  /** Stream the initial list with a watch (`sendInitialEvents`) before falling back to listing. Default false. */
  useWatchList?: boolean;
  /** Lower bound of the server-side watch timeout (`timeoutSeconds`), in ms; at least 5 min. Default 5 min. */
  minWatchTimeoutMs?: number;
  /** Drop a watch that delivered no event for this long, in ms. Default: its server timeout plus 30 s. */
  inactivityTimeoutMs?: number;
  /** The longest a server's `Retry-After` is obeyed, in ms. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Errors that make `waitForCacheSync` reject. Default {@link failFastOnAuthAndNotFound} (401, 403, 404, bad certificates). */
  failFast?: FailFastPolicy;
  /**
   * How long stopping waits for handler calls in progress, in ms; past it they are abandoned and a
   * `StopTimeoutError` naming them is reported. Default 10 000.
   */
  stopTimeoutMs?: number;
  /**
   * Told about handler failures, recovered errors and every list/watch error the informer retries. Default: `console.error` naming the informer, once per
   * distinct error per minute (`errorReporter` of @kubecache/apimachinery).
   */
  onError?: (err: Error) => void;
}

/**
 * A shared, indexed informer.
 *
 * @example
 * const informer = new SharedIndexInformer({ listerWatcher, indexers: { namespace: metaNamespaceIndexFunc } });
 * const reg = informer.addEventHandler({ onAdd: (pod) => console.log(pod.metadata?.name) });
 * void informer.run(signal);
 * await informer.waitForCacheSync(signal);
 */
export class SharedIndexInformer<T extends KubeObject> implements DeltaHandler<T> {
  readonly name: string;
  readonly #o: SharedIndexInformerOptions<T>;
  readonly #defaultReport: ErrorReport;
  readonly #clock: Clock;
  readonly #indexer: IndexedStore<T>;
  readonly #view: ReadonlyIndexer<Immutable<T>>;
  readonly #processor: SharedProcessor<T>;
  readonly #health: HealthTracker;
  #transform: ((obj: T) => T) | undefined;
  #watchErrorHandler: ((err: Error) => void) | undefined;
  #resyncCheckPeriod: number;
  #defaultHandlerResync: number;
  #controller: Controller<T> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #handlerCount = 0;
  readonly #stopWatchers = new Set<() => void>();
  readonly #syncWaiters = new Set<() => void>();
  /** Each listener's requested (normalised, pre-check-period) resync period. */
  readonly #requested = new WeakMap<ProcessorListener<T>, number>();

  constructor(options: SharedIndexInformerOptions<T>) {
    this.#o = options;
    this.name = options.name ?? 'informer';
    this.#clock = options.clock ?? realClock;
    this.#defaultReport = errorReporter(`informer ${this.name}`, { clock: this.#clock });
    this.#transform = options.transform;
    this.#resyncCheckPeriod = options.resyncPeriodMs ?? 0;
    this.#defaultHandlerResync = this.#resyncCheckPeriod;
    this.#indexer = new IndexedStore<T>({
      indexers: options.indexers,
      keyFunc: options.keyFunc,
      freeze: options.freeze,
    });
    this.#view = readonlyIndexer(this.#indexer);
    this.#processor = new SharedProcessor<T>(this.#clock);
    this.#health = new HealthTracker(this.#clock);
    this.#health.onChange = () => this.#wakeSyncWaiters();
  }

  /** Runs the informer until `signal` aborts. Only the first call runs; later calls return the same promise. */
  run(signal: AbortSignal): Promise<void> {
    if (this.#running) return this.#running;
    if (this.#stopped) return Promise.resolve();
    this.#controller = this.#newController();
    this.#running = this.#runController(this.#controller, signal);
    return this.#running;
  }

  /** Whether the first list has been applied to the store (not whether the handlers have seen it). */
  hasSynced(): boolean {
    return this.#controller?.hasSynced() ?? false;
  }

  /** Whether `run` was called. */
  isStarted(): boolean {
    return this.#controller !== undefined;
  }

  /** Whether the informer has stopped; a stopped informer never restarts. */
  isStopped(): boolean {
    return this.#stopped;
  }

  /**
   * The live indexed store, read-only: only the informer writes to it. Its objects are frozen (unless
   * `freeze: false`) and typed deep read-only; derive a changed copy with `produce`.
   */
  getIndexer(): ReadonlyIndexer<Immutable<T>> {
    return this.#view;
  }

  /** Same as {@link getIndexer}. */
  getStore(): ReadonlyIndexer<Immutable<T>> {
    return this.#view;
  }

  /** A copy of the registered index functions. */
  indexers(): Indexers<T> {
    return this.#indexer.getIndexers();
  }

  /** Adds indexes, indexing the objects already stored. Throws once the informer has stopped. */
  addIndexers(indexers: Indexers<T>): void {
    if (this.#stopped) throw new InformerLifecycleError('indexer was not added because it has stopped already');
    this.#indexer.addIndexers(indexers);
  }

  /** Sets the transform; throws after start. */
  setTransform(transform: (obj: T) => T): void {
    if (this.isStarted()) throw new InformerLifecycleError('informer has already started');
    this.#transform = transform;
  }

  /** Sets the hook told about every list/watch failure; throws after start. */
  setWatchErrorHandler(handler: (err: Error) => void): void {
    if (this.isStarted()) throw new InformerLifecycleError('informer has already started');
    this.#watchErrorHandler = handler;
  }

  /** The resource version of the last list, watch event or bookmark; `''` before the first list. */
  lastSyncResourceVersion(): string {
    return this.#controller?.lastSyncResourceVersion() ?? '';
  }

  /** The informer's current health. */
  health(): InformerHealth {
    const h = this.#health;
    return {
      phase: h.phase,
      lastError: h.lastError,
      consecutiveFailures: h.consecutiveFailures,
      backoffUntil: h.backoffUntil,
      lastSyncResourceVersion: this.lastSyncResourceVersion(),
      lastEventAt: h.lastEventAt,
    };
  }

  /** The effective resync check period (ms); lowered by handlers added before start. */
  resyncCheckPeriodMs(): number {
    return this.#resyncCheckPeriod;
  }

  /**
   * Registers a handler. Its resync period defaults to the informer's and is normalised as in client-go
   * (0 none; under 1 s raised to 1 s; lowers the informer's check period before start, is raised to it
   * after). A handler added after start first gets a synthetic add of every stored object.
   * Throws {@link InformerLifecycleError} once the informer has stopped. Handlers see the store's objects:
   * frozen, and typed deep read-only.
   */
  addEventHandler(
    handler: ResourceEventHandler<Immutable<T>>,
    options: { resyncPeriodMs?: number } = {},
  ): HandlerRegistration {
    if (this.#stopped) {
      const n = handler.name ?? 'handler';
      throw new InformerLifecycleError(`handler ${n} was not added to shared informer because it has stopped already`);
    }
    let requested = options.resyncPeriodMs ?? this.#defaultHandlerResync;
    if (requested > 0 && requested < MINIMUM_RESYNC_PERIOD_MS) requested = MINIMUM_RESYNC_PERIOD_MS;
    if (requested > 0 && requested < this.#resyncCheckPeriod) {
      if (this.isStarted()) requested = this.#resyncCheckPeriod;
      else this.#lowerCheckPeriod(requested);
    }
    const listener = new ProcessorListener<T>({
      handler: asStoredObjectHandler<T>(handler),
      name: handler.name ?? `${this.name}/handler-${++this.#handlerCount}`,
      clock: this.#clock,
      resyncPeriodMs: resyncPeriodFor(requested, this.#resyncCheckPeriod),
      onError: (e: HandlerError) => this.#report(e),
    });
    this.#requested.set(listener, requested);
    this.#processor.add(listener);
    if (this.isStarted()) {
      for (const obj of this.#indexer.list()) listener.add({ type: 'add', obj, isInInitialList: true });
    }
    return new ListenerRegistration<T>(this, listener, () => this.hasSynced());
  }

  /** Removes a handler; a no-op for foreign, unknown or already removed registrations. Does not wait. */
  removeEventHandler(registration: HandlerRegistration): void {
    if (!(registration instanceof ListenerRegistration) || registration.owner !== this) return;
    if (this.#processor.remove(registration.listener)) void registration.listener.stop();
  }

  /** Removes a handler and resolves once its in-progress call (if any) has returned. */
  async shutDownEventHandler(registration: HandlerRegistration): Promise<void> {
    if (!(registration instanceof ListenerRegistration) || registration.owner !== this) return;
    this.#processor.remove(registration.listener);
    await registration.listener.stop();
  }

  /** Whether the informer has synced and every registered handler has processed its initial objects. */
  handlersSynced(): boolean {
    return this.hasSynced() && this.#processor.listeners().every((l) => l.pendingInitial() === 0);
  }

  /** Number of registered handlers. */
  handlerCount(): number {
    return this.#processor.size;
  }

  /**
   * The informer's events as an Observable (a handler registration per subscription). A subscriber that
   * throws is reported like a failing handler (`onError`); the stream and the process go on.
   */
  get events$(): Observable<InformerEvent<Immutable<T>>> {
    return eventsObservable<Immutable<T>>(this, 'events$', (err) => this.#report(err));
  }

  /** The informer's events as an async iterator (a handler registration per iterator). */
  events(signal?: AbortSignal): AsyncIterableIterator<InformerEvent<Immutable<T>>> {
    return eventsIterator<Immutable<T>>(this, signal);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<InformerEvent<Immutable<T>>> {
    return this.events();
  }

  /** Calls `fn` once the informer stops (at once if stopped). Returns an unregister function. */
  onStopped(fn: () => void): () => void {
    if (this.#stopped) {
      fn();
      return () => {};
    }
    this.#stopWatchers.add(fn);
    return () => this.#stopWatchers.delete(fn);
  }

  /**
   * Resolves `true` once synced, `false` if `signal` aborts or the informer stops first; rejects with the
   * last error as soon as it matches the fail-fast policy (401/403/404 by default).
   */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const check = (): void => {
        const err = this.#health.lastError;
        if (this.hasSynced()) done(() => resolve(true));
        else if (err && (this.#o.failFast ?? failFastOnAuthAndNotFound)(err)) done(() => reject(err));
        else if (this.#stopped || signal?.aborted) done(() => resolve(false));
      };
      const done = (settle: () => void): void => {
        this.#syncWaiters.delete(check);
        signal?.removeEventListener('abort', check);
        settle();
      };
      this.#syncWaiters.add(check);
      signal?.addEventListener('abort', check, { once: true });
      check();
    });
  }

  // --- DeltaHandler: called by processDeltas after the store changed

  onAdd(obj: T, isInInitialList: boolean): void {
    this.#processor.distribute({ type: 'add', obj, isInInitialList }, false);
  }

  onUpdate(oldObj: T, newObj: T): void {
    this.#processor.distributeUpdate(oldObj, newObj);
  }

  onDelete(obj: T | DeletedFinalStateUnknown<T>, key: string): void {
    this.#processor.distribute({ type: 'delete', deleted: toDeletedObject(obj, key) }, false);
  }

  // --- internals

  #lowerCheckPeriod(period: number): void {
    this.#resyncCheckPeriod = period;
    for (const l of this.#processor.listeners()) {
      l.resyncPeriodMs = resyncPeriodFor(this.#requested.get(l) ?? 0, period);
    }
  }

  #newController(): Controller<T> {
    const queue = this.#newQueue();
    return new Controller<T>({
      name: this.name,
      listerWatcher: this.#health.wrap(this.#o.listerWatcher),
      queue,
      process: (deltas, isInInitialList) => processDeltas<T>(this, this.#indexer, deltas, isInInitialList),
      afterPop: () => {
        if (this.#syncWaiters.size > 0) this.#wakeSyncWaiters();
      },
      resyncPeriodMs: this.#resyncCheckPeriod,
      shouldResync: () => this.#processor.shouldResync(),
      clock: this.#clock,
      backoff: this.#o.backoff,
      retryBudget: this.#o.retryBudget,
      inactivityTimeoutMs: this.#o.inactivityTimeoutMs,
      listTimeoutMs: this.#o.listTimeoutMs,
      pageSize: this.#o.pageSize,
      useWatchList: this.#o.useWatchList,
      minWatchTimeoutMs: this.#o.minWatchTimeoutMs,
      maxRetryAfterMs: this.#o.maxRetryAfterMs,
      expectedKind: this.#o.expectedKind,
      expectedNamespace: this.#o.namespace,
      watchErrorHandler: (err) => this.#onWatchError(err),
      onStatus: (status) => this.#health.status(status),
      onWatchProgress: (at) => this.#health.progressed(at),
      onWatchStreamError: (err) => this.#health.noted(err),
      onError: (err) => this.#report(err),
    });
  }

  #newQueue(): DeltaQueue<T> {
    if ((this.#o.queue ?? 'in-order') === 'in-order') {
      return new RealFIFO<T>({
        atomicEvents: true,
        emitDeltaTypeBookmark: true,
        // The controller applies a batch event by event, in order: a key may occur in it more than once.
        batchKeysUnique: false,
        keyFunction: this.#o.keyFunc,
        transformer: this.#transform,
      }) as DeltaQueue<T>;
    }
    return new DeltaFIFO<T>({
      knownObjects: this.#indexer,
      emitDeltaTypeReplaced: true,
      keyFunction: this.#o.keyFunc,
      transformer: this.#transform,
    }) as DeltaQueue<T>;
  }

  async #runController(controller: Controller<T>, signal: AbortSignal): Promise<void> {
    try {
      await controller.run(signal);
    } finally {
      this.#stopped = true;
      this.#health.stopped();
      await this.#stopProcessor();
      for (const fn of [...this.#stopWatchers]) fn();
      this.#stopWatchers.clear();
      this.#wakeSyncWaiters();
    }
  }

  /** Stops the listeners, waiting at most `stopTimeoutMs` for handler calls in progress. */
  async #stopProcessor(): Promise<void> {
    const listeners = this.#processor.listeners();
    const timeout = this.#o.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    if (await settlesWithin(this.#processor.stop(), timeout, this.#clock)) return;
    const stuck = listeners.filter((l) => l.isBusy()).map((l) => l.name);
    this.#report(new StopTimeoutError(`informer ${this.name}`, stuck, timeout));
  }

  #onWatchError(err: Error): void {
    // Every error the reflector retries is reported (once per distinct error per minute by default): a wrong
    // address or an outage must not be visible only in health().
    this.#report(err);
    try {
      this.#watchErrorHandler?.(err);
    } catch (e) {
      this.#report(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #report(err: Error): void {
    try {
      if (this.#o.onError) this.#o.onError(err);
      else this.#defaultReport(err);
    } catch {
      // an error sink must not break the informer
    }
  }

  #wakeSyncWaiters(): void {
    for (const w of [...this.#syncWaiters]) w();
  }
}

/**
 * Handlers are typed over the read-only view of the objects; the listeners carry the stored objects
 * themselves. They are the same objects: TypeScript cannot relate `T` and `Immutable<T>` for a generic `T`.
 */
function asStoredObjectHandler<T>(handler: ResourceEventHandler<Immutable<T>>): ResourceEventHandler<T> {
  return handler as unknown as ResourceEventHandler<T>;
}
