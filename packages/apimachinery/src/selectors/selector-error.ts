/**
 * The error every selector parser and validator throws. Its `message` is the text the Kubernetes API server
 * puts in its 400 response for the same input, so a server built on kubecache answers as kube-apiserver does;
 * the position and the offending token are kept apart as fields for tools that want to point at them.
 */

/** What went wrong: the string did not parse, or it parsed but a key, value or field is not allowed. */
export type SelectorErrorKind = 'Syntax' | 'Invalid' | 'UnsupportedField';

/** Where the offending token starts and what it is. */
export interface SelectorErrorOptions {
  /** What went wrong. Default `'Syntax'`. */
  kind?: SelectorErrorKind;
  /** The whole selector string being parsed, if there was one. Default `''`. */
  selector?: string;
  /** Zero-based character offset of the offending token in `selector`; `-1` when unknown. Default `-1`. */
  position?: number;
  /** The offending token, key, value or field as written. Default `''`. */
  token?: string;
  /** The underlying failure, if any. */
  cause?: unknown;
}

/**
 * A label or field selector that cannot be parsed or is not allowed.
 *
 * Contract: `message` matches apimachinery's wording; `position` (zero-based, `-1` if unknown) and `token`
 * name the offending part of `selector`. `describe()` gives a one-line text with both, for humans.
 *
 * @example
 * try { parseLabelSelector('a in (b'); } catch (e) { if (e instanceof SelectorError) console.log(e.describe()); }
 */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
  readonly kind: SelectorErrorKind;
  readonly selector: string;
  readonly position: number;
  readonly token: string;

  constructor(message: string, options: SelectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind ?? 'Syntax';
    this.selector = options.selector ?? '';
    this.position = options.position ?? -1;
    this.token = options.token ?? '';
  }

  /** The message plus where it happened, e.g. `… (at position 7: "(")`. */
  describe(): string {
    if (this.position < 0) return this.message;
    return `${this.message} (at position ${this.position}: ${JSON.stringify(this.token)})`;
  }
}

/** What `value` is, for an error message: `null`, `array` or its `typeof`. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Checks an argument at a public boundary: throws an `'Invalid'` {@link SelectorError} unless `value` is a
 * string (untyped callers must get the selector's own error, not a TypeError from deep inside).
 * @internal
 */
export function expectString(value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw new SelectorError(`${what} must be a string, not ${typeName(value)}`, { kind: 'Invalid' });
  return value;
}

/** As {@link expectString}, for an array whose every element passes `isItem`. @internal */
export function expectArrayOf<T>(value: unknown, what: string, isItem: (item: unknown) => boolean): readonly T[] {
  if (!Array.isArray(value))
    throw new SelectorError(`${what} must be an array, not ${typeName(value)}`, { kind: 'Invalid' });
  const bad = value.findIndex((item) => !isItem(item));
  if (bad >= 0) throw new SelectorError(`${what}[${bad}] is not valid: ${typeName(value[bad])}`, { kind: 'Invalid' });
  return value as readonly T[];
}
