/**
 * Decodes a Kubernetes JSON watch stream as it arrives: one `{"type", "object"}` event per line. Chunks may
 * split lines anywhere; a line that is not a valid event becomes an `ERROR` event with a 500 Status (as
 * client-go's stream watcher reports decoding failures), never a throw.
 */
import { failureStatus, isStatus, isWatchEventType, type KubeObject, type WatchEvent } from '@kubecache/apimachinery';

/**
 * Splits text chunks into lines and decodes each into a {@link WatchEvent}.
 *
 * @example
 * const decoder = new WatchLineDecoder<Pod>((event) => console.log(event.type));
 * decoder.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":');
 * decoder.write('"DELETED","object":{"metadata":{"name":"a"}}}\n');
 */
export class WatchLineDecoder<T extends KubeObject = KubeObject> {
  readonly #emit: (event: WatchEvent<T>) => void;
  #pending = '';

  constructor(emit: (event: WatchEvent<T>) => void) {
    this.#emit = emit;
  }

  /** Feeds a chunk of text (already UTF-8 decoded); emits every complete line's event. */
  write(chunk: string): void {
    let text = this.#pending === '' ? chunk : this.#pending + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      this.#line(text.slice(start, nl));
      start = nl + 1;
    }
    text = start === 0 ? text : text.slice(start);
    this.#pending = text;
  }

  /** Ends the stream: a last line without a newline is decoded too. */
  end(): void {
    const rest = this.#pending;
    this.#pending = '';
    if (rest.trim() !== '') this.#line(rest);
  }

  #line(line: string): void {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      this.#emit(decodeError(`unable to decode an event from the watch stream: ${(err as Error).message}`));
      return;
    }
    this.#emit(toEvent<T>(parsed));
  }
}

/** Validates a parsed line as a watch event; anything else becomes an `ERROR` event. */
export function toEvent<T>(parsed: unknown): WatchEvent<T> {
  const { type, object } = (parsed ?? {}) as { type?: unknown; object?: unknown };
  if (!isWatchEventType(type) || typeof object !== 'object' || object === null) {
    return decodeError('unable to decode an event from the watch stream: not a watch event');
  }
  if (type === 'ERROR') {
    return isStatus(object) ? { type, object } : decodeError('watch ERROR event without a Status object');
  }
  return { type, object: object as T };
}

function decodeError(message: string): WatchEvent<never> {
  return { type: 'ERROR', object: failureStatus(500, 'InternalError', message) };
}
