/**
 * How Go prints values in apimachinery's messages, so our texts match the API server's byte for byte:
 * `%q` for strings (`strconv.Quote`), `encoding/json` for lists (apimachinery ≥ 1.34 renders composite bad
 * values as JSON), and Go's byte order for sorting strings.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function quoteCodePoint(ch: string): string {
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return simple;
  const cp = ch.codePointAt(0)!;
  // A lone surrogate cannot be encoded as UTF-8; Go would have received U+FFFD in its place.
  if (cp >= 0xd800 && cp <= 0xdfff) return '\uFFFD';
  if (PRINTABLE.test(ch)) return ch;
  if (cp < 0x80) return `\\x${hex(cp, 2)}`;
  return cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
}

/** `s` as Go's `%q` / `strconv.Quote` prints it: `"b\vc"`, `"\x00"`, `"é"`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += quoteCodePoint(ch);
  return `${out}"`;
}

/**
 * A string list as Go's `json.Marshal` prints it: `null` for a nil slice (`undefined`), else `["a","b"]`
 * with `<`, `>`, `&`, U+2028 and U+2029 escaped as Go's HTML-safe encoder does.
 */
export function goJSONStrings(values: readonly string[] | undefined): string {
  if (values === undefined) return 'null';
  return JSON.stringify(values).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}

/** Compares as Go compares strings, by UTF-8 bytes (that is, by code point), not by UTF-16 code unit. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (U+10000 and up) sort differently from UTF-16: lift them above U+E000–U+FFFF.
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    const surrogateY = y >= 0xd800 && y <= 0xdfff;
    if (surrogateX !== surrogateY && Math.min(x, y) >= 0xd800) return surrogateX ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
