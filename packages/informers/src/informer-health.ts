/**
 * Per-informer health, which client-go does not expose (pain point 5: RBAC 403s and missing CRDs show up
 * only as "timed out waiting for cache sync"). The phase and every error come from the Reflector's status
 * (list and watch paths alike); progress from the lists the ListerWatcher answers and from the Reflector's
 * `onWatchProgress` (told a few times per chunk of watch events, not per event):
 *
 * ```
 *  idle ──run──> listing ──list ok──> watching ──error──> backoff(until) ──retry──> listing | watching
 *      any state ──stop──> stopped
 * ```
 */
import { type Clock, type KubeObject, type ListOptions, StatusError, type WatchEvent } from '@kubecache/apimachinery';
import type { ListerWatcher, ListResult, ReflectorStatus } from '@kubecache/cache';
import type { Observable } from 'rxjs';

/** Where an informer is in its list/watch cycle. */
export type InformerPhase = 'idle' | 'listing' | 'watching' | 'backoff' | 'stopped';

/** A snapshot of an informer's health. */
export interface InformerHealth {
  readonly phase: InformerPhase;
  /** The last list/watch error, if any since start. */
  readonly lastError: Error | undefined;
  /** Failed list/watch attempts (list and watch paths) since the last successful list or watch event. */
  readonly consecutiveFailures: number;
  /** In `backoff`: the clock time (ms) of the next attempt; otherwise `undefined`. */
  readonly backoffUntil: number | undefined;
  /** The resource version the store was last synced to (`''` before the first list). */
  readonly lastSyncResourceVersion: string;
  /** Clock time (ms) of the last list or watch event received; `undefined` before any. */
  readonly lastEventAt: number | undefined;
}

/** Decides whether an error should make `waitForCacheSync` give up at once. */
export type FailFastPolicy = (err: Error) => boolean;

/** Node's codes for a server certificate that failed verification (an untrusted CA, a wrong name, expiry…). */
const CERTIFICATE_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Whether `err`, or an error in its `cause` chain, says the server's certificate failed verification. Such
 * an error does not go away by retrying, so it fails `waitForCacheSync` at once, like a 401.
 */
export function isCertificateError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_ERROR_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The default policy: fail fast on 401 Unauthorized, 403 Forbidden, 404 Not Found and a server certificate
 * that failed verification (none of them fixes itself; anything else is retried and logged).
 */
export const failFastOnAuthAndNotFound: FailFastPolicy = (err) =>
  (err instanceof StatusError && (err.code === 401 || err.code === 403 || err.code === 404)) || isCertificateError(err);

/** Tracks one informer's health. Internal to the shared informer. */
export class HealthTracker {
  readonly #clock: Clock;
  phase: InformerPhase = 'idle';
  lastError: Error | undefined;
  consecutiveFailures = 0;
  lastEventAt: number | undefined;
  backoffUntil: number | undefined;
  /** Called after every change (the informer wakes its sync waiters). */
  onChange: () => void = () => {};

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Records what the Reflector does now; a wait with an error counts as a failure. */
  status(status: ReflectorStatus): void {
    if (this.phase === 'stopped') return;
    this.phase = status.phase;
    this.backoffUntil = status.phase === 'backoff' ? status.until : undefined;
    if (status.phase === 'backoff' && status.error) {
      this.lastError = status.error;
      this.consecutiveFailures++;
    }
    this.onChange();
  }

  /**
   * Records an error of a watch stream as the last error (the Reflector's status then counts the failure,
   * if it is one).
   */
  noted(err: Error): void {
    if (this.phase === 'stopped') return;
    this.lastError = err;
    this.onChange();
  }

  /** Marks the informer stopped (final). */
  stopped(): void {
    this.phase = 'stopped';
    this.backoffUntil = undefined;
  }

  /** Records progress (a list answered, watch events arrived) at `at`, by default now. */
  progressed(at = this.#clock.now()): void {
    if (this.phase === 'stopped') return;
    this.consecutiveFailures = 0;
    this.lastEventAt = at;
  }

  /**
   * Wraps a ListerWatcher so that an answered list counts as progress. The watch is passed through untouched:
   * its progress and errors come from the Reflector's hooks, which cost the watch path nothing per event.
   */
  wrap<T extends KubeObject>(lw: ListerWatcher<T>): ListerWatcher<T> {
    const streaming = lw.listStreaming?.bind(lw);
    return {
      ...(streaming && {
        listStreaming: async (options, sink, signal) => {
          const result = await streaming(options, sink, signal);
          this.progressed();
          return result;
        },
      }),
      list: async (options: ListOptions, signal?: AbortSignal): Promise<ListResult<T>> => {
        const result = await lw.list(options, signal);
        this.progressed();
        return result;
      },
      watch: (options: ListOptions): Observable<WatchEvent<T>> => lw.watch(options),
    };
  }
}
