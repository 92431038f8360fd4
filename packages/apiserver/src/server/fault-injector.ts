/**
 * Deliberate failures for resilience tests of clients (informers, controllers) against the real server:
 * error windows (429 with Retry-After, or 500) on resource requests, and dropping open watches either
 * with a TCP reset or half-open (the stream goes silent, then the socket is destroyed). Inert unless used.
 */
import type { ServerResponse } from 'node:http';
import { failureStatus, StatusError } from '@kubecache/apimachinery';

/** How open watches are dropped. */
export type DropMode = 'reset' | 'half-open';

interface OpenWatch {
  res: ServerResponse;
  silent: boolean;
}

/** Error windows and watch drops, driven by a test. */
export class FaultInjector {
  #until = 0;
  #code = 0;
  readonly #watches = new Set<OpenWatch>();
  readonly #timers = new Map<NodeJS.Timeout, () => void>();

  /** Answers resource requests with `code` (429 or 500) for `durationMs`. */
  failRequests(code: 429 | 500, durationMs: number): void {
    this.#code = code;
    this.#until = Date.now() + durationMs;
  }

  /** The error to answer with now, if an error window is open. */
  check(): StatusError | undefined {
    if (Date.now() >= this.#until) return undefined;
    if (this.#code === 429) {
      return new StatusError(
        failureStatus(429, 'TooManyRequests', 'injected fault: too many requests', { retryAfterSeconds: 1 }),
      );
    }
    return new StatusError(failureStatus(500, 'InternalError', 'Internal error occurred: injected fault'));
  }

  /** Registers an open watch; `silent()` tells the stream to stop writing; call `done` when it ends. */
  track(res: ServerResponse): { silent: () => boolean; done: () => void } {
    const w: OpenWatch = { res, silent: false };
    this.#watches.add(w);
    return { silent: () => w.silent, done: () => this.#watches.delete(w) };
  }

  /** Open watches. */
  get openWatches(): number {
    return this.#watches.size;
  }

  /**
   * Drops every open watch: `reset` destroys the socket with a TCP RST; `half-open` stops writing and
   * destroys the socket after `silentMs` (default 1000).
   */
  dropWatches(mode: DropMode, silentMs = 1000): number {
    const n = this.#watches.size;
    for (const w of this.#watches) {
      this.#watches.delete(w);
      if (mode === 'reset') {
        const socket = w.res.socket;
        if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket?.destroy();
        continue;
      }
      w.silent = true;
      const cut = () => {
        this.#timers.delete(timer);
        w.res.destroy();
      };
      const timer = setTimeout(cut, silentMs);
      this.#timers.set(timer, cut);
    }
    return n;
  }

  /** Ends the faults: closes the error window and cuts half-open watches still pending, now. */
  reset(): void {
    this.#until = 0;
    for (const [timer, cut] of this.#timers) {
      clearTimeout(timer);
      cut();
    }
  }
}
