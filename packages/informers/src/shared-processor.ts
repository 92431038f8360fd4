/**
 * The set of listeners of one informer (client-go's `sharedProcessor`): distributes each notification to
 * every listener (sync updates only to the listeners due for a resync) and keeps their resync schedule.
 */
import type { Clock } from '@kubecache/apimachinery';
import type { ProcessorListener } from './processor-listener.js';
import { type InformerEvent, sameVersion } from './resource-event-handler.js';

/**
 * Listener bookkeeping for a shared informer. Internal.
 */
export class SharedProcessor<T> {
  readonly #clock: Clock;
  readonly #listeners = new Set<ProcessorListener<T>>();
  /** A snapshot array, rebuilt only on join/leave, so distribution iterates without allocating. */
  #snapshot: ProcessorListener<T>[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Number of registered listeners. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Registers a listener. */
  add(listener: ProcessorListener<T>): void {
    this.#listeners.add(listener);
    this.#snapshot = [...this.#listeners];
  }

  /** Unregisters a listener; false when it was not registered. */
  remove(listener: ProcessorListener<T>): boolean {
    if (!this.#listeners.delete(listener)) return false;
    this.#snapshot = [...this.#listeners];
    return true;
  }

  /** Whether `listener` is registered here. */
  has(listener: ProcessorListener<T>): boolean {
    return this.#listeners.has(listener);
  }

  /** All listeners (a snapshot). */
  listeners(): readonly ProcessorListener<T>[] {
    return this.#snapshot;
  }

  /** Sends `event` to every listener, or, for a sync update, to the listeners flagged syncing. */
  distribute(event: InformerEvent<T>, isSync: boolean): void {
    const ls = this.#snapshot;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i] as ProcessorListener<T>;
      if (!isSync || l.syncing) l.add(event);
    }
  }

  /**
   * Sends an update to every listener, except a sync update (unchanged resource version: a resync, or a relist
   * that found the object as it was) to the listeners not due for a resync. The versions are compared only
   * when a listener can tell (it has a resync period or sees `isSync` through `onEvent`): reading the old
   * version touches an object that is long out of the CPU's caches, which costs a watch event about a tenth
   * of its parse. Otherwise the event says `isSync: false`, which nothing reads.
   */
  distributeUpdate(oldObj: T, newObj: T): void {
    const ls = this.#snapshot;
    let isSync = false;
    for (let i = 0; i < ls.length; i++) {
      if ((ls[i] as ProcessorListener<T>).observesSync) {
        isSync = sameVersion(oldObj, newObj);
        break;
      }
    }
    this.distribute({ type: 'update', oldObj, newObj, isSync }, isSync);
  }

  /** At a resync tick: flags the listeners that are due (advancing their schedule); true if any is. */
  shouldResync(): boolean {
    const now = this.#clock.now();
    let any = false;
    for (const l of this.#snapshot) {
      if (l.shouldResync(now)) {
        any = true;
        l.determineNextResync(now);
      }
    }
    return any;
  }

  /** Stops every listener and forgets them; resolves when in-progress handler calls return. */
  async stop(): Promise<void> {
    const ls = this.#snapshot;
    this.#listeners.clear();
    this.#snapshot = [];
    await Promise.all(ls.map((l) => l.stop()));
  }
}
