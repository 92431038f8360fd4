/**
 * One watch, consumed: subscribes to a watch Observable, applies each event to a store, tracks the resource
 * version, and settles `done` with how the watch ended. The Reflector runs one session per watch request.
 *
 * ```
 *   start ──event──▶ applying ──ERROR event / stream error──▶ ended(error | start-error)
 *     │                 │ ──complete──▶ ended(closed)
 *     │                 │ ──no event for inactivityTimeoutMs──▶ ended(inactive)
 *     └─────────────────┴──end() / abort──▶ ended(stopped)
 * ```
 * In watch-list mode the session first writes into a temporary store and propagates no resource version;
 * the `k8s.io/initial-events-end` bookmark hands over (`onInitialEventsEnd`) and the same stream goes on into
 * the real store.
 */

import type { Clock, KubeObject, TimerHandle } from '@kubecache/apimachinery';
import { isInitialEventsEndBookmark, StatusError, type WatchEvent } from '@kubecache/apimachinery';
import type { Observable, Subscription } from 'rxjs';
import {
  isExpectedObject,
  MissingResourceVersionError,
  ReflectorStoreError,
  UnexpectedObjectError,
  WatchInactivityError,
  WatchTeardownError,
} from './reflector-errors.js';
import type { ReflectorStore } from './store.js';

/** How a watch ended. `start-error` is an error before any event arrived. */
export type WatchEnd =
  | { readonly kind: 'closed' }
  | { readonly kind: 'inactive'; readonly error: Error }
  | { readonly kind: 'start-error'; readonly error: unknown }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'stopped' };

/**
 * How events move the resource version: `normal` (every event), `hold-added` (ADDED events wait until the first
 * other event: a watch from "" or "0" replays synthetic ADDEDs out of version order), `initial` (none, until the
 * initial-events-end bookmark).
 */
export type ResourceVersionMode = 'normal' | 'hold-added' | 'initial';

/** Options of {@link WatchSession}. */
export interface WatchSessionOptions<T> {
  /** Reflector name, for error messages. */
  name: string;
  /** Source of time (event timestamps, the inactivity timer). */
  clock: Clock;
  /** Aborting it ends the session as `stopped`. */
  signal: AbortSignal;
  /** Where events go (after the initial phase in watch-list mode). */
  store: ReflectorStore<T>;
  /** Watch-list only: where events go until the initial-events-end bookmark. */
  initialStore?: ReflectorStore<T>;
  /** Called with the bookmark's version when the initial events end; may throw (ends the session). */
  onInitialEventsEnd?: (resourceVersion: string) => void;
  /** Objects with another `kind` are dropped with an {@link UnexpectedObjectError}. */
  expectedKind?: string;
  /** Objects (not bookmarks) outside this namespace are dropped with an {@link UnexpectedObjectError}. */
  expectedNamespace?: string;
  /** See {@link ResourceVersionMode}. Ignored (treated as `initial`) while `initialStore` is in use. */
  rvMode: ResourceVersionMode;
  /** Receives each new resource version. */
  setResourceVersion: (resourceVersion: string) => void;
  /** Receives errors the session recovers from (store failures, wrong kinds). */
  onError: (err: Error) => void;
  /** End the session when no event arrived for this long, in ms; 0 disables. */
  inactivityTimeoutMs: number;
  /**
   * Told, with the clock time, that events other than `ERROR` arrived: at the first such event of a run the
   * source delivers synchronously and once more after the run, not per event. Must not throw.
   */
  onProgress?: (at: number) => void;
  /** Told of the error the source fails with, before the session ends with it. Must not throw. */
  onSourceError?: (err: unknown) => void;
}

/** A consumed watch. Create, `start()`, then await `done`. */
export class WatchSession<T extends KubeObject> {
  readonly done: Promise<WatchEnd>;
  /** Resolves when the initial events ended (watch-list mode); never otherwise. */
  readonly synced: Promise<void>;
  readonly #source: Observable<WatchEvent<T>>;
  readonly #o: WatchSessionOptions<T>;
  #store: ReflectorStore<T>;
  #rvMode: ResourceVersionMode;
  #resolve!: (end: WatchEnd) => void;
  #resolveSynced!: () => void;
  #subscription: Subscription | undefined;
  #timer: TimerHandle | undefined;
  #ended = false;
  #count = 0;
  #delivered = 0;
  #lastEventAt = 0;
  /** A re-stamp of `#lastEventAt` is queued for the end of the current run of synchronous events. */
  #stampQueued = false;
  /** The current run of synchronous events delivered something other than `ERROR`. */
  #runProgressed = false;

  constructor(source: Observable<WatchEvent<T>>, options: WatchSessionOptions<T>) {
    this.#source = source;
    this.#o = options;
    this.#store = options.initialStore ?? options.store;
    this.#rvMode = options.initialStore ? 'initial' : options.rvMode;
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.synced = new Promise((resolve) => {
      this.#resolveSynced = resolve;
    });
  }

  /** Whether the initial events ended (watch-list mode). */
  get isSynced(): boolean {
    return this.#store === this.#o.store && this.#o.initialStore !== undefined;
  }

  /** Events received so far (including bookmarks and ERROR events). */
  get eventCount(): number {
    return this.#count;
  }

  /** Events other than ERROR received so far: the watch made progress. */
  get deliveredCount(): number {
    return this.#delivered;
  }

  /** Subscribes. Events may arrive synchronously. */
  start(): void {
    const { signal, clock, inactivityTimeoutMs: inactivityTimeout } = this.#o;
    if (signal.aborted) {
      this.end({ kind: 'stopped' });
      return;
    }
    signal.addEventListener('abort', this.#onAbort, { once: true });
    this.#lastEventAt = clock.now();
    if (inactivityTimeout > 0) this.#timer = clock.setTimeout(this.#checkInactivity, inactivityTimeout);
    const subscription = this.#source.subscribe({
      next: (event) => this.#onEvent(event),
      error: (error: unknown) => {
        this.#o.onSourceError?.(error);
        this.end(endOfError(error, this.#count));
      },
      complete: () => this.end({ kind: 'closed' }),
    });
    if (this.#ended) this.#unsubscribe(subscription);
    else this.#subscription = subscription;
  }

  /** Ends the session (idempotent): unsubscribes, which stops the watch and releases the connection. */
  end(end: WatchEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#o.signal.removeEventListener('abort', this.#onAbort);
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#resolve(end);
    this.#unsubscribe(this.#subscription);
    this.#subscription = undefined;
  }

  /** Stops the watch; a teardown that throws is reported, never thrown into an event or abort callback. */
  #unsubscribe(subscription: Subscription | undefined): void {
    try {
      subscription?.unsubscribe();
    } catch (err) {
      this.#o.onError(new WatchTeardownError(this.#o.name, err));
    }
  }

  readonly #onAbort = (): void => this.end({ kind: 'stopped' });

  readonly #restamp = (): void => {
    this.#stampQueued = false;
    this.#lastEventAt = this.#o.clock.now();
    if (!this.#runProgressed) return;
    this.#runProgressed = false;
    this.#o.onProgress?.(this.#lastEventAt);
  };

  readonly #checkInactivity = (): void => {
    const { clock, inactivityTimeoutMs: inactivityTimeout, name } = this.#o;
    this.#timer = undefined;
    if (this.#ended) return;
    const idle = clock.now() - this.#lastEventAt;
    if (idle >= inactivityTimeout) {
      this.end({ kind: 'inactive', error: new WatchInactivityError(name, idle) });
    } else {
      this.#timer = clock.setTimeout(this.#checkInactivity, inactivityTimeout - idle);
    }
  };

  #onEvent(event: WatchEvent<T>): void {
    if (this.#ended) return;
    this.#count++;
    // The clock is read at the first event of a run the source delivers synchronously (a chunk of watch
    // lines) and once more after it, not once per event: an inactivity timeout counts in milliseconds.
    if (!this.#stampQueued) {
      this.#stampQueued = true;
      this.#lastEventAt = this.#o.clock.now();
      queueMicrotask(this.#restamp);
    }
    if (event.type === 'ERROR') {
      this.end({ kind: 'error', error: new StatusError(event.object) });
      return;
    }
    this.#delivered++;
    if (!this.#runProgressed) {
      this.#runProgressed = true;
      this.#o.onProgress?.(this.#lastEventAt);
    }
    const obj = event.object;
    const { expectedKind } = this.#o;
    const namespace = event.type === 'BOOKMARK' ? undefined : this.#o.expectedNamespace;
    if (!isExpectedObject(obj, expectedKind, namespace)) {
      this.#o.onError(new UnexpectedObjectError(this.#o.name, expectedKind ?? 'object', obj, namespace));
      return;
    }
    this.#apply(event.type, obj);
  }

  #apply(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', obj: T): void {
    const rv = obj.metadata?.resourceVersion;
    const hasRV = typeof rv === 'string' && rv !== '';
    if (!hasRV) {
      this.#o.onError(new MissingResourceVersionError(this.#o.name, type));
      if (type === 'BOOKMARK') return;
    }
    try {
      if (type === 'ADDED') this.#store.add(obj);
      else if (type === 'MODIFIED') this.#store.update(obj);
      else if (type === 'DELETED') this.#store.delete(obj);
      else if (this.#rvMode !== 'initial' || !isInitialEventsEndBookmark(obj)) this.#store.bookmark?.(rv as string);
      else {
        this.#endInitial(rv as string);
        return;
      }
    } catch (err) {
      this.#o.onError(new ReflectorStoreError(this.#o.name, type.toLowerCase(), err));
    }
    // An event without a version never moves the resume point (a watch from "" would miss the gap).
    if (!hasRV) return;
    if (this.#rvMode === 'normal') this.#o.setResourceVersion(rv);
    else if (this.#rvMode === 'hold-added' && type !== 'ADDED') {
      this.#rvMode = 'normal';
      this.#o.setResourceVersion(rv);
    }
  }

  #endInitial(rv: string): void {
    try {
      this.#o.onInitialEventsEnd?.(rv);
    } catch (error) {
      this.end({ kind: 'error', error });
      return;
    }
    this.#store = this.#o.store;
    this.#rvMode = 'normal';
    this.#resolveSynced();
  }
}

/** A source that gave up on a silent connection ends the watch as inactive (re-watched), like our own timer. */
function endOfError(error: unknown, count: number): WatchEnd {
  if (error instanceof WatchInactivityError) return { kind: 'inactive', error };
  return { kind: count === 0 ? 'start-error' : 'error', error };
}
