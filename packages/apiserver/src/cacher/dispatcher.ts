/**
 * The Cacher's dispatch loop (the apiserver's `dispatchEvents`/`dispatchEvent`): every cache event goes to
 * the candidate watchers without blocking; watchers whose buffers are full get a shared wait from the
 * {@link TimeBudget}, after which those still full are terminated. Bookmark ticks and storage progress go
 * through the same queue so nothing overtakes an event.
 *
 * The apiserver bounds its incoming channel and so blocks the reflector; our cache is filled
 * synchronously, so instead a full queue ends the current wait early: the blocked watchers are cut off at
 * once and the backlog is dispatched.
 */
import type { Clock, KubeObject, TimerHandle } from '@kubecache/apimachinery';
import { failureStatus } from '@kubecache/apimachinery';
import { BookmarkBuckets } from './bookmark-buckets.js';
import { type CacheWatcher, nextBookmarkTime } from './cache-watcher.js';
import type { TimeBudget } from './time-budget.js';
import type { CacheWatchEvent, WatchCacheEvent } from './watch-cache-event.js';

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions<T extends KubeObject> {
  clock: Clock;
  budget: TimeBudget;
  /** The resource prefix with a trailing slash (`/pods/`), to scope watchers by namespace or name. */
  keyPrefix: string;
  /** Trigger value of an object (indexed trigger); unset: every watcher is a candidate for every event. */
  triggerValue?: ((obj: T) => string) | undefined;
  /** Bookmark period per watcher, in ms. Default 60 000. */
  bookmarkFrequencyMs?: number;
  /** An outgoing bookmark event at `rv`. */
  newBookmark: (rv: number) => CacheWatchEvent<T>;
  /** Randomness in [0, 1) for the tick jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * Items the incoming queue holds before dispatch stops waiting for blocked watchers (they are cut off at
   * once, so the queue drains), in items. Default 100, the apiserver's `incoming` channel size.
   */
  queueCapacity?: number;
}

/** Where a watcher is registered: its trigger value, else its key scope, else among all watchers. */
export interface WatcherRoute {
  /** The trigger value the watcher's field selector pins. */
  trigger?: string | undefined;
  /** The watched key relative to the resource prefix (`ns/` or `ns/name`). */
  scope?: string | undefined;
}

type Item<T extends KubeObject> =
  | { kind: 'event'; event: WatchCacheEvent<T> }
  | { kind: 'progress'; rv: number }
  | { kind: 'bookmark' };

/** Counters for tests and benchmarks. */
export interface DispatchStats {
  /** Watchers cut off because they did not take events within the budget. */
  terminated: number;
  /** Events dispatched. */
  events: number;
}

/** The Status a cut-off watcher ends with. */
const WATCH_CHANNEL_FULL = failureStatus(
  500,
  'InternalError',
  'Internal error occurred: watch channel full: the watcher did not keep up with events and was closed; watch again from the last resource version',
);

/** Routes events to watchers. */
export class Dispatcher<T extends KubeObject> {
  readonly stats: DispatchStats = { terminated: 0, events: 0 };
  readonly #o: DispatcherOptions<T>;
  readonly #all = new Set<CacheWatcher<T>>();
  readonly #byValue = new Map<string, Set<CacheWatcher<T>>>();
  readonly #byScope = new Map<string, Set<CacheWatcher<T>>>();
  readonly #buckets: BookmarkBuckets<CacheWatcher<T>>;
  #queue: (Item<T> | undefined)[] = [];
  #head = 0;
  #dispatching = false;
  #lastRV = 0;
  #tick: TimerHandle | undefined;
  /** Ends the wait for blocked watchers now (set while one is in progress). */
  #expireWait: (() => void) | undefined;
  /** Watchers found full by the dispatch in progress. */
  #blocked: CacheWatcher<T>[] = [];

  constructor(options: DispatcherOptions<T>) {
    this.#o = options;
    this.#buckets = new BookmarkBuckets(options.clock.now());
  }

  /** The RV of the last event or progress notification dispatched (bookmarks carry it). */
  get lastProcessedResourceVersion(): number {
    return this.#lastRV;
  }

  /** Items waiting in the incoming queue. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Registered watchers. */
  get watcherCount(): number {
    let n = this.#all.size;
    for (const set of this.#byValue.values()) n += set.size;
    for (const set of this.#byScope.values()) n += set.size;
    return n;
  }

  /**
   * Adds a watcher: under its trigger value if it has one, else under its scope (the watched key
   * relative to the resource prefix: `ns/` for a namespace, `ns/name` for one object), else among all.
   */
  register(w: CacheWatcher<T>, route: WatcherRoute): void {
    if (route.trigger !== undefined) addTo(this.#byValue, route.trigger, w);
    else if (route.scope !== undefined) addTo(this.#byScope, route.scope, w);
    else this.#all.add(w);
    if (w.allowBookmarks) this.#queueBookmark(w, this.#o.clock.now());
  }

  /** Removes a watcher (called when it stops). */
  unregister(w: CacheWatcher<T>, route: WatcherRoute): void {
    if (route.trigger !== undefined) removeFrom(this.#byValue, route.trigger, w);
    else if (route.scope !== undefined) removeFrom(this.#byScope, route.scope, w);
    else this.#all.delete(w);
  }

  /** Stops every watcher (relist, stop). */
  terminateAll(): void {
    for (const w of [...this.#all]) w.stop();
    for (const set of [...this.#byValue.values(), ...this.#byScope.values()]) for (const w of [...set]) w.stop();
  }

  /** Queues a cache event. */
  enqueue(event: WatchCacheEvent<T>): void {
    this.#push({ kind: 'event', event });
  }

  /** Queues a storage progress notification (advances the bookmark RV). */
  enqueueProgress(rv: number): void {
    this.#push({ kind: 'progress', rv });
  }

  /** Resets the bookmark RV after a relist. */
  resetResourceVersion(rv: number): void {
    this.#lastRV = rv;
  }

  /** Starts the bookmark ticker: every 1–1.25 s. */
  start(): void {
    if (this.#tick !== undefined) return;
    const arm = () => {
      const jitter = 1000 + (this.#o.random ?? Math.random)() * 250;
      this.#tick = this.#o.clock.setTimeout(() => {
        this.#push({ kind: 'bookmark' });
        arm();
      }, jitter);
    };
    arm();
  }

  /** Stops the ticker. */
  stop(): void {
    if (this.#tick !== undefined) this.#o.clock.clearTimeout(this.#tick);
    this.#tick = undefined;
  }

  #push(item: Item<T>): void {
    this.#queue.push(item);
    if (this.#queueFull()) this.#expireWait?.();
    if (this.#dispatching) return;
    this.#dispatching = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (this.#head < this.#queue.length) {
        const item = this.#queue[this.#head] as Item<T>;
        this.#queue[this.#head++] = undefined;
        if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        if (item.kind === 'event') {
          const waiting = this.#dispatch(item.event);
          if (waiting) await waiting;
        } else if (item.kind === 'progress') this.#lastRV = Math.max(this.#lastRV, item.rv);
        else this.#sendBookmarks();
      }
    } finally {
      this.#queue = [];
      this.#head = 0;
      this.#dispatching = false;
    }
  }

  #dispatch(event: WatchCacheEvent<T>): Promise<void> | undefined {
    this.stats.events++;
    for (const w of this.#all) this.#offer(w, event);
    if (this.#byScope.size > 0) this.#offerScoped(event);
    if (this.#byValue.size > 0) this.#offerByValue(event);
    const blocked = this.#blocked;
    if (blocked.length === 0) {
      this.#lastRV = Math.max(this.#lastRV, event.resourceVersion);
      return undefined;
    }
    this.#blocked = [];
    return this.#waitBlocked(event, blocked);
  }

  /** Offers without blocking; a full watcher is remembered for the wait. */
  #offer(w: CacheWatcher<T>, event: WatchCacheEvent<T>): void {
    if (!w.add(event)) this.#blocked.push(w);
  }

  /** Trigger watchers: those of the object's current and previous value (all of them without a trigger). */
  #offerByValue(event: WatchCacheEvent<T>): void {
    const triggerOf = this.#o.triggerValue;
    if (triggerOf === undefined) {
      for (const set of this.#byValue.values()) for (const w of set) this.#offer(w, event);
      return;
    }
    const cur = event.type === 'DELETED' ? undefined : safeValue(triggerOf, event.object);
    const prev = event.prevObject && safeValue(triggerOf, event.prevObject);
    if (cur !== undefined) for (const w of this.#byValue.get(cur) ?? []) this.#offer(w, event);
    if (prev !== undefined && prev !== cur) for (const w of this.#byValue.get(prev) ?? []) this.#offer(w, event);
  }

  async #waitBlocked(event: WatchCacheEvent<T>, blocked: CacheWatcher<T>[]): Promise<void> {
    const { clock, budget } = this.#o;
    const available = this.#queueFull() ? 0 : budget.takeAvailable();
    const started = clock.now();
    let fired = available <= 0;
    let wake = () => {};
    const timeout = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const onTimeout = () => {
      fired = true;
      wake();
    };
    const timer = fired ? undefined : clock.setTimeout(onTimeout, available);
    this.#expireWait = onTimeout;
    for (const w of blocked) {
      while (!w.add(event)) {
        if (fired) {
          this.#cutOff(w);
          break;
        }
        await Promise.race([w.whenSpace(), timeout]);
      }
    }
    this.#expireWait = undefined;
    if (timer !== undefined) clock.clearTimeout(timer);
    if (available > 0) budget.returnUnused(available - (clock.now() - started));
    this.#lastRV = Math.max(this.#lastRV, event.resourceVersion);
  }

  /**
   * Terminates a watcher that did not take an event in time; one awaiting its end bookmark drains first.
   * Either way its consumer reads an ERROR (500 "watch channel full") last, so the client knows why.
   */
  #cutOff(w: CacheWatcher<T>): void {
    this.stats.terminated++;
    w.stop({ graceful: w.awaitingEndBookmark, error: WATCH_CHANNEL_FULL });
  }

  #queueFull(): boolean {
    return this.#queue.length - this.#head >= (this.#o.queueCapacity ?? 100);
  }

  /** Watchers scoped to the object's key or to one of its parents (`ns/`). */
  #offerScoped(event: WatchCacheEvent<T>): void {
    const { key } = event;
    if (!key.startsWith(this.#o.keyPrefix)) return;
    const rel = key.slice(this.#o.keyPrefix.length);
    for (const w of this.#byScope.get(rel) ?? []) this.#offer(w, event);
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
      for (const w of this.#byScope.get(rel.slice(0, i + 1)) ?? []) this.#offer(w, event);
    }
  }

  #sendBookmarks(): void {
    const now = this.#o.clock.now();
    const due = this.#buckets.popExpired(now);
    if (due.length === 0 || this.#lastRV === 0) {
      for (const w of due) if (!w.stopped) this.#buckets.add(w, now + 1000);
      return;
    }
    const bookmark = this.#o.newBookmark(this.#lastRV);
    for (const w of due) {
      if (w.stopped) continue;
      w.addBookmark(bookmark, this.#lastRV);
      this.#queueBookmark(w, now);
    }
  }

  #queueBookmark(w: CacheWatcher<T>, now: number): void {
    const next = nextBookmarkTime(now, this.#o.bookmarkFrequencyMs ?? 60_000, w.deadline);
    if (next !== undefined) this.#buckets.add(w, next);
  }
}

function addTo<W>(map: Map<string, Set<W>>, key: string, w: W): void {
  const set = map.get(key);
  if (set) set.add(w);
  else map.set(key, new Set([w]));
}

function removeFrom<W>(map: Map<string, Set<W>>, key: string, w: W): void {
  const set = map.get(key);
  set?.delete(w);
  if (set?.size === 0) map.delete(key);
}

function safeValue<T>(fn: (obj: T) => string, obj: T): string | undefined {
  try {
    return fn(obj);
  } catch {
    return undefined;
  }
}
