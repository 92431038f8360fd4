/**
 * The tokenizer of the label selector grammar (apimachinery `labels.Lexer`): whitespace is skipped, runs of
 * `= ! ( ) , > <` are split by longest match, anything else up to the next special character or whitespace
 * is an identifier (the words `in` and `notin` are keywords).
 */

/** Token kinds. `Identifier` covers keys and values; `In`/`NotIn` read as identifiers in value position. */
export type LabelTokenKind =
  | 'End'
  | 'Error'
  | 'ClosedPar'
  | 'Comma'
  | 'DoesNotExist'
  | 'DoubleEquals'
  | 'Equals'
  | 'GreaterThan'
  | 'Identifier'
  | 'In'
  | 'LessThan'
  | 'NotEquals'
  | 'NotIn'
  | 'OpenPar';

/** A scanned token: its kind, its text and where it starts in the input. */
export interface LabelToken {
  kind: LabelTokenKind;
  literal: string;
  position: number;
}

const LITERALS: ReadonlyMap<string, LabelTokenKind> = new Map<string, LabelTokenKind>([
  [')', 'ClosedPar'],
  [',', 'Comma'],
  ['!', 'DoesNotExist'],
  ['==', 'DoubleEquals'],
  ['=', 'Equals'],
  ['>', 'GreaterThan'],
  ['in', 'In'],
  ['<', 'LessThan'],
  ['!=', 'NotEquals'],
  ['notin', 'NotIn'],
  ['(', 'OpenPar'],
]);

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecial(ch: string): boolean {
  return ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
}

/** Splits `s` into tokens; the last one is always `End`. */
export function lexLabelSelector(s: string): LabelToken[] {
  const tokens: LabelToken[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      tokens.push({ kind: 'End', literal: '', position: s.length });
      return tokens;
    }
    const token = isSpecial(s[pos]!) ? scanSpecial(s, pos) : scanIdentifier(s, pos);
    tokens.push(token);
    pos += token.kind === 'Error' ? s.length : token.literal.length;
  }
}

function scanIdentifier(s: string, start: number): LabelToken {
  let end = start;
  while (end < s.length && !isSpecial(s[end]!) && !isWhitespace(s[end]!)) end++;
  const literal = s.slice(start, end);
  return { kind: LITERALS.get(literal) ?? 'Identifier', literal, position: start };
}

/** Longest match over the operator spellings, growing one special character at a time. */
function scanSpecial(s: string, start: number): LabelToken {
  let best: LabelToken | undefined;
  let end = start;
  while (end < s.length && isSpecial(s[end]!)) {
    const candidate = s.slice(start, end + 1);
    const kind = LITERALS.get(candidate);
    if (kind !== undefined) best = { kind, literal: candidate, position: start };
    else if (best !== undefined) break;
    end++;
  }
  return best ?? { kind: 'Error', literal: s.slice(start, end), position: start };
}
