/**
 * The errors a Reflector produces or reacts to, and the predicates that classify them (client-go's
 * `isExpiredError`, `isTooLargeResourceVersionError`, `isWatchErrorRetriable`).
 */
import { isStatusCode, StatusError } from '@kubecache/apimachinery';
import { SkippedObjectsError } from './queue.js';
import type { ReflectorStore } from './store.js';

/** A watch that closed within 1 s without a single event: treated as an error, so the reflector backs off. */
export class VeryShortWatchError extends Error {
  override readonly name = 'VeryShortWatchError';
  constructor(reflectorName: string) {
    super(
      `${reflectorName}: very short watch: unexpected watch close - watch lasted less than a second and no items received`,
    );
  }
}

/** A list did not answer within the list timeout (a dead or half-open connection); it was abandoned. */
export class ListTimeoutError extends Error {
  override readonly name = 'ListTimeoutError';
  constructor(reflectorName: string, timeoutMs: number) {
    super(`${reflectorName}: the list did not answer within ${timeoutMs} ms; abandoning it`);
  }
}

/** No event (not even a bookmark) arrived within the inactivity timeout: the connection is presumed dead. */
export class WatchInactivityError extends Error {
  override readonly name = 'WatchInactivityError';
  constructor(reflectorName: string, idleMs: number) {
    super(`${reflectorName}: no watch event for ${idleMs} ms; dropping the connection`);
  }
}

/** A watch or list delivered an object of another kind, or from outside the namespace; it was dropped. */
export class UnexpectedObjectError extends Error {
  override readonly name = 'UnexpectedObjectError';
  readonly obj: unknown;
  constructor(reflectorName: string, expected: string, obj: unknown, expectedNamespace?: string) {
    const o = obj as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } } | null;
    const kindOk = typeof o === 'object' && o !== null && (!o.kind || expected === 'object' || o.kind === expected);
    const what = kindOk
      ? `namespace ${expectedNamespace}, but ${String(o.kind ?? 'an object')} ${String(o.metadata?.name)} is in namespace ${String(o.metadata?.namespace)}`
      : `kind ${expected}, but watch event object had kind ${String(o?.kind)}`;
    super(`${reflectorName}: expected ${what}`);
    this.obj = obj;
  }
}

/**
 * Whether a listed or watched object is one the reflector wants: an object (not null), of `expectedKind`
 * when both are set, and in `expectedNamespace` when that is set.
 */
export function isExpectedObject(obj: unknown, expectedKind?: string, expectedNamespace?: string): boolean {
  if (obj === null || typeof obj !== 'object') return false;
  const o = obj as { kind?: unknown; metadata?: { namespace?: unknown } };
  if (expectedKind && o.kind && o.kind !== expectedKind) return false;
  return !expectedNamespace || o.metadata?.namespace === expectedNamespace;
}

/**
 * A watch event carried no resource version. Its object is still applied (a BOOKMARK is dropped), but the
 * position the next watch resumes from stays at the last good version, so no change in between is missed.
 */
export class MissingResourceVersionError extends Error {
  override readonly name = 'MissingResourceVersionError';
  constructor(reflectorName: string, eventType: string) {
    super(`${reflectorName}: ${eventType} event without a resourceVersion; keeping the last known version`);
  }
}

/** The store threw while the reflector applied an event, a list or a resync. The reflector carries on. */
export class ReflectorStoreError extends Error {
  override readonly name = 'ReflectorStoreError';
  constructor(reflectorName: string, operation: string, cause: unknown) {
    super(`${reflectorName}: store ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** Stopping a watch failed (its Observable's teardown threw). The watch is treated as stopped. */
export class WatchTeardownError extends Error {
  override readonly name = 'WatchTeardownError';
  constructor(reflectorName: string, cause: unknown) {
    super(`${reflectorName}: stopping the watch failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** 410 Expired or Gone: the resource version is no longer available. */
export function isExpiredError(err: unknown): boolean {
  return isStatusCode(err, 410);
}

/**
 * The server cannot serve a resource version that new yet: a cause `ResourceVersionTooLarge`, or (old servers)
 * a 504 Timeout whose message says "Too large resource version".
 */
export function isTooLargeResourceVersionError(err: unknown): boolean {
  if (!(err instanceof StatusError)) return false;
  // The Status came from a server: check the shapes rather than trust them.
  const causes: unknown = err.status.details?.causes;
  if (
    Array.isArray(causes) &&
    causes.some((c) => (c as { reason?: unknown } | null)?.reason === 'ResourceVersionTooLarge')
  ) {
    return true;
  }
  const message: unknown = err.status.message;
  return err.code === 504 && typeof message === 'string' && message.includes('Too large resource version');
}

/**
 * Whether a relist fixes the failure at once, so retrying without delay is safe: no error, a 410 or a
 * too-large resource version (the resume point, not the server, is the problem), or our own store failing.
 * A 429, a 5xx or a network error means the server or the path to it is unwell: those back off.
 */
export function isFixedByRelist(err: unknown): boolean {
  return (
    err === undefined ||
    isExpiredError(err) ||
    isTooLargeResourceVersionError(err) ||
    err instanceof ReflectorStoreError
  );
}

/** 429 TooManyRequests. */
export function isTooManyRequests(err: unknown): err is StatusError {
  return isStatusCode(err, 429);
}

/** 500 InternalError. */
export function isInternalError(err: unknown): boolean {
  return err instanceof StatusError && err.code === 500 && err.reason === 'InternalError';
}

/** Whether `err`, or an error in its `cause` chain, has the Node error code `ECONNREFUSED`. */
export function isConnectionRefused(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.some(isConnectionRefused)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A watch that failed to start with this error is retried after a backoff, without relisting. */
export function isWatchErrorRetriable(err: unknown): boolean {
  return isConnectionRefused(err) || isTooManyRequests(err);
}

/** The longest a Reflector obeys a server's `Retry-After` by default: 60 s. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * The delay the server asked for (`Retry-After`), in ms, at most `capMs` (default 60 s: a server asking for
 * hours must not leave a store stale that long), or 0 when it asked for none.
 */
export function retryAfterMs(err: unknown, capMs = DEFAULT_MAX_RETRY_AFTER_MS): number {
  const seconds = err instanceof StatusError ? err.retryAfterSeconds : undefined;
  if (typeof seconds !== 'number' || !(seconds > 0)) return 0;
  return Math.min(seconds * 1000, Math.max(0, capMs));
}

/** Wraps anything thrown into an `Error`. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err), { cause: err });
}

/**
 * `store.replace(items, rv)` for a reflector: objects the store left out (a {@link SkippedObjectsError}) are
 * reported and the relist counts as applied; any other failure throws a {@link ReflectorStoreError}. With
 * `sliced`, a store's `replaceSliced` is used when it has one: the returned promise (if any) settles, or
 * rejects as above, once the store is done, and nothing may be written to it before.
 */
export function replaceInStore<T>(
  reflectorName: string,
  store: ReflectorStore<T>,
  items: T[],
  resourceVersion: string,
  onError: (err: Error) => void,
  sliced = false,
): void | Promise<void> {
  const failed = (err: unknown): void => {
    const error = new ReflectorStoreError(reflectorName, 'replace', err);
    if (!(err instanceof SkippedObjectsError)) throw error;
    onError(error);
  };
  let pending: void | Promise<void>;
  try {
    pending =
      sliced && store.replaceSliced
        ? store.replaceSliced(items, resourceVersion)
        : store.replace(items, resourceVersion);
  } catch (err) {
    failed(err);
    return undefined;
  }
  return pending === undefined ? undefined : pending.catch(failed);
}
