/** Helpers the examples' scenarios share: waiting for a condition, syncing informers with progress, timing. */
import type { ExampleContext } from './example-cli.js';

/** A scenario step did not reach its state in time. */
export class ScenarioTimeoutError extends Error {
  override readonly name = 'ScenarioTimeoutError';
}

/**
 * Resolves once `check()` holds, polling every 20 ms; rejects with the signal's reason when it aborts and
 * with a {@link ScenarioTimeoutError} naming `what` (and `detail()`) after `timeoutMs` (default 30 000).
 */
export async function until(
  what: string,
  check: () => boolean,
  signal: AbortSignal,
  detail: () => string = () => '',
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    signal.throwIfAborted();
    if (performance.now() > deadline) {
      const more = detail();
      throw new ScenarioTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${more ? `: ${more}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What {@link syncInformers} reads of an informer: its cached keys and its last list error. */
export interface SyncingInformer {
  getIndexer(): { listKeys(): string[] };
  health(): { readonly lastError: Error | undefined };
}

/**
 * Starts the factory's informers and waits for their initial lists, printing a progress line per second
 * (objects cached so far) and one line when synced. Rejects on 401/403/404 or an unreachable server
 * (`failFastForCli`), or when nothing syncs within `timeoutMs` (default 60 000), with the last list error.
 */
export async function syncInformers(
  ctx: ExampleContext,
  informers: Readonly<Record<string, SyncingInformer>>,
  timeoutMs = 60_000,
): Promise<void> {
  const t0 = performance.now();
  const counts = () =>
    Object.entries(informers)
      .map(([name, inf]) => `${inf.getIndexer().listKeys().length} ${name}`)
      .join(', ');
  ctx.factory.start();
  // A progress line each second while the counts grow, and every 10 s while they do not.
  let last = '';
  let quiet = 0;
  const progress = setInterval(() => {
    const now = counts();
    if (now !== last || ++quiet >= 10) {
      ctx.log(`  syncing… ${now}`);
      last = now;
      quiet = 0;
    }
  }, 1000);
  const deadline = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  try {
    const synced = await ctx.factory.waitForCacheSync(deadline);
    ctx.signal.throwIfAborted();
    if (![...synced.values()].every(Boolean)) {
      const last = Object.values(informers)
        .map((inf) => inf.health().lastError?.message)
        .find((m) => m !== undefined);
      throw new ScenarioTimeoutError(`caches not synced after ${timeoutMs} ms${last ? `: ${last}` : ''}`);
    }
  } finally {
    clearInterval(progress);
  }
  ctx.log(`caches synced in ${(performance.now() - t0).toFixed(0)} ms: ${counts()}`);
}

/** Resolves when `signal` aborts (the cluster mode's "run until Ctrl-C"). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
