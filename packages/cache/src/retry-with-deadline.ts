/**
 * client-go's `RetryWithDeadline`: retry a class of errors for at most `maxRetryDurationMs` since the first
 * of them; a quiet spell of `resetAfter` starts the window over. The Reflector uses it for watch errors of
 * kind InternalError (`maxInternalErrorRetryDuration`).
 */
import type { Clock } from '@kubecache/apimachinery';

/** Options of {@link RetryWithDeadline}. */
export interface RetryWithDeadlineOptions {
  /** How long errors are retried after the first, in ms. 0 never retries. */
  maxRetryDurationMs: number;
  /** A gap this long since the previous matching error starts a new window, in ms. */
  resetAfterMs: number;
  /** Which errors count. */
  isRetryable: (err: unknown) => boolean;
  /** Source of time. */
  clock: Clock;
}

/** A retry window over a class of errors. Call {@link after} with each outcome, {@link shouldRetry} to decide. */
export class RetryWithDeadline {
  readonly #o: RetryWithDeadlineOptions;
  #firstErrorAt: number | undefined;
  #lastErrorAt: number | undefined;

  constructor(options: RetryWithDeadlineOptions) {
    this.#o = options;
  }

  /** Records an outcome; `undefined` or a non-matching error leaves the window alone. */
  after(err: unknown): void {
    if (err === undefined || !this.#o.isRetryable(err)) return;
    const now = this.#o.clock.now();
    if (this.#lastErrorAt === undefined || now - this.#lastErrorAt >= this.#o.resetAfterMs) this.#firstErrorAt = now;
    this.#lastErrorAt = now;
  }

  /** Whether the last matching error is still within the window. */
  shouldRetry(): boolean {
    if (this.#o.maxRetryDurationMs <= 0) return false;
    if (this.#firstErrorAt !== undefined && this.#o.clock.now() - this.#firstErrorAt <= this.#o.maxRetryDurationMs) {
      return true;
    }
    this.#firstErrorAt = undefined;
    this.#lastErrorAt = undefined;
    return false;
  }
}
