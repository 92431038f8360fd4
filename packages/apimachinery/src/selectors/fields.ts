/**
 * Field selectors (apimachinery `fields`): `field=value`, `field==value`, `field!=value` terms joined by
 * commas, values escaped with `\` (`\\`, `\,`, `\=`), matched against an object's field set (see
 * `field-sets.ts`). A field missing from the set reads as the empty string.
 */
import { compareUtf8 } from './go-format.js';
import { expectArrayOf, expectString, SelectorError } from './selector-error.js';

/** A field set: field path → value, e.g. `{ 'metadata.name': 'web-0', 'spec.nodeName': 'node-1' }`. */
export type Fields = Readonly<Record<string, string>>;

/** `'='` (also parsed from `==`) or `'!='`. */
export type FieldOperator = '=' | '!=';

/** One term of a field selector. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** The unescaped value. */
  readonly value: string;
}

/** Rewrites a term's field and value (used to map legacy field names); throw to reject the term. */
export type FieldTransform = (field: string, value: string) => readonly [field: string, value: string];

/** A parsed field selector. Immutable. */
export interface FieldSelector {
  /** Whether `fields` satisfy every term; a missing field is `''`. */
  matches(fields: Fields): boolean;
  /** Whether it selects everything (no terms). */
  empty(): boolean;
  /** Terms joined by commas, values escaped, `==` printed as `=`; order as parsed (sorted by term text). */
  toString(): string;
  /** The terms. */
  requirements(): readonly FieldRequirement[];
  /** The value `field` must equal (a `=` term on it), else `undefined`. */
  requiresExactMatch(field: string): string | undefined;
  /** A new selector with every term passed through `fn`; a term mapped to `['', '']` is dropped. */
  transform(fn: FieldTransform): FieldSelector;
}

function fieldOf(fields: Fields, name: string): string {
  const v = fields[name];
  return typeof v === 'string' ? v : '';
}

class TermsSelector implements FieldSelector {
  readonly #terms: readonly FieldRequirement[];

  constructor(terms: readonly FieldRequirement[]) {
    this.#terms = Object.freeze(terms.map((t) => Object.freeze({ ...t })));
  }

  matches(fields: Fields): boolean {
    const terms = this.#terms;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      if ((fieldOf(fields, t.field) === t.value) !== (t.operator === '=')) return false;
    }
    return true;
  }

  empty(): boolean {
    return this.#terms.length === 0;
  }

  toString(): string {
    return this.#terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(',');
  }

  requirements(): readonly FieldRequirement[] {
    return this.#terms;
  }

  requiresExactMatch(field: string): string | undefined {
    return this.#terms.find((t) => t.field === field && t.operator === '=')?.value;
  }

  transform(fn: FieldTransform): FieldSelector {
    const out: FieldRequirement[] = [];
    for (const t of this.#terms) {
      const [field, value] = fn(t.field, t.value);
      if (field !== '' || value !== '') out.push({ field, operator: t.operator, value });
    }
    return new TermsSelector(out);
  }
}

const EVERYTHING: FieldSelector = new TermsSelector([]);

/** The field selector that matches everything. */
export function fieldSelectorEverything(): FieldSelector {
  return EVERYTHING;
}

/** A selector from terms, kept in the given order. */
export function fieldSelectorFromRequirements(terms: readonly FieldRequirement[]): FieldSelector {
  expectArrayOf(terms, 'field requirements', isFieldRequirement);
  return terms.length === 0 ? EVERYTHING : new TermsSelector(terms);
}

/** `field=value` (apimachinery's `OneTermEqualSelector`). */
export function fieldSelectorOneTermEqual(field: string, value: string): FieldSelector {
  return new TermsSelector([{ field, operator: '=', value }]);
}

/** Every field of `set` equal to its value, terms sorted by field; an empty set selects everything. */
export function fieldSelectorFromSet(set: Fields): FieldSelector {
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw new SelectorError(`a field set must be an object of strings, not ${set === null ? 'null' : typeof set}`, {
      kind: 'Invalid',
    });
  }
  for (const [field, value] of Object.entries(set)) expectString(value, `field ${field}`);
  const names = Object.keys(set).sort(compareUtf8);
  return fieldSelectorFromRequirements(names.map((field) => ({ field, operator: '=', value: set[field]! })));
}

/** Escapes `\`, `,` and `=` in a value so it can be written into a selector string. */
export function escapeFieldValue(value: string): string {
  expectString(value, 'a field value');
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Undoes {@link escapeFieldValue}. Throws {@link SelectorError} for an unknown escape (`\x`), a trailing `\`,
 * or an unescaped `,` or `=` (apimachinery reports the latter by code point, e.g. `61` for `=`).
 */
export function unescapeFieldValue(s: string): string {
  expectString(s, 'a field value');
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const next = s[i + 1];
      if (next === undefined) throw escapeError('\\', i);
      // Go reports the whole escaped rune, so take a full code point (a surrogate pair stays together).
      if (next !== '\\' && next !== ',' && next !== '=')
        throw escapeError(`\\${String.fromCodePoint(s.codePointAt(i + 1)!)}`, i);
      out += next;
      i++;
    } else if (c === ',' || c === '=') {
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`, {
        position: i,
        token: c,
      });
    } else {
      out += c;
    }
  }
  return out;
}

function escapeError(sequence: string, position: number): SelectorError {
  return new SelectorError(`invalid field selector: invalid escape sequence: ${sequence}`, {
    position,
    token: sequence,
  });
}

/** Splits on commas not preceded by an escaping backslash; records where each part starts. */
function splitTerms(s: string): { text: string; start: number }[] {
  if (s === '') return [];
  const parts: { text: string; start: number }[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      parts.push({ text: s.slice(start, i), start });
      start = i + 1;
    }
  }
  parts.push({ text: s.slice(start), start });
  return parts;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator occurrence splits a term; `undefined` when there is none. */
function splitTerm(term: string): { field: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/**
 * Parses a field selector exactly as the API server does: terms are sorted by their text (UTF-8 byte order),
 * empty terms and terms with neither field nor value (`!=`) are skipped, each must contain `=`, `==` or `!=`, values are unescaped. Field names are not checked here; use
 * `validateFieldSelector(kind, sel)` for that. Throws {@link SelectorError} with apimachinery's message.
 *
 * @example
 * const sel = parseFieldSelector('spec.nodeName=node-1,status.phase!=Failed');
 * sel.matches({ 'spec.nodeName': 'node-1', 'status.phase': 'Running' }); // true
 * sel.requiresExactMatch('spec.nodeName'); // 'node-1'
 */
export function parseFieldSelector(s: string): FieldSelector {
  expectString(s, 'a field selector');
  const parts = splitTerms(s).sort((a, b) => compareUtf8(a.text, b.text));
  const terms: FieldRequirement[] = [];
  for (const part of parts) {
    if (part.text === '') continue;
    const split = splitTerm(part.text);
    if (split === undefined) {
      throw new SelectorError(`invalid selector: '${s}'; can't understand '${part.text}'`, {
        selector: s,
        position: part.start,
        token: part.text,
      });
    }
    const valueStart = part.start + split.field.length + split.op.length;
    const value = unescapeAt(split.rhs, s, valueStart);
    // apimachinery passes every term through an identity transform, which turns an empty field with an
    // empty value (`=`, `!=`) into Everything.
    if (split.field === '' && value === '') continue;
    terms.push({ field: split.field, operator: split.op === '!=' ? '!=' : '=', value });
  }
  return fieldSelectorFromRequirements(terms);
}

function unescapeAt(rhs: string, selector: string, offset: number): string {
  try {
    return unescapeFieldValue(rhs);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    throw new SelectorError(err.message, { selector, position: offset + err.position, token: err.token });
  }
}

function isFieldRequirement(t: unknown): boolean {
  const r = t as FieldRequirement | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.field === 'string' &&
    typeof r.value === 'string' &&
    ['=', '==', '!='].includes(r.operator as string)
  );
}
