/**
 * Decodes a Kubernetes JSON watch stream as it arrives: one `{"type", "object"}` event per line. Chunks are
 * Buffers split anywhere (a newline byte never occurs inside a multi-byte UTF-8 character, so splitting
 * bytes is safe); each byte is scanned a fixed number of times, so a line costs time linear in its length
 * however many chunks carry it. The complete lines of a chunk are decoded from UTF-8 in one go. A line longer than `maxLineBytes` is refused with {@link WatchLineTooLongError} before it is
 * buffered whole. A line that is not a valid event becomes an `ERROR` event with a 500 Status (as client-go's
 * stream watcher reports decoding failures), never a throw.
 */
import { failureStatus, isWatchEventType, type KubeObject, type WatchEvent } from '@kubecache/apimachinery';
import { wireStatus } from './wire-status.js';

/** The default longest watch line: 128 MiB. */
export const DEFAULT_MAX_WATCH_LINE_BYTES = 128 * 1024 * 1024;

const NEWLINE = 0x0a;

/** A watch line grew past the limit; the watch must be dropped (the Reflector then resumes or relists). */
export class WatchLineTooLongError extends Error {
  override readonly name = 'WatchLineTooLongError';
  readonly limitBytes: number;
  constructor(limitBytes: number, where: string) {
    super(`${where}: a watch event line is longer than ${limitBytes} bytes; dropping the watch`);
    this.limitBytes = limitBytes;
  }
}

/** Options of {@link WatchLineDecoder}. */
export interface WatchLineDecoderOptions {
  /** Longest line accepted, in bytes. Default {@link DEFAULT_MAX_WATCH_LINE_BYTES} (128 MiB). */
  maxLineBytes?: number;
  /** Names the stream in errors, e.g. `watch pods.v1 at /api/v1/pods`. Default `watch`. */
  where?: string;
}

/**
 * Splits chunks into lines and decodes each into a {@link WatchEvent}.
 *
 * @example
 * const decoder = new WatchLineDecoder<Pod>((event) => console.log(event.type));
 * decoder.write(Buffer.from('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":'));
 * decoder.write(Buffer.from('"DELETED","object":{"metadata":{"name":"a"}}}\n'));
 */
export class WatchLineDecoder<T extends KubeObject = KubeObject> {
  readonly #emit: (event: WatchEvent<T>) => void;
  readonly #max: number;
  readonly #where: string;
  /** Pieces of the line in progress (no newline in any of them). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(emit: (event: WatchEvent<T>) => void, options: WatchLineDecoderOptions = {}) {
    this.#emit = emit;
    this.#max = options.maxLineBytes ?? DEFAULT_MAX_WATCH_LINE_BYTES;
    this.#where = options.where ?? 'watch';
  }

  /**
   * Feeds a chunk; emits every complete line's event. Throws {@link WatchLineTooLongError} when the line in
   * progress passes the limit (what was buffered of it is released).
   */
  write(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    let nl = buf.indexOf(NEWLINE);
    if (nl >= 0 && this.#pendingBytes > 0) {
      // The end of the line the previous chunks began.
      this.#checkLength(nl);
      const line = Buffer.concat([...this.#pending, buf.subarray(0, nl)]);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#text(line.toString('utf8'));
      start = nl + 1;
      nl = buf.indexOf(NEWLINE, start);
    }
    if (nl >= 0) {
      const last = buf.lastIndexOf(NEWLINE);
      if (last - start <= this.#max) {
        // The common case: whole lines none of which can pass the limit (their span does not), decoded as one
        // string and then split: one UTF-8 decode per chunk instead of one per line.
        this.#lines(buf.toString('utf8', start, last));
        start = last + 1;
      }
    }
    for (nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      // Lines that may be too long: checked one by one, so the lines before a long one are still decoded.
      this.#checkLength(nl - start);
      if (nl > start) this.#text(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    if (start < buf.length) {
      this.#checkLength(buf.length - start);
      this.#pending.push(buf.subarray(start));
      this.#pendingBytes += buf.length - start;
    }
  }

  /** Ends the stream: a last line without a newline is decoded too. */
  end(): void {
    const rest = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (rest.length > 0) this.#text(Buffer.concat(rest).toString('utf8'));
  }

  /**
   * Decodes each line of `text` (complete lines, the last one without its newline): all of them first, then
   * their events are emitted in order. Parsing a chunk's lines back to back, and then running the consumer
   * for each, keeps each stage's code hot instead of alternating between the parser and the whole informer
   * path at every line (measured in `watch-path.bench.ts`).
   */
  #lines(text: string): void {
    const events: WatchEvent<T>[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const event = nl > start ? decodeLine<T>(text.slice(start, nl)) : undefined;
      if (event !== undefined) events.push(event);
      start = nl + 1;
    }
    const last = start < text.length ? decodeLine<T>(text.slice(start)) : undefined;
    if (last !== undefined) events.push(last);
    for (let i = 0; i < events.length; i++) this.#emit(events[i] as WatchEvent<T>);
  }

  #checkLength(more: number): void {
    if (this.#pendingBytes + more <= this.#max) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    throw new WatchLineTooLongError(this.#max, this.#where);
  }

  #text(text: string): void {
    const event = decodeLine<T>(text);
    if (event !== undefined) this.#emit(event);
  }
}

/** The event of one line; `undefined` for a blank line. Never throws. */
function decodeLine<T>(text: string): WatchEvent<T> | undefined {
  if (isBlank(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return decodeError(`unable to decode an event from the watch stream: ${(err as Error).message}`);
  }
  return toEvent<T>(parsed);
}

/** Whether `text` is only whitespace, without building a trimmed copy (an event line starts with `{`). */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** Validates a parsed line as a watch event; anything else becomes an `ERROR` event. */
export function toEvent<T>(parsed: unknown): WatchEvent<T> {
  const event = (parsed ?? {}) as { type?: unknown; object?: unknown };
  const { type, object } = event;
  if (!isWatchEventType(type) || typeof object !== 'object' || object === null) {
    return decodeError('unable to decode an event from the watch stream: not a watch event');
  }
  if (type === 'ERROR') {
    const status = wireStatus(object, 500);
    return status ? { type, object: status } : decodeError('watch ERROR event without a Status object');
  }
  // The parsed line is the event itself (any other field it has is ignored): no copy per event.
  return event as WatchEvent<T>;
}

function decodeError(message: string): WatchEvent<never> {
  return { type: 'ERROR', object: failureStatus(500, 'InternalError', message) };
}
