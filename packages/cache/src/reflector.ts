/**
 * The Reflector (client-go's `tools/cache/reflector.go`): keeps a store in step with a resource by listing
 * it, then watching from the list's resource version, and starting over whenever the watch cannot go on.
 *
 * ```
 *  run ─▶ listAndWatch ─┬─ watch-list (optional) ─ synced ─────────────┐
 *                       └─ fails ─▶ list (pager) ─ replace(items, rv) ─┴▶ watch loop ─▶ return
 *   ▲                                                                     │  clean close / inactive: re-watch
 *   └──────────────── backoff delay ◀── error or return ──────────────────┘  429, conn refused: backoff, re-watch
 * ```
 * Rules: the first list asks for RV "0", later ones for the last synced RV, and "" after a 410 or a too-large
 * RV; watches resume from the last RV with bookmarks and a randomized server timeout; a 410 on a watch
 * relists; a watch closed within 1 s with no event is an error. Nothing but the signal stops `run`.
 */

import type { KubeObject, ListOptions } from '@kubecache/apimachinery';
import { type Clock, errorReporter, realClock, type TimerHandle } from '@kubecache/apimachinery';
import { type BackoffManager, ExponentialBackoff, REFLECTOR_BACKOFF } from './backoff.js';
import { ListPager, type PagedList } from './list-pager.js';
import type { ListerWatcher } from './list-watch.js';
import {
  asError,
  isExpectedObject,
  isExpiredError,
  isInternalError,
  isTooLargeResourceVersionError,
  isTooManyRequests,
  isWatchErrorRetriable,
  ListTimeoutError,
  ReflectorStoreError,
  replaceInStore,
  retryAfterMs,
  UnexpectedObjectError,
  VeryShortWatchError,
} from './reflector-errors.js';
import { type WatchListHost, watchList } from './reflector-watch-list.js';
import { RetryBudget } from './retry-budget.js';
import { RetryWithDeadline } from './retry-with-deadline.js';
import type { ReflectorStore } from './store.js';
import { type ResourceVersionMode, type WatchEnd, WatchSession, type WatchSessionOptions } from './watch-session.js';

/** Options of {@link Reflector}. */
export interface ReflectorOptions<T extends KubeObject> {
  /** Name used in error messages. Default `'reflector'`. */
  name?: string;
  /** Where the objects come from. */
  listerWatcher: ListerWatcher<T>;
  /** Where they go. */
  store: ReflectorStore<T>;
  /** Objects whose `kind` is set and differs are dropped with an error. Default: accept any kind. */
  expectedKind?: string;
  /**
   * Objects outside this namespace are dropped with an error (a namespaced list/watch must not fill the
   * store with another namespace's objects). Default `''`: accept every namespace.
   */
  expectedNamespace?: string;
  /** How often to call `store.resync()` while watching, in ms; 0 (default) never. */
  resyncPeriodMs?: number;
  /** Asked before each periodic resync; `false` skips it. Default: always resync. */
  shouldResync?: () => boolean;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /**
   * Delay before each retry. It starts over (`reset`) once a list succeeded or a watch delivered an event,
   * so only consecutive failures lengthen it, and their delays run from the start of the failed request. A
   * backoff without `reset` is stepped before every retry, as client-go's is. Default
   * {@link REFLECTOR_BACKOFF}: 1–1.4 s, then 1.6–2.24 s while failures follow each other; the `retryBudget`
   * stretches it to client-go's pace in a long outage.
   */
  backoff?: BackoffManager;
  /**
   * Caps the retries: never more than one ahead of a client-go reflector facing the same failures (its
   * average schedule: 1.2 s doubling to 45 s, starting over after 2 min without a failure). Default a
   * {@link RetryBudget} on the reflector's clock.
   */
  retryBudget?: RetryBudget;
  /**
   * Told when the reflector starts a list, opens a watch, or waits before a retry. A throw goes to `onError`.
   * Default none.
   */
  onStatus?: (status: ReflectorStatus) => void;
  /**
   * Told, with the clock time, that a watch delivered events (anything but an `ERROR` event): at the first
   * event of each run of events a chunk of the stream carries and once more after the run, not per event (a
   * hook per event would cost the hot path a call and a clock read). A throw goes to `onError`. Default none.
   */
  onWatchProgress?: (at: number) => void;
  /**
   * Told of each error a watch stream fails with, before the reflector retries or relists. A throw goes to
   * `onError`. Default none.
   */
  onWatchStreamError?: (err: Error) => void;
  /** Page size of lists. Default: the pager's 500 for "" and "0" lists, unpaged for lists at a given RV. */
  pageSize?: number;
  /** Try a streaming watch-list (`sendInitialEvents`) before listing. Default false. */
  useWatchList?: boolean;
  /** Receives the errors `listAndWatch` ends with before the reflector backs off. Default: `onError`. */
  watchErrorHandler?: (reflector: Reflector<T>, err: Error) => void;
  /**
   * Receives the errors the reflector recovers from (store failures, wrong kinds, watch errors). Default:
   * `console.error` naming the reflector, once per distinct error per minute (`errorReporter`).
   */
  onError?: (err: Error) => void;
  /** Lower bound of the server-side watch timeout, in ms; values under 5 min are raised to 5 min. The
   * timeout sent is uniform in [min, 2·min). Default 5 min. */
  minWatchTimeoutMs?: number;
  /** Drop a watch that delivered no event for this long, in ms. Default: its server timeout plus 30 s. */
  inactivityTimeoutMs?: number;
  /**
   * Abandon a list (all its pages) that has not answered after this long, in ms, and retry it: a list on a
   * half-open connection would otherwise wait forever. Default 60 000.
   */
  listTimeoutMs?: number;
  /** How long InternalError watch failures are retried without relisting, in ms. Default 0 (never). */
  maxInternalErrorRetryDurationMs?: number;
  /** The longest a server's `Retry-After` is obeyed, in ms. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Source of randomness in [0, 1) for the watch timeout. Default `Math.random`. */
  random?: () => number;
}

/**
 * What the reflector is doing: listing (or streaming the initial events), watching, or waiting until
 * `until` (clock ms) before the next attempt because of `error` (`undefined` when the wait has no error).
 */
export type ReflectorStatus =
  | { readonly phase: 'listing' }
  | { readonly phase: 'watching' }
  | { readonly phase: 'backoff'; readonly until: number; readonly error: Error | undefined };

const MIN_WATCH_TIMEOUT = 5 * 60_000;
const DEFAULT_LIST_TIMEOUT = 60_000;
const SHORT_WATCH = 1000;
const INACTIVITY_GRACE = 30_000;

/** What the watch loop does after a watch ended: the pure decision of client-go's `watch()`. */
export type WatchNext = 'rewatch' | 'backoff-rewatch' | 'relist' | 'throw' | 'stop';

/** Decides what follows a watch end. `retryInternal` says whether the InternalError window still allows a retry. */
export function nextAfterWatch(end: WatchEnd, elapsed: number, events: number, retryInternal: boolean): WatchNext {
  switch (end.kind) {
    case 'stopped':
      return 'stop';
    case 'inactive':
      return 'rewatch';
    case 'closed':
      return elapsed < SHORT_WATCH && events === 0 ? 'relist' : 'rewatch';
    case 'start-error':
      return isWatchErrorRetriable(end.error) ? 'backoff-rewatch' : 'throw';
    case 'error':
      if (isTooManyRequests(end.error)) return 'backoff-rewatch';
      return isInternalError(end.error) && retryInternal ? 'rewatch' : 'relist';
  }
}

/**
 * Settles as `work` does, or rejects with the abort reason as soon as `signal` aborts: a ListerWatcher that
 * ignores its signal must not hold up a stop (client-go's list goroutine is abandoned the same way).
 */
function untilAborted<R>(work: Promise<R>, signal: AbortSignal): Promise<R> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<R>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Lists and watches a resource into a store until aborted.
 *
 * @example
 * const reflector = new Reflector({ listerWatcher: source, store: new IndexedStore({}) });
 * const stop = new AbortController();
 * void reflector.run(stop.signal);
 */
export class Reflector<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly #lw: ListerWatcher<T>;
  readonly #store: ReflectorStore<T>;
  readonly #clock: Clock;
  readonly #backoff: BackoffManager;
  readonly #o: ReflectorOptions<T>;
  readonly #minWatchTimeout: number;
  readonly #random: () => number;
  readonly #onError: (err: Error) => void;
  readonly #retryInternal: RetryWithDeadline;
  readonly #budget: RetryBudget;
  /** A list succeeded or a watch delivered an event since the last retry wait. */
  #progressed = false;
  /** When the latest list or watch request started (clock ms). */
  #requestStart = 0;
  /** Why the last listAndWatch ended (a relist is due), for the status report. */
  #failure: Error | undefined;
  #lastSyncRV = '';
  #rvUnavailable = false;
  #paginatedResult = false;
  #running: Promise<void> | undefined;
  #session: WatchSession<T> | undefined;
  #resyncError: Error | undefined;

  constructor(options: ReflectorOptions<T>) {
    this.name = options.name ?? 'reflector';
    this.#o = options;
    this.#lw = options.listerWatcher;
    this.#store = options.store;
    this.#clock = options.clock ?? realClock;
    this.#backoff = options.backoff ?? new ExponentialBackoff({ ...REFLECTOR_BACKOFF, clock: this.#clock });
    this.#minWatchTimeout = Math.max(MIN_WATCH_TIMEOUT, options.minWatchTimeoutMs ?? 0);
    this.#random = options.random ?? Math.random;
    this.#budget = options.retryBudget ?? new RetryBudget({ clock: this.#clock });
    const onError = options.onError ?? errorReporter(`reflector ${this.name}`, { clock: this.#clock });
    this.#onError = (err) => {
      try {
        onError(err);
      } catch {
        // A throwing error hook must not stop the reflector.
      }
    };
    this.#retryInternal = new RetryWithDeadline({
      maxRetryDurationMs: options.maxInternalErrorRetryDurationMs ?? 0,
      resetAfterMs: 60_000,
      isRetryable: isInternalError,
      clock: this.#clock,
    });
  }

  /** The resource version of the last list, watch event or bookmark applied; `''` before the first list. */
  lastSyncResourceVersion(): string {
    return this.#lastSyncRV;
  }

  /**
   * Runs until `signal` aborts: listAndWatch, one backoff delay, again. Resolves after the abort; never
   * rejects. Calling it while it runs returns the running promise (no second watch is opened).
   */
  run(signal: AbortSignal): Promise<void> {
    this.#running ??= this.#loop(signal).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * One list (or watch-list) followed by watches until a watch cannot be resumed. Resolves when a relist is
   * due or `signal` aborted; rejects with the list error or a non-retriable watch start error.
   */
  async listAndWatch(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    let session: WatchSession<T> | undefined;
    if (this.#o.useWatchList) {
      this.#status({ phase: 'listing' });
      try {
        session = await watchList(this.#watchListHost(), signal);
      } catch (err) {
        this.#onError(asError(err));
      }
      if (signal.aborted) {
        session?.end({ kind: 'stopped' });
        return;
      }
    }
    if (!session) await this.#list(signal).catch((err: unknown) => this.#unlessAborted(err, signal));
    if (signal.aborted) return;
    const stopResync = this.#startResync(signal);
    try {
      await this.#watchLoop(session, signal);
    } finally {
      stopResync();
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#failure = undefined;
      try {
        await this.listAndWatch(signal);
      } catch (err) {
        if (!signal.aborted) {
          this.#failure = asError(err);
          this.#reportListAndWatchError(this.#failure);
        }
      }
      if (signal.aborted) break;
      await this.#waitToRetry(this.#failure, 0, signal);
    }
  }

  /**
   * Waits before a retry: the next backoff step, which starts over after progress. At least `serverDelayMs`
   * (Retry-After); never sooner than the retry budget allows.
   */
  async #waitToRetry(error: Error | undefined, serverDelayMs: number, signal: AbortSignal): Promise<void> {
    if (this.#progressed) this.#backoff.reset?.();
    let delay = this.#backoff.step();
    // Consecutive failures are spaced from the start of the failed request: a list that timed out has
    // already waited its timeout. The first failure after progress waits its whole step.
    if (!this.#progressed && this.#backoff.reset) delay -= this.#clock.now() - this.#requestStart;
    this.#progressed = false;
    this.#budget.failed();
    delay = Math.max(delay, serverDelayMs, this.#budget.delayMs());
    this.#status({ phase: 'backoff', until: this.#clock.now() + delay, error });
    if (delay > 0) await this.#sleep(delay, signal);
    this.#budget.spend();
  }

  readonly #onWatchProgress = (at: number): void => {
    try {
      this.#o.onWatchProgress?.(at);
    } catch (err) {
      this.#onError(asError(err));
    }
  };

  readonly #onWatchStreamError = (err: unknown): void => {
    try {
      this.#o.onWatchStreamError?.(asError(err));
    } catch (hookError) {
      this.#onError(asError(hookError));
    }
  };

  #status(status: ReflectorStatus): void {
    try {
      this.#o.onStatus?.(status);
    } catch (err) {
      // A throwing status hook must not stop the reflector; it is reported like any recovered error.
      this.#onError(asError(err));
    }
  }

  /** Rethrows `err` unless `signal` aborted (an abort makes `listAndWatch` resolve, not reject). */
  #unlessAborted(err: unknown, signal: AbortSignal): void {
    if (!signal.aborted) throw err;
  }

  #reportListAndWatchError(err: Error): void {
    try {
      (this.#o.watchErrorHandler ?? ((_r, e) => this.#onError(e)))(this, err);
    } catch {
      // A throwing handler must not stop the reflector.
    }
  }

  #relistResourceVersion(): string {
    if (this.#rvUnavailable) return '';
    return this.#lastSyncRV === '' ? '0' : this.#lastSyncRV;
  }

  #pageSize(rv: string): number | undefined {
    if (this.#o.pageSize) return this.#o.pageSize;
    if (this.#paginatedResult) return undefined;
    return rv !== '' && rv !== '0' ? 0 : undefined;
  }

  async #list(signal: AbortSignal): Promise<void> {
    this.#status({ phase: 'listing' });
    this.#requestStart = this.#clock.now();
    let rv = this.#relistResourceVersion();
    let result: PagedList<T>;
    try {
      result = await this.#listAt(rv, signal);
    } catch (err) {
      if (signal.aborted || !(isExpiredError(err) || isTooLargeResourceVersionError(err))) throw err;
      this.#rvUnavailable = true;
      rv = '';
      result = await this.#listAt(rv, signal);
    }
    if (signal.aborted) return;
    const { list, paginated } = result;
    if (list.kind === 'Table') throw new UnexpectedObjectError(this.name, this.#o.expectedKind ?? 'object', list);
    this.#rvUnavailable = false;
    this.#progressed = true;
    if (rv === '0' && paginated) this.#paginatedResult = true;
    const listRV = list.metadata.resourceVersion ?? '';
    const pending = replaceInStore(this.name, this.#store, this.#keepExpected(list.items), listRV, this.#onError, true);
    if (pending !== undefined) await pending;
    this.#lastSyncRV = listRV;
  }

  async #listAt(rv: string, signal: AbortSignal): Promise<PagedList<T>> {
    const pager = new ListPager({ pageSize: this.#pageSize(rv) });
    const timeout = this.#o.listTimeoutMs ?? DEFAULT_LIST_TIMEOUT;
    const bounded = new AbortController();
    const onAbort = (): void => bounded.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.#clock.setTimeout(() => bounded.abort(new ListTimeoutError(this.name, timeout)), timeout);
    try {
      if (signal.aborted) onAbort();
      return await untilAborted(pager.list<T>(this.#lw, { resourceVersion: rv }, bounded.signal), bounded.signal);
    } finally {
      this.#clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  #keepExpected(items: T[]): T[] {
    const { expectedKind: kind, expectedNamespace: ns } = this.#o;
    if (!kind && !ns) return items;
    if (items.every((item) => isExpectedObject(item, kind, ns))) return items;
    return items.filter((item) => {
      if (isExpectedObject(item, kind, ns)) return true;
      this.#onError(new UnexpectedObjectError(this.name, kind ?? 'object', item, ns));
      return false;
    });
  }

  async #watchLoop(live: WatchSession<T> | undefined, signal: AbortSignal): Promise<void> {
    let session = live;
    for (;;) {
      if (signal.aborted) return;
      if (this.#resyncError) {
        this.#takeResyncError();
        return;
      }
      const start = this.#clock.now();
      session ??= this.#openWatch(signal);
      this.#session = session;
      const end = await session.done;
      this.#session = undefined;
      const events = session.eventCount;
      if (session.deliveredCount > 0) this.#progressed = true;
      session = undefined;
      const error = 'error' in end ? end.error : undefined;
      this.#retryInternal.after(error);
      const next = nextAfterWatch(end, this.#clock.now() - start, events, this.#retryInternal.shouldRetry());
      if (next === 'stop') return;
      if (next === 'throw') throw error;
      if (next === 'relist') {
        this.#failure = this.#reportWatchEnd(end);
        return;
      }
      if (next === 'backoff-rewatch') await this.#waitToRetry(asError(error), this.#retryAfter(error), signal);
      else if (error !== undefined) this.#status({ phase: 'backoff', until: this.#clock.now(), error: asError(error) });
      if (end.kind === 'inactive') this.#onError(end.error);
    }
  }

  /** Reports why a watch ended in a relist (a 410 only to the status: it is routine) and returns it. */
  #reportWatchEnd(end: WatchEnd): Error | undefined {
    if (end.kind === 'closed') {
      const error = new VeryShortWatchError(this.name);
      this.#onError(error);
      return error;
    }
    if (!('error' in end)) return undefined;
    const error = asError(end.error);
    if (!isExpiredError(end.error)) this.#onError(error);
    return error;
  }

  #takeResyncError(): void {
    const err = this.#resyncError as Error;
    this.#resyncError = undefined;
    this.#onError(err);
  }

  #openWatch(signal: AbortSignal): WatchSession<T> {
    const rv = this.#lastSyncRV;
    const options = this.#watchOptions({ resourceVersion: rv, allowWatchBookmarks: true });
    const rvMode: ResourceVersionMode = rv === '' || rv === '0' ? 'hold-added' : 'normal';
    this.#status({ phase: 'watching' });
    this.#requestStart = this.#clock.now();
    const session = new WatchSession(this.#lw.watch(options), this.#sessionOptions(signal, options, rvMode));
    session.start();
    return session;
  }

  #watchOptions(options: ListOptions): ListOptions {
    const timeoutSeconds = Math.floor((this.#minWatchTimeout / 1000) * (this.#random() + 1));
    return { ...options, timeoutSeconds };
  }

  #sessionOptions(signal: AbortSignal, options: ListOptions, rvMode: ResourceVersionMode): WatchSessionOptions<T> {
    const inactivity = this.#o.inactivityTimeoutMs ?? (options.timeoutSeconds ?? 0) * 1000 + INACTIVITY_GRACE;
    return {
      name: this.name,
      clock: this.#clock,
      signal,
      store: this.#store,
      expectedKind: this.#o.expectedKind,
      expectedNamespace: this.#o.expectedNamespace || undefined,
      rvMode,
      setResourceVersion: this.#setLastSyncRV,
      onError: this.#onError,
      inactivityTimeoutMs: inactivity,
      onProgress: this.#o.onWatchProgress && this.#onWatchProgress,
      onSourceError: this.#o.onWatchStreamError && this.#onWatchStreamError,
    };
  }

  readonly #setLastSyncRV = (rv: string): void => {
    this.#lastSyncRV = rv;
  };

  #startResync(signal: AbortSignal): () => void {
    const period = this.#o.resyncPeriodMs ?? 0;
    if (period <= 0) return () => {};
    let handle: TimerHandle;
    const tick = (): void => {
      if (signal.aborted) return;
      this.#resyncOnce();
      handle = this.#clock.setTimeout(tick, period);
    };
    handle = this.#clock.setTimeout(tick, period);
    return () => this.#clock.clearTimeout(handle);
  }

  /** A failing resync ends the current watch (or the next one, between watches), so the store is relisted. */
  #resyncOnce(): void {
    try {
      if (this.#o.shouldResync && !this.#o.shouldResync()) return;
      this.#store.resync();
    } catch (err) {
      const error = new ReflectorStoreError(this.name, 'resync', err);
      if (this.#session) this.#session.end({ kind: 'error', error });
      else this.#resyncError = error;
    }
  }

  #retryAfter(error: unknown): number {
    return retryAfterMs(error, this.#o.maxRetryAfterMs);
  }

  async #sleep(ms: number, signal: AbortSignal): Promise<void> {
    try {
      await this.#clock.sleep(ms, signal);
    } catch {
      // Aborted: the caller checks the signal.
    }
  }

  #watchListHost(): WatchListHost<T> {
    return {
      name: this.name,
      lw: this.#lw,
      store: this.#store,
      clock: this.#clock,
      backoff: this.#backoff,
      rewatchResourceVersion: () => (this.#rvUnavailable ? '' : this.#lastSyncRV),
      markResourceVersionUnavailable: () => {
        this.#rvUnavailable = true;
      },
      synced: (rv) => {
        this.#rvUnavailable = false;
        this.#progressed = true;
        this.#lastSyncRV = rv;
      },
      watchOptions: (o) => this.#watchOptions(o),
      retryAfterMs: (error) => this.#retryAfter(error),
      sessionOptions: (signal, o) => this.#sessionOptions(signal, o, 'initial'),
    };
  }
}
