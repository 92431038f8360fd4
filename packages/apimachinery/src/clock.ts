/**
 * Time, injected. Everything in kubecache that waits (TTLs, backoff, resync, watch timeouts, bookmarks,
 * delaying queues, rate limiters) reads the time and sets timers through a `Clock`, so tests drive it with
 * {@link FakeClock} and never sleep.
 */

/** An opaque handle for a timer set through a {@link Clock}. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

/** A source of time and timers. Times are milliseconds since the epoch. */
export interface Clock {
  /** The current time in milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a no-op for a timer that fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
  /**
   * Resolves after `ms` milliseconds, or rejects with the signal's reason when `signal` aborts first.
   * The timer is released either way.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The longest delay Node's timers accept (2^31-1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * A timer longer than Node allows, run as a chain of maximal timers. `unref` carries over to every link, so
 * `(handle as { unref?(): void }).unref?.()` works as on a Node timer.
 */
class LongTimer {
  #timer: NodeJS.Timeout;
  #unref = false;

  constructor(fn: () => void, ms: number) {
    this.#timer = this.#link(fn, ms);
  }

  #link(fn: () => void, remaining: number): NodeJS.Timeout {
    const step = Math.min(remaining, MAX_TIMER_DELAY_MS);
    const timer = setTimeout(() => {
      if (remaining <= MAX_TIMER_DELAY_MS) fn();
      else this.#timer = this.#link(fn, remaining - MAX_TIMER_DELAY_MS);
    }, step);
    if (this.#unref) timer.unref();
    return timer;
  }

  unref(): this {
    this.#unref = true;
    this.#timer.unref();
    return this;
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * A delay as Node can take it: negative and NaN become 0; anything over {@link MAX_TIMER_DELAY_MS} (Infinity
 * included) must be chained, never passed to `setTimeout` as is.
 */
export function normalizeDelayMs(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.max(0, ms);
}

/**
 * The wall clock, with Node's timers. Timers are `unref`'d only when asked: a pending timer of an informer
 * should keep the process alive exactly as long as the informer runs. A delay over Node's limit (2^31-1 ms)
 * waits its full length in several steps instead of firing at once; NaN and negative delays fire at once.
 */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  // `TimerHandle` is an opaque brand: the casts below brand Node's handle (or our long timer) and unbrand it
  // again; nothing outside this class ever looks inside a handle.
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = normalizeDelayMs(ms);
    if (delay > MAX_TIMER_DELAY_MS) return new LongTimer(fn, delay) as unknown as TimerHandle;
    return setTimeout(fn, delay) as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof LongTimer) handle.clear();
    else clearTimeout(handle as unknown as NodeJS.Timeout);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

/** The shared real clock; stateless, so one instance serves everybody. */
export const realClock: Clock = new RealClock();

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock that moves only when told. Timers fire in order of their due time (ties in the order they were
 * set) during {@link FakeClock.step}; a timer set by a firing timer fires in the same step if it is due.
 *
 * @example
 * const clock = new FakeClock(0);
 * clock.setTimeout(() => console.log('fired'), 1000);
 * clock.step(999); // nothing
 * clock.step(1);   // fired
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn };
    // Keep sorted by (at, id): insert after the last timer due at or before this one.
    let i = this.#timers.length;
    while (i > 0 && (this.#timers[i - 1] as FakeTimer).at > timer.at) i--;
    this.#timers.splice(i, 0, timer);
    return timer.id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const id = handle as unknown as number;
    const i = this.#timers.findIndex((t) => t.id === id);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Moves time forward by `ms`, firing every timer that comes due, in order. */
  step(ms: number): void {
    this.setTime(this.#now + ms);
  }

  /** Moves time to `t` (never backwards), firing every timer due by then, in order. */
  setTime(t: number): void {
    const target = Math.max(t, this.#now);
    while (this.#fireNext(target));
    this.#now = target;
  }

  /**
   * Steps time and lets promise continuations run between timers, so async code woken by a timer can set its
   * next timer before time moves on. Use it for code under test that awaits between timers.
   */
  async stepAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushMicrotasks();
    while (this.#fireNext(target)) await flushMicrotasks();
    this.#now = target;
    await flushMicrotasks();
  }

  /** Fires the earliest timer if it is due by `target`, moving time to it; false when none is. */
  #fireNext(target: number): boolean {
    const next = this.#timers[0];
    if (next === undefined || next.at > target) return false;
    this.#timers.shift();
    this.#now = next.at;
    next.fn();
    return true;
  }

  /** Whether any timer is pending. */
  hasWaiters(): boolean {
    return this.#timers.length > 0;
  }

  /** How many timers are pending. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /** Due time of the earliest pending timer, or `undefined`. */
  nextTimerAt(): number | undefined {
    return this.#timers[0]?.at;
  }
}

/** Lets queued promise continuations run (several turns, so chains of awaits settle). */
export async function flushMicrotasks(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
