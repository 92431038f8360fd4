/**
 * Watchers waiting for their next bookmark, in 1-second buckets (the apiserver's
 * `watcherBookmarkTimeBuckets`): popping returns every watcher due up to now, so delivery is accurate to
 * about a second without a timer per watcher.
 */

/** Time buckets of watchers, keyed by whole seconds since `start`. */
export class BookmarkBuckets<W> {
  readonly #start: number;
  readonly #buckets = new Map<number, W[]>();
  #lastPopped: number;

  constructor(start: number) {
    this.#start = start;
    this.#lastPopped = -1;
  }

  /** Queues `watcher` for `at` (ms); a time in an already popped second goes into the next one. */
  add(watcher: W, at: number): void {
    const bucket = Math.max(Math.floor((at - this.#start) / 1000), this.#lastPopped + 1);
    const list = this.#buckets.get(bucket);
    if (list) list.push(watcher);
    else this.#buckets.set(bucket, [watcher]);
  }

  /** Removes and returns the watchers of every bucket up to the second of `now`. */
  popExpired(now: number): W[] {
    const current = Math.floor((now - this.#start) / 1000);
    const out: W[] = [];
    for (const [second, list] of this.#buckets) {
      if (second > current) continue;
      out.push(...list);
      this.#buckets.delete(second);
    }
    this.#lastPopped = Math.max(this.#lastPopped, current);
    return out;
  }

  /** Number of queued watchers. */
  get size(): number {
    let n = 0;
    for (const list of this.#buckets.values()) n += list.length;
    return n;
  }
}
