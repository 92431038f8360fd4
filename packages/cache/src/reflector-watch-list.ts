/**
 * The Reflector's streaming list (client-go's `watchList`, RV-W1): one watch request with
 * `sendInitialEvents=true` replays the current state as ADDED events into a temporary store; the bookmark
 * annotated `k8s.io/initial-events-end: "true"` replaces the real store with it at the bookmark's version,
 * and the same stream then goes on as the regular watch.
 *
 * Retries inside: 429 and connection refused back off; 410 and too-large RV retry from ""; a stream closed
 * before the bookmark asks again, unless it closed within 1 s with no event. Any other error is thrown and
 * the Reflector falls back to a list.
 */

import type { Clock, KubeObject, ListOptions } from '@kubecache/apimachinery';
import type { BackoffManager } from './backoff.js';
import { deletionHandlingMetaNamespaceKeyFunc } from './keys.js';
import type { ListerWatcher } from './list-watch.js';
import {
  isExpiredError,
  isTooLargeResourceVersionError,
  isWatchErrorRetriable,
  replaceInStore,
  VeryShortWatchError,
} from './reflector-errors.js';
import type { ReflectorStore } from './store.js';
import { type WatchEnd, WatchSession, type WatchSessionOptions } from './watch-session.js';

/** What the watch-list path needs from its Reflector. */
export interface WatchListHost<T> {
  readonly name: string;
  readonly lw: ListerWatcher<T>;
  readonly store: ReflectorStore<T>;
  readonly clock: Clock;
  readonly backoff: BackoffManager;
  /** "" when the last version is unavailable, else the last synced version. */
  rewatchResourceVersion(): string;
  markResourceVersionUnavailable(): void;
  /** The store was replaced at `resourceVersion`. */
  synced(resourceVersion: string): void;
  /** The server's `Retry-After` of `error`, capped, in ms (0 when none). */
  retryAfterMs(error: unknown): number;
  /** Adds the randomized server timeout. */
  watchOptions(options: ListOptions): ListOptions;
  sessionOptions(signal: AbortSignal, options: ListOptions): WatchSessionOptions<T>;
}

/** The temporary store of a watch-list: keyed like client-go's, tolerant of tombstones. */
class TemporaryStore<T> implements ReflectorStore<T> {
  readonly items = new Map<string, T>();
  add(obj: T): void {
    this.items.set(deletionHandlingMetaNamespaceKeyFunc(obj), obj);
  }
  update(obj: T): void {
    this.add(obj);
  }
  delete(obj: T): void {
    this.items.delete(deletionHandlingMetaNamespaceKeyFunc(obj));
  }
  replace(): void {}
  resync(): void {}
}

type Attempt<T> =
  | { readonly session: WatchSession<T & KubeObject> }
  | { readonly end: WatchEnd; readonly events: number };

/**
 * Streams the initial state into `host.store`. Resolves to the live session (still watching) once synced,
 * or `undefined` when `signal` aborted; rejects when the Reflector should fall back to listing.
 */
export async function watchList<T extends KubeObject>(
  host: WatchListHost<T>,
  signal: AbortSignal,
): Promise<WatchSession<T> | undefined> {
  for (;;) {
    if (signal.aborted) return undefined;
    const start = host.clock.now();
    const attempt = await watchListOnce(host, signal);
    if ('session' in attempt) return attempt.session as WatchSession<T>;
    const { end, events } = attempt;
    if (end.kind === 'stopped') return undefined;
    if (end.kind === 'closed' || end.kind === 'inactive') {
      if (host.clock.now() - start < 1000 && events === 0) throw new VeryShortWatchError(host.name);
      continue;
    }
    await retryOrThrow(host, end.error, signal);
  }
}

/**
 * client-go's "retriable with side effects", for a failure at the start of the stream or in its middle
 * alike: 429 and connection refused back off; 410 and too-large RV mark the version unavailable (the next
 * request asks for ""); anything else is thrown, so the Reflector lists instead.
 */
async function retryOrThrow<T>(host: WatchListHost<T>, error: unknown, signal: AbortSignal): Promise<void> {
  if (isWatchErrorRetriable(error)) {
    await sleep(host.clock, Math.max(host.backoff.step(), host.retryAfterMs(error)), signal);
  } else if (isExpiredError(error) || isTooLargeResourceVersionError(error)) {
    host.markResourceVersionUnavailable();
  } else {
    throw error;
  }
}

async function watchListOnce<T extends KubeObject>(host: WatchListHost<T>, signal: AbortSignal): Promise<Attempt<T>> {
  const temporary = new TemporaryStore<T>();
  const options = host.watchOptions({
    resourceVersion: host.rewatchResourceVersion(),
    resourceVersionMatch: 'NotOlderThan',
    sendInitialEvents: true,
    allowWatchBookmarks: true,
  });
  const sessionOptions = host.sessionOptions(signal, options);
  const session = new WatchSession<T>(host.lw.watch(options), {
    ...sessionOptions,
    initialStore: temporary,
    onInitialEventsEnd: (rv) => {
      replaceInStore(host.name, host.store, [...temporary.items.values()], rv, sessionOptions.onError);
      host.synced(rv);
    },
  });
  session.start();
  const outcome = await Promise.race([session.synced.then(() => undefined), session.done]);
  if (outcome === undefined || session.isSynced) return { session };
  return { end: outcome, events: session.eventCount };
}

async function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  try {
    await clock.sleep(ms, signal);
  } catch {
    // Aborted: the loop checks the signal.
  }
}
