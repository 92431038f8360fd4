/**
 * A fake list/watch source for tests (client-go's `FakeControllerSource`): an in-memory resource with a
 * resource-version counter and an event history, so a Reflector can list, watch, resume and be told 410.
 */

import type { KubeObject, ListOptions } from '@kubecache/apimachinery';
import {
  expiredError,
  failureStatus,
  INITIAL_EVENTS_END_ANNOTATION,
  type Status,
  StatusError,
  type WatchEvent,
} from '@kubecache/apimachinery';
import { Observable, type Subscriber } from 'rxjs';
import { metaNamespaceKeyFunc } from '../keys.js';
import type { ListerWatcher, ListResult } from '../list-watch.js';

/** Options of {@link FakeControllerSource}. */
export interface FakeControllerSourceOptions {
  /** Answer watch-list requests (`sendInitialEvents`) with 422 Invalid, as old servers do. Default false. */
  rejectWatchList?: boolean;
}

interface Change<T> {
  readonly rv: number;
  readonly event: WatchEvent<T>;
}

/**
 * An in-memory {@link ListerWatcher}. Every change bumps the resource version and stamps it on a copy of
 * the object. A watch from a version replays every change after it (from "0": the whole history). The `…DropWatch` variants change the state and the history without telling open watches
 * (a lost event); {@link resetWatch} closes every watch and forgets the history, so older versions get 410.
 * Failures can be queued for the next list or watch calls; every call's options are recorded.
 *
 * @example
 * const source = new FakeControllerSource<Pod>();
 * source.add(makePod(0));
 * const reflector = new Reflector({ listerWatcher: source, store, clock });
 */
export class FakeControllerSource<T extends KubeObject = KubeObject> implements ListerWatcher<T> {
  /** Options of every `list` call, in order. */
  readonly listCalls: ListOptions[] = [];
  /** Options of every `watch` subscription, in order. */
  readonly watchCalls: ListOptions[] = [];
  readonly #rejectWatchList: boolean;
  readonly #items = new Map<string, T>();
  readonly #watchers = new Set<Subscriber<WatchEvent<T>>>();
  #history: Change<T>[] = [];
  #rv = 0;
  #floor = 0;
  #snapshot: { rv: number; items: T[] } | undefined;
  readonly #listFailures: unknown[] = [];
  readonly #watchFailures: unknown[] = [];

  constructor(options: FakeControllerSourceOptions = {}) {
    this.#rejectWatchList = options.rejectWatchList ?? false;
  }

  /** Adds `obj` and tells open watches. Returns the stored copy. */
  add(obj: T): T {
    return this.#change('ADDED', obj, true);
  }
  /** Replaces `obj` and tells open watches. */
  modify(obj: T): T {
    return this.#change('MODIFIED', obj, true);
  }
  /** Deletes `obj` (its last value) and tells open watches. */
  delete(obj: T): T {
    return this.#change('DELETED', obj, true);
  }
  /** Adds `obj` without telling open watches. */
  addDropWatch(obj: T): T {
    return this.#change('ADDED', obj, false);
  }
  /** Replaces `obj` without telling open watches. */
  modifyDropWatch(obj: T): T {
    return this.#change('MODIFIED', obj, false);
  }
  /** Deletes `obj` without telling open watches. */
  deleteDropWatch(obj: T): T {
    return this.#change('DELETED', obj, false);
  }

  /** Closes every open watch and forgets the history: a watch from an older version gets 410. */
  resetWatch(): void {
    this.#history = [];
    this.#floor = this.#rv;
    this.closeWatches();
  }

  /** Closes every open watch cleanly (the server's timeout, a proxy cut). */
  closeWatches(): void {
    for (const w of [...this.#watchers]) w.complete();
    this.#watchers.clear();
  }

  /** Sends an ERROR event with `status` to every open watch, then closes them. */
  sendError(status: Status): void {
    for (const w of [...this.#watchers]) {
      w.next({ type: 'ERROR', object: status });
      w.complete();
    }
    this.#watchers.clear();
  }

  /** Sends a BOOKMARK at the current version to every open watch. */
  sendBookmark(): void {
    const event = bookmark<T>(String(this.#rv), false);
    for (const w of [...this.#watchers]) w.next(event);
  }

  /** Makes the next `list` call reject with `err` (queued; one per call). */
  failNextList(err: unknown): void {
    this.#listFailures.push(err);
  }
  /** Makes the next `watch` subscription fail to start with `err` (queued; one per call). */
  failNextWatch(err: unknown): void {
    this.#watchFailures.push(err);
  }

  /** The current resource version. */
  resourceVersion(): string {
    return String(this.#rv);
  }
  /** How many watches are open now. */
  openWatches(): number {
    return this.#watchers.size;
  }
  /** The current objects. */
  items(): T[] {
    return [...this.#items.values()];
  }

  async list(options: ListOptions, signal?: AbortSignal): Promise<ListResult<T>> {
    this.listCalls.push({ ...options });
    signal?.throwIfAborted();
    const failure = this.#listFailures.shift();
    if (failure !== undefined) throw failure;
    const limit = options.limit ?? 0;
    const [rv, offset] = this.#parseContinue(options.continue);
    if (offset === 0) this.#snapshot = { rv: this.#rv, items: [...this.#items.values()] };
    const all = this.#snapshot as { rv: number; items: T[] };
    const end = limit > 0 ? Math.min(offset + limit, all.items.length) : all.items.length;
    const metadata = { resourceVersion: String(rv ?? all.rv) } as ListResult<T>['metadata'] & { continue?: string };
    if (end < all.items.length) metadata.continue = `${rv ?? all.rv}/${end}`;
    return { metadata, items: all.items.slice(offset, end) };
  }

  watch(options: ListOptions): Observable<WatchEvent<T>> {
    return new Observable<WatchEvent<T>>((subscriber) => {
      this.watchCalls.push({ ...options });
      const failure = this.#watchFailures.shift();
      if (failure !== undefined) {
        subscriber.error(failure);
        return;
      }
      if (options.sendInitialEvents && this.#rejectWatchList) {
        subscriber.error(new StatusError(failureStatus(422, 'Invalid', 'sendInitialEvents is not supported')));
        return;
      }
      this.#startWatch(subscriber, options);
      return () => {
        this.#watchers.delete(subscriber);
      };
    });
  }

  #startWatch(subscriber: Subscriber<WatchEvent<T>>, options: ListOptions): void {
    const from = options.resourceVersion ?? '';
    // A numeric version, "0" included, replays the history after it, as client-go's fake does; only an
    // unset version (or a watch-list) starts from the current objects.
    if (options.sendInitialEvents || from === '') {
      for (const obj of this.#items.values()) subscriber.next({ type: 'ADDED', object: obj });
      if (options.sendInitialEvents) subscriber.next(bookmark<T>(String(this.#rv), true));
    } else {
      const rv = Number(from);
      if (!(rv >= this.#floor)) {
        const err = expiredError(`too old resource version: ${from} (${this.#floor + 1})`);
        subscriber.next({ type: 'ERROR', object: err.status });
        subscriber.complete();
        return;
      }
      for (let i = this.#firstAfter(rv); i < this.#history.length; i++) {
        subscriber.next((this.#history[i] as Change<T>).event);
      }
    }
    if (!subscriber.closed) this.#watchers.add(subscriber);
  }

  #change(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T, broadcast: boolean): T {
    this.#rv++;
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.#rv) } } as T;
    const key = metaNamespaceKeyFunc(stored);
    if (type === 'DELETED') this.#items.delete(key);
    else this.#items.set(key, stored);
    const event: WatchEvent<T> = { type, object: stored };
    this.#history.push({ rv: this.#rv, event });
    if (broadcast) for (const w of this.#watchers) w.next(event);
    return stored;
  }

  #firstAfter(rv: number): number {
    let lo = 0;
    let hi = this.#history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#history[mid] as Change<T>).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #parseContinue(token: string | undefined): [rv: number | undefined, offset: number] {
    if (!token) return [undefined, 0];
    const [rv, offset] = token.split('/').map(Number) as [number, number];
    if (rv < this.#floor) throw expiredError('The provided continue parameter is too old');
    return [rv, offset];
  }
}

function bookmark<T>(resourceVersion: string, initialEventsEnd: boolean): WatchEvent<T> {
  const metadata: KubeObject['metadata'] = { resourceVersion };
  if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  return { type: 'BOOKMARK', object: { metadata } as T };
}
