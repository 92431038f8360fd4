/**
 * The seed's `Poller`: a Reflector for resources that cannot be watched. Every period it fetches the whole
 * collection and replaces the store's contents with it. Use it only where watching is impossible, and only
 * with a plain store: replacing a queue every period floods its consumer with `Sync` deltas.
 */
import { type Clock, errorReporter, realClock } from '@kubecache/apimachinery';
import type { ReflectorStore } from './store.js';

/** What a poll returns: the objects, and the resource version they were read at when the source knows it. */
export type PollResult<T> = readonly T[] | { readonly items: readonly T[]; readonly resourceVersion?: string };

/** Fetches the whole collection once; `signal` aborts a fetch in flight when the poller stops. */
export type GetFunc<T> = (signal: AbortSignal) => Promise<PollResult<T>>;

/** Options of {@link Poller}. */
export interface PollerOptions<T> {
  /** Fetches the collection. Required. */
  getFunc: GetFunc<T>;
  /** Milliseconds between the end of one poll and the start of the next. Required, > 0. */
  periodMs: number;
  /** Receives every result through `replace`. Required. */
  store: ReflectorStore<T>;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /** Told about failed polls and refused replaces; the next poll comes on schedule. Default: a log line. */
  onError?: (err: Error) => void;
}

/**
 * Polls `getFunc` into `store` until stopped.
 *
 * @example
 * const store = new IndexedStore<Node>();
 * const poller = newPoller(async () => fetchNodes(), 30_000, store);
 * await poller.run(signal); // resolves once `signal` aborts
 */
export class Poller<T> {
  readonly #o: PollerOptions<T>;
  readonly #clock: Clock;
  readonly #onError: (err: Error) => void;

  constructor(options: PollerOptions<T>) {
    if (!(options.periodMs > 0)) throw new RangeError(`Poller: periodMs must be > 0, got ${options.periodMs}`);
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#onError = options.onError ?? errorReporter('poller', { clock: this.#clock });
  }

  /** Polls now, then every `periodMs`, until `signal` aborts; resolves once the poll in flight is done. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.pollOnce(signal);
      await this.#clock.sleep(this.#o.periodMs, signal).catch(() => undefined);
    }
  }

  /** One poll: fetch and replace. Failures are reported, never thrown. */
  async pollOnce(signal: AbortSignal): Promise<void> {
    let result: PollResult<T>;
    try {
      result = await this.#o.getFunc(signal);
    } catch (err) {
      if (!signal.aborted) this.#report(err);
      return;
    }
    if (signal.aborted) return;
    const items = isItemsResult(result) ? result.items : result;
    const rv = isItemsResult(result) ? (result.resourceVersion ?? '') : '';
    try {
      this.#o.store.replace(items, rv);
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    try {
      this.#onError(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // an error sink must not stop the poller
    }
  }
}

function isItemsResult<T>(r: PollResult<T>): r is { readonly items: readonly T[]; readonly resourceVersion?: string } {
  return !Array.isArray(r);
}

/** The seed's `NewPoller(getFunc, period, store)`. */
export function newPoller<T>(getFunc: GetFunc<T>, periodMs: number, store: ReflectorStore<T>): Poller<T> {
  return new Poller({ getFunc, periodMs, store });
}
