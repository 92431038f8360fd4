/**
 * The bounded change history of {@link MemoryStorage}: a ring of the newest changes, from which watches
 * replay and old revisions are reconstructed. Dropping the oldest change compacts, like etcd.
 */
import type { HistoryEntry, KeyValue } from './memory-watchers.js';

/** A ring buffer of history entries with etcd-like compaction. */
export class StoreHistory<T> {
  readonly #ring: (HistoryEntry<T> | undefined)[];
  #start = 0;
  #size = 0;
  #compacted = 0;

  constructor(capacity: number) {
    this.#ring = new Array(Math.max(1, capacity));
  }

  /** Revisions below this are gone (0: nothing compacted). */
  get compacted(): number {
    return this.#compacted;
  }

  /** Appends a change; when full the oldest is dropped and the compact revision moves past it. */
  append(entry: HistoryEntry<T>): void {
    const cap = this.#ring.length;
    if (this.#size === cap) this.#dropOldest();
    this.#ring[(this.#start + this.#size) % cap] = entry;
    this.#size++;
  }

  /** Drops every change below `revision` and records it as the compact revision. */
  compact(revision: number): void {
    while (this.#size > 0 && (this.#at(0) as HistoryEntry<T>).revision < revision) this.#dropOldest();
    this.#compacted = Math.max(this.#compacted, revision);
  }

  /** The changes with a revision above `revision`, oldest first. */
  *since(revision: number): Generator<HistoryEntry<T>> {
    let [lo, hi] = [0, this.#size];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#at(mid) as HistoryEntry<T>).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#size; i++) yield this.#at(i) as HistoryEntry<T>;
  }

  /** The key-value state at `revision`, by undoing newer changes on a copy of `current`. */
  stateAt(current: ReadonlyMap<string, KeyValue<T>>, revision: number): Map<string, KeyValue<T>> {
    const state = new Map(current);
    for (let i = this.#size - 1; i >= 0; i--) {
      const entry = this.#at(i) as HistoryEntry<T>;
      if (entry.revision <= revision) break;
      if (entry.previous) state.set(entry.key, entry.previous);
      else state.delete(entry.key);
    }
    return state;
  }

  #at(i: number): HistoryEntry<T> | undefined {
    return this.#ring[(this.#start + i) % this.#ring.length];
  }

  #dropOldest(): void {
    const oldest = this.#at(0) as HistoryEntry<T>;
    this.#ring[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.#ring.length;
    this.#size--;
    this.#compacted = Math.max(this.#compacted, oldest.revision + 1);
  }
}
