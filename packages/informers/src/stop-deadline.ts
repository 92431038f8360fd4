/**
 * Stopping within a deadline: an informer or controller waits for the handler or reconcile in progress when
 * it stops, but not forever. Past the deadline it abandons the call (it may still settle later, unseen)
 * and reports a {@link StopTimeoutError} naming what was stuck.
 */
import type { Clock, TimerHandle } from '@kubecache/apimachinery';

/** The default deadline of a stop, in ms. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** A stop gave up waiting for calls that did not settle; `stuck` names them (handlers or keys). */
export class StopTimeoutError extends Error {
  override readonly name = 'StopTimeoutError';
  constructor(
    component: string,
    readonly stuck: readonly string[],
    timeoutMs: number,
  ) {
    super(`${component} stopped after ${timeoutMs} ms without waiting further for: ${stuck.join(', ')}`);
  }
}

/** Resolves `true` when `work` settles within `timeoutMs` (clock time), `false` once the time is up. */
export async function settlesWithin(work: Promise<unknown>, timeoutMs: number, clock: Clock): Promise<boolean> {
  let timer: TimerHandle | undefined;
  const timeUp = new Promise<boolean>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeUp,
    ]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}
