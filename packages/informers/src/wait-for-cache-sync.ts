/**
 * Waiting for caches to sync, client-go's `cache.WaitForCacheSync` with time from a clock and cancellation
 * through an `AbortSignal`.
 */
import { type Clock, realClock } from '@kubecache/apimachinery';

/** Something that reports whether it has synced: an informer, a handler registration, or a function. */
export type SyncCheck = (() => boolean) | { hasSynced(): boolean };

/** Options of {@link waitForCacheSync}. */
export interface WaitForCacheSyncOptions {
  /** Stops the wait (the promise resolves `false`). Default never. */
  signal?: AbortSignal;
  /** Poll period in milliseconds. Default 100 (client-go's). */
  pollPeriodMs?: number;
  /** Time source. Default the real clock. */
  clock?: Clock;
  /**
   * Called at each poll; a returned error rejects the wait at once (the fail-fast policy hook, used to
   * surface 401/403/404 instead of waiting forever). Default none.
   */
  failFast?: () => Error | undefined;
}

function synced(check: SyncCheck): boolean {
  return typeof check === 'function' ? check() : check.hasSynced();
}

/**
 * Resolves `true` once every check reports synced, `false` if the signal aborts first, and rejects with
 * the error `failFast` returns.
 *
 * @example
 * if (!(await waitForCacheSync([podInformer, registration], { signal }))) return;
 */
export function waitForCacheSync(
  checks: readonly SyncCheck[],
  options: WaitForCacheSyncOptions = {},
): Promise<boolean> {
  const clock = options.clock ?? realClock;
  const period = options.pollPeriodMs ?? 100;
  const { signal, failFast } = options;
  return new Promise<boolean>((resolve, reject) => {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const finish = (): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      resolve(checks.every(synced)); // one last look, as client-go's WaitFor does
    };
    const poll = (): void => {
      timer = undefined;
      if (checks.every(synced)) {
        finish();
        resolve(true);
        return;
      }
      const err = failFast?.();
      if (err) {
        finish();
        reject(err);
        return;
      }
      timer = clock.setTimeout(poll, period);
    };
    if (signal?.aborted) {
      resolve(checks.every(synced));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    poll();
  });
}
