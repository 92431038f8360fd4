/**
 * Bounded waiting on real I/O for the end-to-end tests: poll a condition every few milliseconds until it
 * holds or a wall-clock deadline passes (then fail with what was last seen).
 */

/** Resolves once `cond()` is true; rejects after `timeoutMs` (default 10 000) with `describe()`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
