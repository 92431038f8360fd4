/**
 * An informer's events as an rxjs Observable and as an async iterator, both built on an ordinary handler
 * registration (so they get the late-joiner synthetic adds and per-subscriber buffering).
 */
import { Observable } from 'rxjs';
import type { HandlerRegistration } from './handler-registration.js';
import type { InformerEvent, ResourceEventHandler } from './resource-event-handler.js';
import { Ring } from './workqueue/ring.js';

/** The part of an informer the streams need. */
export interface EventSource<T> {
  addEventHandler(handler: ResourceEventHandler<T>): HandlerRegistration;
  removeEventHandler(registration: HandlerRegistration): void;
  /** Calls `fn` when the informer stops (at once if stopped); returns an unregister function. */
  onStopped(fn: () => void): () => void;
}

/** An Observable of `source`'s events; it completes when the informer stops. */
export function eventsObservable<T>(source: EventSource<T>, name = 'events$'): Observable<InformerEvent<T>> {
  return new Observable<InformerEvent<T>>((subscriber) => {
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
  const buffer = new Ring<InformerEvent<T>>(16);
  let waiting: ((r: IteratorResult<InformerEvent<T>>) => void) | undefined;
  let ended = false;
  const reg = source.addEventHandler({
    name,
    onEvent: (e) => {
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w({ value: e, done: false });
      } else buffer.push(e);
    },
  });
  let off: () => void = () => {};
  const end = (): void => {
    if (ended) return;
    ended = true;
    off();
    signal?.removeEventListener('abort', end);
    source.removeEventHandler(reg);
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
  };
  off = source.onStopped(end);
  signal?.addEventListener('abort', end, { once: true });
  if (signal?.aborted) end();
  return {
    next(): Promise<IteratorResult<InformerEvent<T>>> {
      const e = buffer.shift();
      if (e !== undefined) return Promise.resolve({ value: e, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return(): Promise<IteratorResult<InformerEvent<T>>> {
      end();
      buffer.clear();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
