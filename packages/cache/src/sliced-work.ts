/**
 * Long synchronous work cut into slices of a few milliseconds, with the event loop free between them: how an
 * informer applies a 100k-object relist without starving timers, sockets and other informers.
 */

/** Default length of one slice, in ms: well under the 50 ms a lease renewal or a probe can tolerate. */
export const DEFAULT_SLICE_MS = 4;

/**
 * Runs `steps` (a generator that `yield`s at points where it may be paused) until it is done. Runs
 * synchronously while the slice lasts: work that finishes within one slice returns `undefined` and throws
 * synchronously, as a plain function would. Longer work continues after `setImmediate` (timers and I/O run
 * in between) and the returned promise settles when it is done, or rejects with what it threw.
 *
 * Use it when a step must not block the event loop but must also stay in order with what follows it (the
 * caller awaits the promise before its next step).
 *
 * @example
 * function* touchAll(items: string[]) {
 *   for (let i = 0; i < items.length; i++) {
 *     if ((i & 255) === 255) yield;
 *     touch(items[i]);
 *   }
 * }
 * await runSliced(touchAll(bigList));
 */
export function runSliced(steps: Iterator<void, void>, sliceMs = DEFAULT_SLICE_MS): void | Promise<void> {
  if (runSlice(steps, sliceMs)) return undefined;
  return new Promise<void>((resolve, reject) => {
    const next = (): void => {
      try {
        if (runSlice(steps, sliceMs)) resolve();
        else setImmediate(next);
      } catch (err) {
        reject(err);
      }
    };
    setImmediate(next);
  });
}

/** Runs steps for up to `sliceMs`; true when the work is done. */
function runSlice(steps: Iterator<void, void>, sliceMs: number): boolean {
  const deadline = performance.now() + sliceMs;
  for (;;) {
    if (steps.next().done) return true;
    if (performance.now() >= deadline) return false;
  }
}
