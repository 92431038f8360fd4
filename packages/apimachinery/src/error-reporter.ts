/**
 * The visible default for errors a component recovers from: a log line naming the component, once per
 * distinct error per interval, so a retry storm prints one line a minute, not thousands. Every component that
 * takes an `onError` option falls back to one of these; pass your own `logger` to route the lines elsewhere.
 */
import { type Clock, realClock } from './clock.js';

/** Where reports go. `console` satisfies it. */
export interface Logger {
  error(message: string): void;
}

/** Options of {@link errorReporter}. */
export interface ErrorReporterOptions {
  /** Receives the log lines. Default `console`. */
  logger?: Logger;
  /** A distinct error is printed at most once per this many milliseconds. Default 60 000. */
  intervalMs?: number;
  /** Distinct errors remembered for de-duplication; the oldest is forgotten past it. Default 256. */
  maxDistinct?: number;
  /** Source of time. Default the real clock. */
  clock?: Clock;
}

/** Reports `err` (with an optional context such as a key or handler name) for one component. */
export type ErrorReport = (err: unknown, context?: string) => void;

interface Seen {
  at: number;
  suppressed: number;
}

/**
 * Makes the default error report of `component`: `[kubecache <component>] <context>: <Name>: <message>`
 * on `logger.error`, a distinct error (same context, name and message) once per `intervalMs`, with the count
 * of repeats held back since the last line.
 *
 * @example
 * const report = errorReporter('informer pods');
 * report(new Error('connection refused'));          // printed
 * report(new Error('connection refused'));          // held back for a minute
 */
export function errorReporter(component: string, options: ErrorReporterOptions = {}): ErrorReport {
  const logger = options.logger ?? console;
  const interval = options.intervalMs ?? 60_000;
  const max = options.maxDistinct ?? 256;
  const clock = options.clock ?? realClock;
  const seen = new Map<string, Seen>();
  return (err, context) => {
    const text = describeError(err);
    const id = context === undefined ? text : `${context}\u0000${text}`;
    const now = clock.now();
    const last = seen.get(id);
    if (last && now - last.at < interval) {
      last.suppressed++;
      return;
    }
    seen.delete(id);
    seen.set(id, { at: now, suppressed: 0 });
    if (seen.size > max) seen.delete(seen.keys().next().value as string);
    const repeats = last?.suppressed ? ` (${last.suppressed} more since the last report)` : '';
    const where = context === undefined ? '' : `${context}: `;
    try {
      logger.error(`[kubecache ${component}] ${where}${text}${repeats}`);
    } catch {
      // A logger that throws must not take the component down with it.
    }
  };
}

/** `Name: message` of an error, or its string form for anything else thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  try {
    return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
  } catch {
    return String(err);
  }
}
