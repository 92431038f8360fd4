/**
 * Records the timers code sets through Node's global `setTimeout` instead of scheduling them, so a test can
 * check the delays Node would be asked for (Node fires any delay over 2^31-1 ms after 1 ms) and fire the
 * timers by hand, without waiting.
 */

/** One recorded timer. */
export interface RecordedTimer {
  readonly delayMs: number;
  readonly fn: () => void;
  cleared: boolean;
  unrefed: boolean;
}

/** The recorder returned by {@link recordNodeTimers}. */
export interface NodeTimerRecorder {
  /** Every timer set since recording started, in order. */
  readonly timers: readonly RecordedTimer[];
  /** Timers neither fired nor cleared. */
  pending(): RecordedTimer[];
  /** Fires the earliest-set pending timer; false when none is pending. */
  fireNext(): boolean;
  /** Puts Node's `setTimeout`/`clearTimeout` back. */
  restore(): void;
}

/**
 * Replaces `globalThis.setTimeout`/`clearTimeout` until `restore()`.
 *
 * @example
 * const timers = recordNodeTimers();
 * try { realClock.setTimeout(fn, 30 * 86_400_000); } finally { timers.restore(); }
 * expect(Math.max(...timers.timers.map((t) => t.delayMs))).toBeLessThanOrEqual(2 ** 31 - 1);
 */
export function recordNodeTimers(): NodeTimerRecorder {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const timers: RecordedTimer[] = [];
  const fired = new Set<RecordedTimer>();
  const fake = (fn: () => void, delayMs?: number): unknown => {
    const timer: RecordedTimer = { delayMs: delayMs ?? 0, fn, cleared: false, unrefed: false };
    const handle = {
      timer,
      unref: () => {
        timer.unrefed = true;
        return handle;
      },
      ref: () => handle,
      hasRef: () => !timer.unrefed,
      refresh: () => handle,
      [Symbol.toPrimitive]: () => timers.indexOf(timer) + 1,
    };
    timers.push(timer);
    return handle;
  };
  globalThis.setTimeout = fake as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((handle: { timer?: RecordedTimer } | undefined) => {
    if (handle?.timer) handle.timer.cleared = true;
  }) as typeof clearTimeout;
  const pending = (): RecordedTimer[] => timers.filter((t) => !t.cleared && !fired.has(t));
  return {
    timers,
    pending,
    fireNext: () => {
      const next = pending()[0];
      if (!next) return false;
      fired.add(next);
      next.fn();
      return true;
    },
    restore: () => {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}
