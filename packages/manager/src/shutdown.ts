/**
 * A shutdown with one overall deadline: each step is awaited for what is left of the budget; a step that
 * overruns is logged and the shutdown moves on (the caller decides what must not happen after an overrun,
 * e.g. releasing a lease while controllers may still be running).
 */
import type { Clock, TimerHandle } from '@kubecache/apimachinery';
import type { ManagerLogger } from './manager-options.js';

/** Tracks the shutdown budget. Internal to the manager. */
export class Shutdown {
  readonly #clock: Clock;
  readonly #log: ManagerLogger;
  readonly #deadline: number;
  readonly #abort = new AbortController();
  readonly #timer: TimerHandle;
  /** The first step that overran, if any. */
  overran: string | undefined;

  constructor(clock: Clock, budgetMs: number, log: ManagerLogger) {
    this.#clock = clock;
    this.#log = log;
    this.#deadline = clock.now() + budgetMs;
    this.#timer = clock.setTimeout(() => this.#abort.abort(new Error('shutdown deadline passed')), budgetMs);
  }

  /** Aborts when the budget is spent (pass it to steps that take a signal). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Awaits `work` within the remaining budget; true if it settled in time. Rejections are logged. */
  async step(name: string, work: Promise<unknown>): Promise<boolean> {
    const settled = work.then(
      () => true,
      (err: unknown) => {
        this.#log.error(`shutdown: ${name} failed: ${String(err)}`);
        return true;
      },
    );
    if (this.#abort.signal.aborted || this.#clock.now() >= this.#deadline) return this.#overrun(name, settled);
    const timedOut = new Promise<false>((resolve) =>
      this.#abort.signal.addEventListener('abort', () => resolve(false), { once: true }),
    );
    const inTime = await Promise.race([settled, timedOut]);
    if (inTime) this.#log.info(`shutdown: ${name}`);
    else this.#overrun(name, settled);
    return inTime;
  }

  #overrun(name: string, settled: Promise<boolean>): false {
    void settled;
    this.overran ??= name;
    this.#log.error(`shutdown: ${name} did not finish within the graceful shutdown timeout`);
    return false;
  }

  /** Releases the deadline timer. */
  dispose(): void {
    this.#clock.clearTimeout(this.#timer);
  }
}
