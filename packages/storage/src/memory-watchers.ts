/**
 * The watch side of {@link MemoryStorage}: registered watchers and an ordered, non-reentrant delivery pump,
 * so that a watcher that writes from inside its callback cannot make others see events out of order.
 */

import type { KubeObject } from '@kubecache/apimachinery';
import { deepFreeze } from '@kubecache/apimachinery';
import type { Subscriber } from 'rxjs';
import type { StorageEvent } from './interfaces.js';
import { convertFiltered, matchesObject, predicateEmpty, type SelectionPredicate } from './predicate.js';
import { withResourceVersion } from './versioner.js';

/** One stored revision of one key. */
export interface KeyValue<T> {
  /** The object, frozen, with `metadata.resourceVersion` = `modRevision`. */
  readonly value: T;
  /** The stored bytes (JSON without resourceVersion). */
  readonly json: string;
  readonly createRevision: number;
  readonly modRevision: number;
}

/** One change in the MVCC history. */
export interface HistoryEntry<T> {
  readonly revision: number;
  readonly key: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The state after the change; absent for a delete. */
  readonly current?: KeyValue<T>;
  /** The state before the change; absent for a create. */
  readonly previous?: KeyValue<T>;
}

/** A registered storage watcher. */
export interface MemoryWatcher<T extends KubeObject> {
  readonly key: string;
  readonly recursive: boolean;
  readonly predicate: SelectionPredicate<T> | undefined;
  readonly progressNotify: boolean;
  readonly subscriber: Subscriber<StorageEvent<T>>;
  /** Highest revision delivered (events at or below it are skipped). */
  lastRevision: number;
}

type Pending<T> = HistoryEntry<T> | { readonly progress: number; readonly object: T };

/** Delivers history entries and progress bookmarks to watchers in order. */
export class MemoryWatchHub<T extends KubeObject> {
  readonly #watchers = new Set<MemoryWatcher<T>>();
  #queue: Pending<T>[] = [];
  #head = 0;
  #delivering = false;

  /** Open watches. */
  get size(): number {
    return this.#watchers.size;
  }

  add(w: MemoryWatcher<T>): void {
    this.#watchers.add(w);
  }

  remove(w: MemoryWatcher<T>): void {
    this.#watchers.delete(w);
  }

  /** Queues a change for every matching watcher and delivers unless already delivering. */
  publish(entry: HistoryEntry<T>): void {
    this.#queue.push(entry);
    this.#drain();
  }

  /** Queues a progress bookmark at `revision` for `progressNotify` watchers. */
  progress(revision: number, object: T): void {
    this.#queue.push({ progress: revision, object });
    this.#drain();
  }

  #drain(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      while (this.#head < this.#queue.length) {
        const item = this.#queue[this.#head++] as Pending<T>;
        for (const w of this.#watchers) {
          if ('progress' in item) deliverProgress(w, item.progress, item.object);
          else deliverEntry(w, item);
        }
      }
    } finally {
      this.#queue = [];
      this.#head = 0;
      this.#delivering = false;
    }
  }
}

function deliverProgress<T extends KubeObject>(w: MemoryWatcher<T>, revision: number, object: T): void {
  if (!w.progressNotify || revision < w.lastRevision) return;
  w.lastRevision = revision;
  w.subscriber.next({ type: 'BOOKMARK', object });
}

/** Sends `entry` to `w` if it is new for it, under its key, and passes its filter. */
export function deliverEntry<T extends KubeObject>(w: MemoryWatcher<T>, entry: HistoryEntry<T>): void {
  if (entry.revision <= w.lastRevision) return;
  w.lastRevision = entry.revision;
  if (w.recursive ? !entry.key.startsWith(w.key) : entry.key !== w.key) return;
  const event = toWatchEvent(entry, w.predicate);
  if (event !== undefined) w.subscriber.next(event);
}

/** The event a watcher with `predicate` sees for `entry`, or `undefined` when filtered out. */
export function toWatchEvent<T extends KubeObject>(
  entry: HistoryEntry<T>,
  predicate: SelectionPredicate<T> | undefined,
): StorageEvent<T> | undefined {
  const prev = entry.previous?.value;
  let type: 'ADDED' | 'MODIFIED' | 'DELETED' | undefined = entry.type;
  if (!predicateEmpty(predicate)) {
    const curPasses = entry.current !== undefined && matchesObject(predicate, entry.current.value);
    const prevPasses = prev !== undefined && matchesObject(predicate, prev);
    type = convertFiltered(entry.type, curPasses, prevPasses);
  }
  if (type === undefined) return undefined;
  if (type === 'DELETED') {
    const object = deepFreeze(withResourceVersion(prev as T, entry.revision));
    return { type, object, prevObject: prev as T };
  }
  const object = (entry.current as KeyValue<T>).value;
  return prev === undefined ? { type, object } : { type, object, prevObject: prev };
}
