/**
 * Watches every ListerWatcher the manager's informers use: counts lists, relists and watches, remembers the
 * last resource version, counts requests by HTTP code, and knows since when an informer has been failing
 * (backoff). The figures feed `/metrics`; the backoff times feed `/readyz`.
 *
 * ```
 *  (new) ──list ok──> ok ──list/watch error──> backoff(since t) ──list ok | watch event──> ok
 * ```
 */
import { type Clock, type ListOptions, StatusError, type WatchEvent } from '@kubecache/apimachinery';
import type { ListerWatcher, ListResult } from '@kubecache/cache';
import { type Observable, tap } from 'rxjs';

/** What the tracker reports as it goes (the Prometheus side implements it). */
export interface InformerMetricsSink {
  /** A LIST was answered (`relist` for every list after the informer's first). */
  listed(informer: string, relist: boolean): void;
  /** A WATCH was opened. */
  watched(informer: string): void;
  /** A request ended with `code` (`'<error>'` when no HTTP response arrived). */
  request(method: string, code: string): void;
  /** The last resource version seen, as a number (its last 15 digits, as client-go's gauge). */
  resourceVersion(informer: string, rv: number): void;
}

/** One informer's state, as `/readyz` sees it. */
export interface TrackedInformer {
  readonly name: string;
  /** Whether a LIST has succeeded at least once. */
  readonly listed: boolean;
  /** Clock time (ms) since which list/watch has been failing; undefined while healthy. */
  readonly failingSince: number | undefined;
  /** The last error, if failing. */
  readonly lastError: unknown;
}

interface State {
  name: string;
  listed: boolean;
  lists: number;
  failingSince: number | undefined;
  lastError: unknown;
}

/** HTTP code of an error, or `'<error>'` (client-go's label for "no response"). */
export function codeOf(err: unknown): string {
  if (err instanceof StatusError) return String(err.code);
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? String(code) : '<error>';
}

/** client-go's `parseRVForMetricsWithTruncation`: the last 15 digits of a numeric RV, else 0. */
export function resourceVersionForMetrics(rv: string | undefined): number {
  if (!rv || !/^\d+$/.test(rv)) return 0;
  return Number(rv.slice(-15));
}

/** Tracks the ListerWatchers it wraps. */
export class InformerTracker {
  readonly #clock: Clock;
  readonly #states = new Map<string, State>();
  sink: InformerMetricsSink | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Every tracked informer. */
  informers(): TrackedInformer[] {
    return [...this.#states.values()].map((s) => ({ ...s }));
  }

  /** Wraps `lw` so its calls are tracked under `name` (names are unique; a second wrap shares the state). */
  wrap<T>(name: string, lw: ListerWatcher<T>): ListerWatcher<T> {
    let s = this.#states.get(name);
    if (!s) {
      s = { name, listed: false, lists: 0, failingSince: undefined, lastError: undefined };
      this.#states.set(name, s);
    }
    const state = s;
    const listed = async (signal: AbortSignal | undefined, call: () => Promise<ListResult<T>>) => {
      try {
        const result = await call();
        this.sink?.request('GET', '200');
        this.sink?.listed(name, state.lists++ > 0);
        this.#recover(state, result.metadata.resourceVersion);
        state.listed = true;
        return result;
      } catch (err) {
        if (!signal?.aborted) this.#fail(state, err, 'GET');
        throw err;
      }
    };
    const streaming = lw.listStreaming?.bind(lw);
    return {
      list: (options, signal) => listed(signal, () => lw.list(options, signal)),
      ...(streaming && {
        listStreaming: (options: ListOptions, sink: (items: readonly T[]) => void, signal?: AbortSignal) =>
          listed(signal, () => streaming(options, sink, signal)),
      }),
      watch: (options): Observable<WatchEvent<T>> => {
        this.sink?.watched(name);
        let opened = false;
        // The resource version metric is set once per run of events a chunk of the stream carries, not per
        // event (a labelled gauge costs a label lookup per set).
        let latestRV: string | undefined;
        let flushQueued = false;
        const flush = (): void => {
          if (!flushQueued) return;
          flushQueued = false;
          this.#recover(state, latestRV);
        };
        return lw.watch(options).pipe(
          tap({
            next: (event) => {
              if (!opened) {
                opened = true;
                this.sink?.request('GET', '200');
              }
              if (event.type === 'ERROR') return;
              latestRV =
                (event.object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? latestRV;
              if (flushQueued) return;
              flushQueued = true;
              queueMicrotask(flush);
            },
            error: (err: unknown) => {
              // Progress made before the failure is recorded first, so the failure is what stays.
              flush();
              this.#fail(state, err, 'GET');
            },
          }),
        );
      },
    };
  }

  #recover(state: State, rv: string | undefined): void {
    state.failingSince = undefined;
    state.lastError = undefined;
    if (rv) this.sink?.resourceVersion(state.name, resourceVersionForMetrics(rv));
  }

  #fail(state: State, err: unknown, method: string): void {
    this.sink?.request(method, codeOf(err));
    state.failingSince ??= this.#clock.now();
    state.lastError = err;
  }
}
