/**
 * A test double for expiration (client-go's `FakeExpirationPolicy`): expiry decided by a set of keys
 * instead of by time.
 */
import type { ExpirationPolicy, TimestampedEntry } from '../expiration-cache.js';

/** Options of {@link FakeExpirationPolicy}. */
export interface FakeExpirationPolicyOptions<T> {
  /** Keys that never expire. Default none: everything expires. */
  neverExpire?: Iterable<string>;
  /** Finds the key of an entry to look up in `neverExpire`. Default: the entry's own key. */
  retrieveKeyFunc?: (entry: TimestampedEntry<T>) => string;
}

/**
 * Expires every entry whose key is not in `neverExpire`. `neverExpire` is a live set: tests add keys to it
 * to keep entries alive from then on.
 *
 * @example
 * const policy = new FakeExpirationPolicy<Pod>({ neverExpire: ['default/keep'] });
 * const cache = new ExpirationCache<Pod>({ policy });
 */
export class FakeExpirationPolicy<T = unknown> implements ExpirationPolicy<T> {
  /** The keys that never expire. */
  readonly neverExpire: Set<string>;
  readonly #retrieveKeyFunc: (entry: TimestampedEntry<T>) => string;

  constructor(options: FakeExpirationPolicyOptions<T> = {}) {
    this.neverExpire = new Set(options.neverExpire ?? []);
    this.#retrieveKeyFunc = options.retrieveKeyFunc ?? ((entry) => entry.key);
  }

  isExpired(entry: TimestampedEntry<T>): boolean {
    return !this.neverExpire.has(this.#retrieveKeyFunc(entry));
  }
}
