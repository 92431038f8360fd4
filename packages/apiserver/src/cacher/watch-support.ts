/**
 * Pure pieces of the Cacher's request handling, kept apart from its state: the LIST routing rule, the
 * watcher buffer size, bookmark objects and the watcher that only reports an error.
 */

import type { KubeObject } from '@kubecache/apimachinery';
import { deepFreeze, INITIAL_EVENTS_END_ANNOTATION, internalError, StatusError } from '@kubecache/apimachinery';
import type { StorageListOptions } from '@kubecache/storage';
import { CacheWatcher } from './cache-watcher.js';
import { type EventEncoder, errorEvent } from './watch-cache-event.js';

/** How long an event counts as fresh (the apiserver's `DefaultEventFreshDuration`), in ms. */
export const EVENT_FRESH_DURATION = 75_000;

/**
 * Whether a LIST bypasses the cache (the apiserver's `ShouldDelegateList`, without snapshots): continue
 * tokens and Exact reads; a consistent read (RV `""`) when storage progress is unreliable; the legacy
 * exact read (RV N, limit > 0, recursive, no resourceVersionMatch).
 *
 * @example
 * shouldDelegateList({ resourceVersion: '0', predicate: { limit: 5 } }, 0, true); // false: cache
 */
export function shouldDelegateList<T extends KubeObject>(
  options: StorageListOptions<T>,
  rv: number,
  consistentReadSupported: boolean,
): boolean {
  const limit = options.predicate?.limit ?? 0;
  if (options.predicate?.continue) return true;
  if (options.resourceVersionMatch === 'Exact') return true;
  if (!options.resourceVersion) return !consistentReadSupported;
  return options.resourceVersionMatch === undefined && limit > 0 && rv > 0 && (options.recursive ?? false);
}

/**
 * A watcher's buffer size (`suggestedWatchChannelSize`): history capacity per second of the history window
 * (`freshMs`, in ms), at least 10, at most 10 when the watcher uses the trigger, 1000 when the resource has one it does not use,
 * 100 when the resource has none.
 */
export function suggestedBufferSize(
  historyCapacity: number,
  freshMs: number,
  hasTrigger: boolean,
  triggerUsed: boolean,
): number {
  const size = Math.max(10, Math.ceil(historyCapacity / (freshMs / 1000)));
  const max = hasTrigger ? (triggerUsed ? 10 : 1000) : 100;
  return Math.min(size, max);
}

/** A frozen bookmark object at `rv`; with `initialEventsEnd` it carries `k8s.io/initial-events-end`. */
export function bookmarkObject<T extends KubeObject>(newObject: () => T, rv: number, initialEventsEnd: boolean): T {
  const obj = newObject();
  const metadata = { ...obj.metadata, resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  return deepFreeze({ ...obj, metadata });
}

/** A watcher that sends one ERROR event and closes; a non-Status error becomes a 500 InternalError. */
export function errorWatcher<T extends KubeObject>(err: unknown, encoder: EventEncoder): CacheWatcher<T> {
  const status = err instanceof StatusError ? err.status : internalError(String((err as Error)?.message ?? err)).status;
  return new CacheWatcher<T>({
    key: '/',
    recursive: true,
    capacity: 1,
    encoder,
    startResourceVersion: 0,
    afterInterval: errorEvent<T>(status, encoder),
    closeAfterInterval: true,
  });
}

/** `prefix` with a trailing slash. */
export function withSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}
