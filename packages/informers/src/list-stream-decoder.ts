/**
 * Decodes a Kubernetes JSON list response as its bytes arrive, without ever holding the body as one string
 * (a `resourceVersion=0` list of 150k pods is over 512 MiB, past V8's longest string).
 *
 * It scans the top-level object byte by byte (strings are skipped with `indexOf`), and `JSON.parse`s each
 * member value on its own: every element of `items` as soon as its closing brace arrives (handed to
 * `onItem`), and `metadata`, `kind` and `apiVersion` wherever they appear, before or after `items`. Memory
 * is the decoded items plus the one value in progress, bounded by `maxValueBytes`.
 */
import type { ListMeta } from '@kubecache/apimachinery';

/** The default largest single value (one item, or the list metadata): 128 MiB. */
export const DEFAULT_MAX_LIST_VALUE_BYTES = 128 * 1024 * 1024;

/** The list body is not a decodable Kubernetes list (malformed, truncated, `null`, an item not an object). */
export class ListDecodeError extends Error {
  override readonly name = 'ListDecodeError';
}

/** What a list says about itself, apart from its items. */
export interface ListHead {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly metadata: ListMeta;
}

/** Options of {@link ListStreamDecoder}. */
export interface ListStreamDecoderOptions<T> {
  /** Receives each item as soon as it is decoded, in list order. */
  onItem: (item: T) => void;
  /** Largest single value accepted, in bytes. Default {@link DEFAULT_MAX_LIST_VALUE_BYTES} (128 MiB). */
  maxValueBytes?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Bytes of a string scanned one by one before `indexOf` takes over. */
const SHORT_STRING = 32;
type Target = 'key' | 'member' | 'item';
type CaptureKind = 'object' | 'string' | 'scalar';

/**
 * Incremental list decoder: `write` each chunk, then `end()` for the list's head.
 *
 * @example
 * const items: Pod[] = [];
 * const decoder = new ListStreamDecoder<Pod>({ onItem: (pod) => items.push(pod) });
 * decoder.write(Buffer.from('{"kind":"PodList","items":[{"metadata":{"name":"a"}}],"metadata":{"resourceVersion":"7"}}'));
 * decoder.end().metadata.resourceVersion; // '7'
 */
export class ListStreamDecoder<T = unknown> {
  readonly #onItem: (item: T) => void;
  readonly #max: number;
  #state: 'start' | 'object' | 'done' = 'start';
  #depth = 0;
  #inString = false;
  #escaped = false;
  #expectKey = false;
  #awaitValue = false;
  #inItems = false;
  #key = '';
  #itemCount = 0;
  #head: { kind?: string; apiVersion?: string; metadata: ListMeta } = { metadata: {} };
  // The value being captured: pieces from earlier chunks, and where it starts in the current one.
  #capture: CaptureKind | undefined;
  #target: Target = 'member';
  #capDepth = 0;
  #pieces: Buffer[] = [];
  #capBytes = 0;
  #capFrom = 0;
  // Next quote/backslash in the current chunk: -2 unknown, -1 none left.
  #quoteAt = -2;
  #slashAt = -2;

  constructor(options: ListStreamDecoderOptions<T>) {
    this.#onItem = options.onItem;
    this.#max = options.maxValueBytes ?? DEFAULT_MAX_LIST_VALUE_BYTES;
  }

  /** Items decoded so far. */
  get itemCount(): number {
    return this.#itemCount;
  }

  /** Feeds the next chunk of the body. Throws {@link ListDecodeError} on a body that is not a list. */
  write(buf: Buffer): void {
    this.#quoteAt = -2;
    this.#slashAt = -2;
    this.#capFrom = 0;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      if (this.#inString) i = this.#skipString(buf, i);
      else if (this.#capture === 'object') i = this.#skipObject(buf, i);
      else i = this.#structural(buf, i);
    }
    if (this.#capture !== undefined) this.#keep(buf.subarray(this.#capFrom));
  }

  /** The end of the body: returns the list's head, or throws {@link ListDecodeError} if it ended early. */
  end(): ListHead {
    if (this.#state !== 'done') throw new ListDecodeError('the list body ended before the list did');
    return this.#head;
  }

  #skipString(buf: Buffer, i: number): number {
    if (this.#escaped) {
      this.#escaped = false;
      return i + 1;
    }
    if (this.#quoteAt !== -1 && this.#quoteAt < i) this.#quoteAt = buf.indexOf(QUOTE, i);
    if (this.#slashAt !== -1 && this.#slashAt < i) this.#slashAt = buf.indexOf(BACKSLASH, i);
    const q = this.#quoteAt;
    const b = this.#slashAt;
    if (b !== -1 && (q === -1 || b < q)) {
      if (b + 1 >= buf.length) this.#escaped = true;
      return b + 2;
    }
    if (q === -1) return buf.length;
    this.#inString = false;
    if (this.#capture === 'string') this.#finish(buf, q + 1);
    return q + 1;
  }

  /**
   * Inside a captured object (an item, or the list metadata) only nesting and strings matter until it
   * closes: a tight loop over its bytes, instead of the general step per structural byte. Returns where
   * the object ended (it is then decoded), or the chunk's length.
   */
  #skipObject(buf: Buffer, from: number): number {
    const n = buf.length;
    const closesAt = this.#capDepth;
    let depth = this.#depth;
    let i = from;
    while (i < n) {
      const c = buf[i] as number;
      if (c === QUOTE) {
        i = this.#stringEnd(buf, i + 1);
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === closesAt) {
        this.#depth = depth;
        this.#finish(buf, i + 1);
        return i + 1;
      }
      i++;
    }
    this.#depth = depth;
    return n;
  }

  /**
   * Where the string whose body starts at `i` ends (just past its closing quote); when the chunk ends first,
   * the chunk's length (or past it), with `#inString`/`#escaped` telling where the next chunk resumes.
   * Short strings (keys, names) end within a few bytes, found by a plain loop; longer ones by `indexOf`.
   */
  #stringEnd(buf: Buffer, from: number): number {
    const n = buf.length;
    const stop = Math.min(from + SHORT_STRING, n);
    let i = from;
    for (; i < stop; i++) {
      const c = buf[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i++;
    }
    this.#inString = true;
    if (i > n) {
      // The chunk ended on a backslash: the escaped byte opens the next chunk.
      this.#escaped = true;
      return n;
    }
    while (i < n && this.#inString) i = this.#skipString(buf, i);
    return i;
  }

  #structural(buf: Buffer, i: number): number {
    const c = buf[i] as number;
    switch (c) {
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        if (this.#capture === 'scalar') this.#finish(buf, i);
        break;
      case QUOTE:
        if (this.#state !== 'object') throw this.#notAList(buf, i);
        this.#open(buf, i, 'string');
        this.#inString = true;
        break;
      case 0x7b: // {
      case 0x5b: // [
        this.#openContainer(buf, i, c);
        break;
      case 0x7d: // }
      case 0x5d: // ]
        this.#close(buf, i);
        break;
      case 0x2c: // ,
        if (this.#capture === 'scalar') this.#finish(buf, i);
        if (this.#depth === 1) this.#expectKey = true;
        else if (this.#depth === 2 && this.#inItems) this.#awaitValue = true;
        break;
      case 0x3a: // :
        if (this.#depth === 1) this.#awaitValue = true;
        break;
      default:
        if (this.#state !== 'object') throw this.#notAList(buf, i);
        this.#open(buf, i, 'scalar');
    }
    return i + 1;
  }

  #openContainer(buf: Buffer, i: number, c: number): void {
    if (this.#state === 'start') {
      if (c !== 0x7b) throw this.#notAList(buf, i);
      this.#state = 'object';
      this.#depth = 1;
      this.#expectKey = true;
      return;
    }
    if (this.#state === 'done') throw this.#notAList(buf, i);
    if (this.#awaitValue && this.#depth === 1 && this.#key === 'items' && c === 0x5b) {
      this.#awaitValue = false;
      this.#inItems = true;
      this.#depth = 2;
      this.#awaitValue = true;
      return;
    }
    this.#open(buf, i, 'object');
    this.#depth++;
  }

  #close(buf: Buffer, i: number): void {
    if (this.#capture === 'scalar') this.#finish(buf, i);
    this.#depth--;
    if (this.#depth < 0) throw this.#notAList(buf, i);
    if (this.#capture === 'object' && this.#depth === this.#capDepth) this.#finish(buf, i + 1);
    else if (this.#inItems && this.#depth === 1) {
      this.#inItems = false;
      this.#awaitValue = false;
    }
    if (this.#depth === 0) this.#state = 'done';
  }

  /** Starts capturing the value at `i` if one is awaited here (or a member key). */
  #open(buf: Buffer, i: number, kind: CaptureKind): void {
    if (this.#state === 'done') throw this.#notAList(buf, i);
    if (kind === 'string' && this.#depth === 1 && this.#expectKey) {
      this.#expectKey = false;
      this.#begin(i, kind, 'key');
    } else if (this.#awaitValue) {
      this.#awaitValue = false;
      this.#begin(i, kind, this.#depth === 1 ? 'member' : 'item');
    }
  }

  #begin(i: number, kind: CaptureKind, target: Target): void {
    this.#capture = kind;
    this.#target = target;
    this.#capDepth = this.#depth;
    this.#capFrom = i;
    this.#pieces = [];
    this.#capBytes = 0;
  }

  #keep(piece: Buffer): void {
    this.#capBytes += piece.length;
    if (this.#capBytes > this.#max) {
      this.#pieces = [];
      throw new ListDecodeError(`a list value is longer than ${this.#max} bytes`);
    }
    this.#pieces.push(piece);
  }

  #finish(buf: Buffer, end: number): void {
    this.#keep(buf.subarray(this.#capFrom, end));
    const bytes = this.#pieces.length === 1 ? (this.#pieces[0] as Buffer) : Buffer.concat(this.#pieces);
    this.#pieces = [];
    this.#capture = undefined;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new ListDecodeError(`malformed list body: ${(err as Error).message}`);
    }
    this.#deliver(value);
  }

  #deliver(value: unknown): void {
    if (this.#target === 'key') {
      this.#key = String(value);
    } else if (this.#target === 'item') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ListDecodeError(
          `list item ${this.#itemCount} is ${value === null ? 'null' : typeof value}, not an object`,
        );
      }
      this.#itemCount++;
      this.#onItem(value as T);
    } else if (this.#key === 'metadata' && typeof value === 'object' && value !== null) {
      this.#head.metadata = value as ListMeta;
    } else if ((this.#key === 'kind' || this.#key === 'apiVersion') && typeof value === 'string') {
      this.#head[this.#key] = value;
    }
  }

  #notAList(buf: Buffer, i: number): ListDecodeError {
    const sample = buf.subarray(i, i + 16).toString('utf8');
    return new ListDecodeError(`the list body is not a JSON list object (found ${JSON.stringify(sample)})`);
  }
}
