/**
 * The Cacher's readiness (the apiserver's `ready.go`):
 *
 * ```
 *   Pending ──first replace──▶ Ready ──relist / error──▶ Pending
 *      └───────────── stop ──────┴──────── stop ────────▶ Stopped (terminal)
 * ```
 * While not Ready, requests the cache would serve get 429 TooManyRequests with a Retry-After that grows
 * with the downtime.
 */
import type { Clock } from '@kubecache/apimachinery';
import { type StatusError, tooManyRequestsError } from '@kubecache/apimachinery';

/** The three states. */
export type ReadyState = 'Pending' | 'Ready' | 'Stopped';

/** Readiness with a generation counter and the time of the last change. */
export class Ready {
  readonly #clock: Clock;
  #state: ReadyState = 'Pending';
  #generation = 0;
  #lastError: Error | undefined;
  #changedAt: number;
  #waiters: (() => void)[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#changedAt = clock.now();
  }

  get state(): ReadyState {
    return this.#state;
  }

  /** Incremented on every transition to Ready; a watcher registered in another generation is dropped. */
  get generation(): number {
    return this.#generation;
  }

  /** Pending → Ready (no-op when stopped). */
  setReady(): void {
    if (this.#state === 'Stopped') return;
    if (this.#state !== 'Ready') this.#transition('Ready');
    this.#generation++;
    this.#lastError = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Ready → Pending, remembering why (no-op when stopped). */
  setError(err?: Error): void {
    if (this.#state === 'Stopped') return;
    this.#lastError = err;
    if (this.#state !== 'Pending') this.#transition('Pending');
  }

  /** Any → Stopped, for good. */
  stop(): void {
    if (this.#state !== 'Stopped') this.#transition('Stopped');
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once Ready or Stopped. */
  whenReadyOrStopped(): Promise<void> {
    if (this.#state !== 'Pending') return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** `undefined` when Ready; otherwise the 429 to answer with. */
  check(): StatusError | undefined {
    if (this.#state === 'Ready') return undefined;
    return tooManyRequestsError(this.message(), this.retryAfterSeconds());
  }

  /** `storage is (re)initializing[: err]` or `apiserver cacher is stopped`. */
  message(): string {
    if (this.#state === 'Stopped') return 'apiserver cacher is stopped';
    if (this.#state === 'Ready') return '';
    return this.#lastError ? `storage is (re)initializing: ${this.#lastError.message}` : 'storage is (re)initializing';
  }

  /** clamp(floor(e^(0.06 · downtime seconds)), 1, 30). */
  retryAfterSeconds(): number {
    const downtime = Math.max(0, this.#clock.now() - this.#changedAt) / 1000;
    return Math.min(30, Math.max(1, Math.floor(Math.exp(0.06 * downtime))));
  }

  #transition(state: ReadyState): void {
    this.#state = state;
    this.#changedAt = this.#clock.now();
  }
}
