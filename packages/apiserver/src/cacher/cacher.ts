/**
 * The Cacher (the apiserver's `cacher.go` with its delegator): many watchers and lists served from one
 * list+watch of the storage. A Reflector fills the {@link WatchCache}; LIST and GET are answered from it
 * when the resource-version rules allow and delegated to storage otherwise; watches replay an interval and
 * then receive events through the {@link Dispatcher}.
 */
import type { Clock, KubeObject, TimerHandle } from '@kubecache/apimachinery';
import { badRequestError, errorReporter, internalError, realClock, type StatusError } from '@kubecache/apimachinery';
import type { ListerWatcher, ReflectorStore } from '@kubecache/cache';
import { Reflector } from '@kubecache/cache';
import type { GetOptions, Storage, StorageList, StorageListOptions } from '@kubecache/storage';
import {
  type AttrsFunc,
  defaultAttrs,
  isTooLargeResourceVersion,
  parseResourceVersion,
  StorageError,
} from '@kubecache/storage';
import { exactFieldMatch, predicateEmpty, prepareKey } from '@kubecache/storage/internal';
import { type CachedPage, defaultKeyFunc, listFromCache } from './cache-list.js';
import { CacheWatcher } from './cache-watcher.js';
import { Dispatcher, type DispatchStats } from './dispatcher.js';
import { Ready } from './ready.js';
import { storageListerWatcher } from './storage-lister-watcher.js';
import { TimeBudget } from './time-budget.js';
import { WatchCache } from './watch-cache.js';
import { type EventEncoder, jsonLineEncoder, objectEvent } from './watch-cache-event.js';
import { upperBoundForWindow } from './watch-cache-history.js';
import type { WatchCacheInterval } from './watch-cache-interval.js';
import {
  bookmarkObject,
  EVENT_FRESH_DURATION,
  errorWatcher,
  shouldDelegateList,
  suggestedBufferSize,
  withSlash,
} from './watch-support.js';

/** The one indexed trigger of a resource (pods: `spec.nodeName`). */
export interface CacherTrigger<T> {
  /** The field selector field that routes watchers, e.g. `spec.nodeName`. */
  field: string;
  /** The field's value for an object. */
  valueOf: (obj: T) => string;
}

/** What fills the watch cache: the project's Reflector by default. */
export type CacheFiller<T extends KubeObject> = (
  listerWatcher: ListerWatcher<T>,
  store: ReflectorStore<T>,
) => { listAndWatch(signal: AbortSignal): Promise<void> };

/** Options of {@link Cacher}. */
export interface CacherOptions<T extends KubeObject> {
  /** The storage behind the cache. */
  storage: Storage<T>;
  /** The resource's key prefix, e.g. `/pods`. */
  resourcePrefix: string;
  /** Storage key of an object. Default `<prefix>/<namespace>/<name>` (or `<prefix>/<name>`). */
  keyFunc?: (obj: T) => string;
  /** Labels and fields of an object. Default: labels, `metadata.name`, `metadata.namespace`. */
  getAttrs?: AttrsFunc<T>;
  /** An empty object of the resource, for bookmarks. Default `{ metadata: {} }`. */
  newObject?: () => T;
  /** The indexed trigger. Default: none. */
  trigger?: CacherTrigger<T>;
  /** Source of time. Default the real clock. */
  clock?: Clock;
  /** History window, in ms; at least 75 000. Default 75 000. */
  eventsHistoryWindowMs?: number;
  /** Initial (and minimum) history capacity, in events. Default 100. */
  historyLowerBound?: number;
  /** Bookmark period per watcher, in ms. Default 60 000. */
  bookmarkFrequencyMs?: number;
  /** Live-event buffer per watcher, in events. Default: the apiserver's suggested size (10–1000). */
  watcherBufferSize?: number;
  /** Serializes outgoing watch events and objects. Default: one JSON line. */
  encoder?: EventEncoder;
  /** Randomness in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Replaces the Reflector (tests). */
  filler?: CacheFiller<T>;
  /**
   * Receives errors the cacher recovers from. Default: `console.error` naming the cacher's resource, once per
   * distinct error per minute (`errorReporter` of @kubecache/apimachinery).
   */
  onError?: (err: Error) => void;
  /**
   * Incoming events queued before dispatch stops waiting for slow watchers (they are cut off at once), in
   * events. Default 100, as the apiserver's `incoming` channel.
   */
  incomingQueueCapacity?: number;
}

/** Options of {@link Cacher.watch}: storage list options plus the request's timeout. */
export interface CacherWatchOptions<T extends KubeObject> extends StorageListOptions<T> {
  /** The client's watch timeout, in seconds (bookmarks are sent 2 s before it). */
  timeoutSeconds?: number;
}

/** The `kind` and `apiVersion` of a list body, e.g. `PodList` and `v1`. */
export interface ListKind {
  kind: string;
  apiVersion: string;
}

/** Counters for tests and benchmarks. */
export interface CacherStats extends DispatchStats {
  /** Event and object serializations performed. */
  serializations: number;
  /** Events and ticks waiting in the incoming queue. */
  queued: number;
}

const MIN_WINDOW = EVENT_FRESH_DURATION;
const WATCH_LIST_UNSUPPORTED =
  'a watch stream was requested by the client but the required storage feature RequestWatchProgress is disabled';

/**
 * A watch cache in front of a {@link Storage}.
 *
 * @example
 * const cacher = new Cacher({ storage, resourcePrefix: '/pods' });
 * cacher.start();
 * await cacher.waitUntilReady();
 * const watcher = await cacher.watch('/pods', { recursive: true, resourceVersion: '0' });
 * watcher.events$.subscribe((e) => console.log(e.type));
 */
export class Cacher<T extends KubeObject = KubeObject> {
  readonly ready: Ready;
  readonly watchCache: WatchCache<T>;
  readonly #o: CacherOptions<T>;
  readonly #onError: (err: Error) => void;
  readonly #clock: Clock;
  readonly #dispatcher: Dispatcher<T>;
  readonly #encode: EventEncoder;
  readonly #stats: { serializations: number } = { serializations: 0 };
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: CacherOptions<T>) {
    const window = options.eventsHistoryWindowMs ?? MIN_WINDOW;
    if (window < MIN_WINDOW) throw new Error(`eventsHistoryWindow must be at least ${MIN_WINDOW} ms, got ${window}`);
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    const report = options.onError ?? errorReporter(`cacher ${options.resourcePrefix}`, { clock: this.#clock });
    this.#onError = (err) => {
      try {
        report(err);
      } catch {
        // a throwing error sink must not stop the cacher
      }
    };
    this.ready = new Ready(this.#clock);
    const encode = options.encoder ?? jsonLineEncoder;
    this.#encode = (event) => {
      this.#stats.serializations++;
      return encode(event);
    };
    this.watchCache = new WatchCache<T>({
      keyFunc: options.keyFunc ?? defaultKeyFunc(options.resourcePrefix),
      getAttrs: options.getAttrs ?? defaultAttrs,
      clock: this.#clock,
      eventFreshDurationMs: window,
      lowerBoundCapacity: options.historyLowerBound ?? 100,
      upperBoundCapacity: upperBoundForWindow(window),
      ...(options.trigger && { triggerValue: options.trigger.valueOf }),
      onEvent: (event) => this.#dispatcher.enqueue(event),
      onReplace: () => this.#onReplace(),
      onBookmark: (rv) => this.#dispatcher.enqueueProgress(rv),
    });
    this.#dispatcher = new Dispatcher<T>({
      clock: this.#clock,
      budget: new TimeBudget({ clock: this.#clock }),
      keyPrefix: withSlash(options.resourcePrefix),
      triggerValue: options.trigger?.valueOf,
      bookmarkFrequencyMs: options.bookmarkFrequencyMs ?? 60_000,
      newBookmark: (rv) => objectEvent('BOOKMARK', this.#bookmark(rv, false), this.#encode),
      ...(options.random && { random: options.random }),
      ...(options.incomingQueueCapacity !== undefined && { queueCapacity: options.incomingQueueCapacity }),
    });
  }

  /** Serializations, dispatched events and terminated watchers so far. */
  get stats(): CacherStats {
    const dispatcher = this.#dispatcher;
    return { ...dispatcher.stats, serializations: this.#stats.serializations, queued: dispatcher.queued };
  }

  /** Registered watchers. */
  get watcherCount(): number {
    return this.#dispatcher.watcherCount;
  }

  /** Starts caching (idempotent): list+watch the storage, relisting 1 s after each end. */
  start(): void {
    if (this.#running || this.ready.state === 'Stopped') return;
    this.#dispatcher.start();
    this.#running = this.#startCaching();
  }

  /**
   * Stops for good: watchers are closed, requests get 429 (also those waiting for freshness), the
   * reflector ends and every timer is released. Resolves when it has.
   */
  async stop(): Promise<void> {
    this.ready.stop();
    this.watchCache.cancelWaiters(this.ready.check() as StatusError);
    this.#stop.abort();
    this.#dispatcher.stop();
    this.#dispatcher.terminateAll();
    await this.#running;
  }

  /** Resolves when the cache is Ready (or stopped). */
  waitUntilReady(): Promise<void> {
    return this.ready.whenReadyOrStopped();
  }

  /** GET: RV `''` reads storage; otherwise the cache after waiting for the RV (not ready: storage). */
  async get(key: string, options: GetOptions = {}): Promise<T | undefined> {
    if (!options.resourceVersion || this.ready.state !== 'Ready') return this.#o.storage.get(key, options);
    const k = prepareKey(key, false, this.#o.resourcePrefix);
    const rv = parseResourceVersion(options.resourceVersion);
    await this.#waitFresh(rv);
    const element = this.watchCache.getByKey(k);
    if (element) return element.object;
    if (options.ignoreNotFound) return undefined;
    throw new StorageError('KeyNotFound', k, this.watchCache.resourceVersion);
  }

  /** LIST by the apiserver's resource-version rules (see the reference table): cache or storage. */
  async getList(key: string, options: StorageListOptions<T> = {}): Promise<StorageList<T>> {
    const page = await this.#list(key, options);
    if (!('elements' in page)) return page;
    return { metadata: page.metadata, items: page.elements.map((e) => e.object) };
  }

  /**
   * LIST as the JSON body of a `<kind>List`, reusing each cached object's serialization (served from
   * storage, objects are serialized afresh).
   */
  async getListJSON(key: string, options: StorageListOptions<T>, list: ListKind): Promise<string> {
    return (await this.getListChunks(key, options, list)).join('');
  }

  /**
   * The same body as {@link Cacher.getListJSON}, as chunks to write one after another (no 100 MB join):
   * the list header, then each item's cached JSON with its separator, then the closing brackets.
   */
  async getListChunks(key: string, options: StorageListOptions<T>, list: ListKind): Promise<string[]> {
    const page = await this.#list(key, options);
    const head = JSON.stringify({ kind: list.kind, apiVersion: list.apiVersion, metadata: page.metadata });
    const chunks = [`${head.slice(0, -1)},"items":[`];
    const json =
      'elements' in page
        ? page.elements.map((e) => e.json((o) => this.#serialize(o)))
        : page.items.map((o) => JSON.stringify(o));
    for (let i = 0; i < json.length; i++) chunks.push(i === 0 ? (json[i] as string) : `,${json[i]}`);
    chunks.push(']}');
    return chunks;
  }

  /**
   * WATCH from the cache. Rejects before the stream for a bad key, an unparsable RV or a cache that is
   * not Ready (429); later failures (410 too old, 504 too large) arrive as one ERROR event.
   */
  async watch(key: string, options: CacherWatchOptions<T> = {}): Promise<CacheWatcher<T>> {
    const recursive = options.recursive ?? false;
    const k = prepareKey(key, recursive, this.#o.resourcePrefix);
    const rv = parseResourceVersion(options.resourceVersion);
    const notReady = this.ready.check();
    if (notReady) throw notReady;
    const generation = this.ready.generation;
    try {
      if (options.sendInitialEvents && options.allowWatchBookmarks && !this.#o.storage.supportsRequestWatchProgress) {
        throw internalError(WATCH_LIST_UNSUPPORTED);
      }
      if (options.sendInitialEvents === true) await this.#waitFresh(await this.#requiredRV(options, rv));
      return this.#register(k, recursive, rv, options, generation);
    } catch (err) {
      return errorWatcher<T>(err, this.#encode);
    }
  }

  async #requiredRV(options: CacherWatchOptions<T>, rv: number): Promise<number> {
    if (options.resourceVersion) return rv;
    return this.#o.storage.getCurrentResourceVersion();
  }

  #register(k: string, recursive: boolean, rv: number, options: CacherWatchOptions<T>, generation: number) {
    const cacheRV = this.watchCache.resourceVersion;
    const interval = this.#interval(k, rv, options.sendInitialEvents);
    const trigger = this.#o.trigger ? exactFieldMatch(options.predicate, this.#o.trigger.field) : undefined;
    const endBookmark = options.sendInitialEvents === true && options.allowWatchBookmarks === true;
    const keyPrefix = withSlash(this.#o.resourcePrefix);
    const route = {
      trigger,
      scope: k.startsWith(keyPrefix) && k !== keyPrefix ? k.slice(keyPrefix.length) : undefined,
    };
    const watcher: CacheWatcher<T> = new CacheWatcher<T>({
      key: k,
      recursive,
      predicate: options.predicate,
      capacity:
        this.#o.watcherBufferSize ??
        suggestedBufferSize(
          this.watchCache.history.capacity,
          this.watchCache.history.eventFreshDurationMs,
          this.#o.trigger !== undefined,
          trigger !== undefined,
        ),
      encoder: this.#encode,
      startResourceVersion: Math.max(rv, cacheRV),
      interval,
      afterInterval: endBookmark ? objectEvent('BOOKMARK', this.#bookmark(cacheRV, true), this.#encode) : undefined,
      allowBookmarks: options.allowWatchBookmarks ?? false,
      deadline: options.timeoutSeconds ? this.#clock.now() + options.timeoutSeconds * 1000 : undefined,
      clock: this.#clock,
      onStop: (w) => this.#dispatcher.unregister(w, route),
    });
    if (this.ready.generation !== generation || this.ready.state !== 'Ready') watcher.stop();
    else this.#dispatcher.register(watcher, route);
    return watcher;
  }

  #interval(k: string, rv: number, sendInitial: boolean | undefined): WatchCacheInterval<T> {
    if (sendInitial === true || (rv === 0 && sendInitial === undefined)) {
      return this.watchCache.snapshotInterval(k);
    }
    return this.watchCache.historyInterval(rv === 0 ? this.watchCache.resourceVersion : rv);
  }

  async #list(key: string, options: StorageListOptions<T>): Promise<StorageList<T> | CachedPage<T>> {
    const limit = options.predicate?.limit;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw badRequestError(`invalid limit ${limit}: must be a non-negative integer`);
    }
    const rv = parseResourceVersion(options.resourceVersion);
    if (shouldDelegateList(options, rv, this.#o.storage.supportsRequestWatchProgress))
      return this.#o.storage.getList(key, options);
    const notReady = this.ready.check();
    if (notReady) {
      if (predicateEmpty(options.predicate) && (options.predicate?.limit ?? 0) > 0) {
        return this.#o.storage.getList(key, options);
      }
      throw notReady;
    }
    const recursive = options.recursive ?? false;
    const k = prepareKey(key, recursive, this.#o.resourcePrefix);
    if (!options.resourceVersion) {
      try {
        await this.#waitFresh(await this.#o.storage.getCurrentResourceVersion());
      } catch (err) {
        if (isTooLargeResourceVersion(err)) return this.#o.storage.getList(key, options);
        throw err;
      }
    } else await this.#waitFresh(rv);
    return listFromCache(this.watchCache, this.#o.trigger, k, recursive, options);
  }

  async #waitFresh(rv: number): Promise<void> {
    const wait = this.watchCache.waitUntilFresh(rv);
    if (!this.#o.storage.supportsRequestWatchProgress || rv <= this.watchCache.resourceVersion) return wait;
    let timer: TimerHandle | undefined;
    const request = () => {
      // A backend that throws synchronously must not kill the timer callback.
      Promise.resolve()
        .then(() => this.#o.storage.requestWatchProgress())
        .catch(() => undefined);
      timer = this.#clock.setTimeout(request, 100);
    };
    request();
    try {
      await wait;
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }

  async #startCaching(): Promise<void> {
    const signal = this.#stop.signal;
    const lw = storageListerWatcher(this.#o.storage, this.#o.resourcePrefix);
    const filler = (this.#o.filler ?? this.#defaultFiller())(lw, this.watchCache);
    while (!signal.aborted) {
      this.#dispatcher.terminateAll();
      let failure: Error | undefined;
      try {
        await filler.listAndWatch(signal);
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
        this.#onError(failure);
      }
      this.ready.setError(failure);
      if (signal.aborted) break;
      await this.#clock.sleep(1000, signal).catch(() => undefined);
    }
  }

  #defaultFiller(): CacheFiller<T> {
    return (listerWatcher, store) =>
      new Reflector<T>({
        name: `storage/cacher.go:${this.#o.resourcePrefix}`,
        listerWatcher,
        store,
        clock: this.#clock,
        pageSize: 10_000,
        inactivityTimeoutMs: 0,
        onError: (err) => this.#onError(err),
        ...(this.#o.random && { random: this.#o.random }),
      });
  }

  #onReplace(): void {
    this.#dispatcher.resetResourceVersion(this.watchCache.resourceVersion);
    this.ready.setReady();
  }

  #bookmark(rv: number, initialEventsEnd: boolean): T {
    return bookmarkObject(this.#o.newObject ?? (() => ({ metadata: {} }) as T), rv, initialEventsEnd);
  }

  #serialize(obj: T): string {
    this.#stats.serializations++;
    return JSON.stringify(obj);
  }
}
