/**
 * An informer's events as an rxjs Observable and as an async iterator, both built on an ordinary handler
 * registration (so they get the late-joiner synthetic adds and per-subscriber buffering).
 */
import { Ring } from '@kubecache/cache/internal';
import { Observable, type Observer, type Operator, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import type { HandlerRegistration } from './handler-registration.js';
import type { InformerEvent, ResourceEventHandler } from './resource-event-handler.js';

/** The part of an informer the streams need. */
export interface EventSource<T> {
  addEventHandler(handler: ResourceEventHandler<T>): HandlerRegistration;
  removeEventHandler(registration: HandlerRegistration): void;
  /** Calls `fn` when the informer stops (at once if stopped); returns an unregister function. */
  onStopped(fn: () => void): () => void;
}

/** A subscriber of an informer's event stream threw; `cause` is what it threw. Delivery goes on. */
export class SubscriberError extends Error {
  override readonly name = 'SubscriberError';
  constructor(streamName: string, what: string, cause: unknown) {
    super(`${streamName} subscriber failed on ${what}: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
}

/**
 * An Observable whose subscribers are isolated the way handlers are: a callback that throws is reported
 * (a {@link SubscriberError}) instead of becoming an uncaught exception (rxjs's rule), and the stream goes
 * on. Operators applied with `pipe` keep the isolation (`lift` returns the same kind of Observable).
 */
class IsolatedObservable<T> extends Observable<T> {
  readonly #name: string;
  readonly #report: (err: Error) => void;

  constructor(
    name: string,
    report: (err: Error) => void,
    subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => TeardownLogic,
  ) {
    super(subscribe);
    this.#name = name;
    this.#report = report;
  }

  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const lifted = new IsolatedObservable<R>(this.#name, this.#report);
    lifted.source = this;
    lifted.operator = operator;
    return lifted;
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void)): Subscription;
  override subscribe(
    next?: ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription;
  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    const o =
      typeof observerOrNext === 'function' || !observerOrNext
        ? { next: observerOrNext, error, complete }
        : observerOrNext;
    return super.subscribe({
      next: this.#guard('next', o.next?.bind(o)),
      error: this.#guard('error', o.error?.bind(o)),
      complete: this.#guard('complete', o.complete?.bind(o)),
    });
  }

  #guard<A extends unknown[]>(what: string, fn: ((...args: A) => void) | null | undefined): (...args: A) => void {
    return (...args: A) => {
      try {
        fn?.(...args);
      } catch (err) {
        const type = (args[0] as { type?: unknown } | undefined)?.type;
        try {
          this.#report(new SubscriberError(this.#name, what === 'next' && type ? String(type) : what, err));
        } catch {
          // the error sink must not break delivery
        }
      }
    };
  }
}

/**
 * An Observable of `source`'s events; it completes when the informer stops. A subscriber that throws is
 * reported to `report` and keeps receiving events.
 */
export function eventsObservable<T>(
  source: EventSource<T>,
  name = 'events$',
  report: (err: Error) => void = () => {},
): Observable<InformerEvent<T>> {
  return new IsolatedObservable<InformerEvent<T>>(name, report, (subscriber) => {
    const reg = source.addEventHandler({ name, onEvent: (e) => subscriber.next(e) });
    const off = source.onStopped(() => subscriber.complete());
    return () => {
      off();
      source.removeEventHandler(reg);
    };
  });
}

/** An async iterator of `source`'s events; it ends when the informer stops, `signal` aborts or on `return`. */
export function eventsIterator<T>(
  source: EventSource<T>,
  signal?: AbortSignal,
  name = 'events-iterator',
): AsyncIterableIterator<InformerEvent<T>> {
  return new EventsIterator<T>(source, signal, name);
}

/**
 * The iterator behind {@link eventsIterator}:
 * ```
 *  open ──next() with nothing buffered──▶ waiting ──event──▶ open
 *    └──────────── informer stops / abort / return() ──────────▶ ended (drains the buffer, then done)
 * ```
 */
class EventsIterator<T> implements AsyncIterableIterator<InformerEvent<T>> {
  readonly #source: EventSource<T>;
  readonly #signal: AbortSignal | undefined;
  readonly #buffer = new Ring<InformerEvent<T>>(16);
  readonly #registration: HandlerRegistration;
  readonly #offStopped: () => void;
  #waiting: ((r: IteratorResult<InformerEvent<T>>) => void) | undefined;
  #ended = false;

  constructor(source: EventSource<T>, signal: AbortSignal | undefined, name: string) {
    this.#source = source;
    this.#signal = signal;
    this.#registration = source.addEventHandler({ name, onEvent: (e) => this.#push(e) });
    this.#offStopped = source.onStopped(this.#end);
    signal?.addEventListener('abort', this.#end, { once: true });
    if (signal?.aborted) this.#end();
  }

  next(): Promise<IteratorResult<InformerEvent<T>>> {
    const e = this.#buffer.shift();
    if (e !== undefined) return Promise.resolve({ value: e, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<InformerEvent<T>>> {
    this.#end();
    this.#buffer.clear();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<InformerEvent<T>> {
    return this;
  }

  #push(e: InformerEvent<T>): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting({ value: e, done: false });
    else this.#buffer.push(e);
  }

  readonly #end = (): void => {
    if (this.#ended) return;
    this.#ended = true;
    // #offStopped is unset while the constructor registers with an already stopped informer.
    this.#offStopped?.();
    this.#signal?.removeEventListener('abort', this.#end);
    this.#source.removeEventHandler(this.#registration);
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = undefined;
  };
}
