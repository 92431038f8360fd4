/**
 * One handler's delivery line (client-go's `processorListener`): events are delivered to the handler one at
 * a time and in order, even when it is async; events that arrive while it is busy wait in an unbounded
 * buffer, so a slow handler never blocks the informer or the other handlers. A throwing handler is reported
 * and delivery goes on. The backlog (length, age of the oldest event) is exposed, which client-go lacks.
 */
import type { Clock } from '@kubecache/apimachinery';
import { Ring } from '@kubecache/cache/internal';
import { dispatchEvent, type InformerEvent, type ResourceEventHandler } from './resource-event-handler.js';

/** A handler threw or rejected; `cause` is what it threw. Delivery of later events continues. */
export class HandlerError extends Error {
  override readonly name = 'HandlerError';
  constructor(
    /** The handler's name. */
    readonly handlerName: string,
    /** The event type being delivered. */
    readonly eventType: InformerEvent<unknown>['type'],
    cause: unknown,
  ) {
    super(`handler ${handlerName} failed on ${eventType}: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
}

/** Options of {@link ProcessorListener}. */
export interface ProcessorListenerOptions<T> {
  /** The handler. */
  handler: ResourceEventHandler<T>;
  /** Name for reports. */
  name: string;
  /** Time source for backlog ages and resync scheduling. */
  clock: Clock;
  /** Effective resync period in ms (already normalised); 0 means none. */
  resyncPeriodMs: number;
  /** Told about every handler failure. Must not throw (a throw is swallowed). */
  onError: (error: HandlerError) => void;
}

function isThenable(x: unknown): x is PromiseLike<void> {
  return typeof x === 'object' && x !== null && typeof (x as PromiseLike<void>).then === 'function';
}

/**
 * Sequential, buffered delivery to one handler. A synchronous handler is called at once when the line is
 * idle (no buffering cost); a returned promise makes the line busy until it settles.
 */
export class ProcessorListener<T> {
  readonly name: string;
  readonly #handler: ResourceEventHandler<T>;
  readonly #clock: Clock;
  readonly #onError: (error: HandlerError) => void;
  readonly #events = new Ring<InformerEvent<T>>(16);
  readonly #times = new Ring<number>(16);
  #busySince: number | undefined;
  /** True while a synchronous handler call runs, so events it causes are queued behind it. */
  #delivering = false;
  #stopped = false;
  #pendingInitial = 0;
  /** Settles when the call in progress returns after {@link stop}; shared by every `stop` caller. */
  #idle: { promise: Promise<void>; resolve: () => void } | undefined;
  #errors = 0;
  #lastError: HandlerError | undefined;
  resyncPeriodMs: number;
  #nextResync = 0;
  /** Whether sync (unchanged-RV) updates go to this listener now; starts true, as in client-go. */
  syncing = true;

  constructor(options: ProcessorListenerOptions<T>) {
    this.name = options.name;
    this.#handler = options.handler;
    this.#clock = options.clock;
    this.#onError = options.onError;
    this.resyncPeriodMs = options.resyncPeriodMs;
    this.determineNextResync(this.#clock.now());
  }

  /** Queues `event` for the handler (or delivers it at once when idle and synchronous). */
  add(event: InformerEvent<T>): void {
    if (this.#stopped) return;
    if (event.type === 'add' && event.isInInitialList) this.#pendingInitial++;
    if (!this.#delivering && this.#busySince === undefined && this.#events.length === 0) {
      this.#deliver(event);
      return;
    }
    this.#events.push(event);
    this.#times.push(this.#clock.now());
  }

  /** Events waiting (not counting one being handled). */
  backlog(): number {
    return this.#events.length;
  }

  /** Milliseconds the oldest undelivered (or in-progress) event has waited; 0 when idle. */
  oldestPendingAgeMs(): number {
    const oldest = this.#busySince ?? this.#times.peek();
    return oldest === undefined ? 0 : this.#clock.now() - oldest;
  }

  /** Initial-list adds queued but not yet handled (the handler is synced when 0 and the informer is). */
  pendingInitial(): number {
    return this.#pendingInitial;
  }

  /** Handler failures so far, and the last one. */
  errors(): { count: number; last: HandlerError | undefined } {
    return { count: this.#errors, last: this.#lastError };
  }

  /** Stops delivery; queued events are dropped. Resolves when the handler call in progress returns. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#events.clear();
    this.#times.clear();
    if (this.#busySince === undefined) return Promise.resolve();
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }

  /** Whether a handler call is in progress (an async handler that has not settled yet). */
  isBusy(): boolean {
    return this.#busySince !== undefined;
  }

  /** Whether {@link stop} was called. */
  isStopped(): boolean {
    return this.#stopped;
  }

  /**
   * Whether this listener can tell a sync update from another: it has a resync period (sync updates skip it
   * between its resyncs), or its handler takes `onEvent` (which sees `isSync`).
   */
  get observesSync(): boolean {
    return this.resyncPeriodMs !== 0 || this.#handler.onEvent !== undefined;
  }

  /** Recomputes {@link syncing} for a resync tick at `now`; returns it. */
  shouldResync(now: number): boolean {
    this.syncing = this.resyncPeriodMs !== 0 && now >= this.#nextResync;
    return this.syncing;
  }

  /** Schedules the next resync one period after `now`. */
  determineNextResync(now: number): void {
    this.#nextResync = now + this.resyncPeriodMs;
  }

  #deliver(event: InformerEvent<T>): void {
    this.#delivering = true;
    try {
      this.#deliverFrom(event);
    } finally {
      this.#delivering = false;
    }
  }

  #deliverFrom(event: InformerEvent<T>): void {
    for (let e: InformerEvent<T> | undefined = event; e !== undefined; e = this.#next()) {
      let result: unknown;
      try {
        result = dispatchEvent(this.#handler, e);
      } catch (err) {
        this.#fail(e, err);
        continue;
      }
      if (isThenable(result)) {
        this.#busySince = this.#clock.now();
        const current = e;
        result.then(
          () => this.#settled(current),
          (err: unknown) => this.#settled(current, err, true),
        );
        return;
      }
      this.#finished(e);
    }
  }

  #next(): InformerEvent<T> | undefined {
    this.#times.shift();
    return this.#events.shift();
  }

  #settled(event: InformerEvent<T>, err?: unknown, failed = false): void {
    this.#busySince = undefined;
    if (failed) this.#fail(event, err);
    else this.#finished(event);
    if (this.#stopped) {
      this.#idle?.resolve();
      this.#idle = undefined;
      return;
    }
    const next = this.#next();
    if (next !== undefined) this.#deliver(next);
  }

  #finished(event: InformerEvent<T>): void {
    if (event.type === 'add' && event.isInInitialList) this.#pendingInitial--;
  }

  #fail(event: InformerEvent<T>, cause: unknown): void {
    // A failed initial add still counts as handled: the registration syncs (with the error recorded)
    // instead of hanging forever as in client-go (kubernetes#129024).
    this.#finished(event);
    const error = new HandlerError(this.name, event.type, cause);
    this.#errors++;
    this.#lastError = error;
    try {
      this.#onError(error);
    } catch {
      // the error sink must not stop delivery
    }
  }
}
