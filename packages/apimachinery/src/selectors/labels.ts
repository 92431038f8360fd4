/**
 * Label selectors (apimachinery `labels`): parse the string grammar, build from a `LabelSelector` object,
 * match label sets, print in canonical form.
 *
 * Grammar: `selector := "" | req ("," req)*`; `req := "!" KEY | KEY | KEY ("="|"=="|"!=") [VALUE]
 * | KEY ("in"|"notin") "(" [VALUE] ("," [VALUE])* ")" | KEY (">"|"<") INT`. Requirements are ANDed and kept
 * sorted by key.
 */
import { goQuote } from './go-format.js';
import { type LabelToken, type LabelTokenKind, lexLabelSelector } from './label-lexer.js';
import {
  type LabelOperator,
  LabelRequirement,
  type Labels,
  labelKeyProblem,
  NIL_PATH,
  newLabelRequirement,
} from './label-requirement.js';
import { expectArrayOf, expectString, SelectorError } from './selector-error.js';

/**
 * A parsed label selector. Immutable. `matches` is the hot path: it reads only the keys the requirements
 * name and allocates nothing.
 */
export interface LabelSelector {
  /** Whether `labels` satisfy every requirement. An absent label set is the empty set. */
  matches(labels: Labels | undefined): boolean;
  /** Whether this selector selects everything (no requirements). `nothing()` is not empty. */
  empty(): boolean;
  /** Canonical text: requirements sorted by key, set values sorted. `parse(s.toString())` gives `s` back. */
  toString(): string;
  /** The requirements, sorted by key. Empty for both everything and nothing. */
  requirements(): readonly LabelRequirement[];
  /** The single value `label` must have (`=`, `==`, or `in` with one value), else `undefined`. */
  requiresExactMatch(label: string): string | undefined;
  /** A new selector with `reqs` added (ANDed). */
  add(...reqs: LabelRequirement[]): LabelSelector;
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

class RequirementsSelector implements LabelSelector {
  readonly #reqs: readonly LabelRequirement[];

  constructor(reqs: readonly LabelRequirement[]) {
    this.#reqs = Object.freeze([...reqs].sort(byKey));
  }

  matches(labels: Labels | undefined): boolean {
    const reqs = this.#reqs;
    for (let i = 0; i < reqs.length; i++) if (!reqs[i]!.matches(labels)) return false;
    return true;
  }

  empty(): boolean {
    return this.#reqs.length === 0;
  }

  toString(): string {
    return this.#reqs.map((r) => r.toString()).join(',');
  }

  requirements(): readonly LabelRequirement[] {
    return this.#reqs;
  }

  requiresExactMatch(label: string): string | undefined {
    const r = this.#reqs.find((req) => req.key === label);
    if (r === undefined) return undefined;
    const exact = r.operator === '=' || r.operator === '==' || r.operator === 'in';
    return exact && r.values.length === 1 ? r.values[0] : undefined;
  }

  add(...reqs: LabelRequirement[]): LabelSelector {
    return new RequirementsSelector([...this.#reqs, ...reqs]);
  }
}

class NothingSelector implements LabelSelector {
  matches(): boolean {
    return false;
  }
  empty(): boolean {
    return false;
  }
  toString(): string {
    return '';
  }
  requirements(): readonly LabelRequirement[] {
    return [];
  }
  requiresExactMatch(): string | undefined {
    return undefined;
  }
  add(): LabelSelector {
    return this;
  }
}

const EVERYTHING: LabelSelector = new RequirementsSelector([]);
const NOTHING: LabelSelector = new NothingSelector();

/** The selector that matches every label set (the empty string parses to it). */
export function labelSelectorEverything(): LabelSelector {
  return EVERYTHING;
}

/** The selector that matches nothing (what a nil `LabelSelector` object means). */
export function labelSelectorNothing(): LabelSelector {
  return NOTHING;
}

/** A selector from requirements built with `newLabelRequirement`. */
export function labelSelectorFromRequirements(reqs: readonly LabelRequirement[]): LabelSelector {
  expectArrayOf(reqs, 'requirements', (r) => r instanceof LabelRequirement);
  return reqs.length === 0 ? EVERYTHING : new RequirementsSelector(reqs);
}

/**
 * The selector matching exactly `set` (every key equal to its value); an empty set selects everything.
 * Validates like the apiserver: throws {@link SelectorError} for a bad key or value.
 */
export function labelSelectorFromSet(set: Labels | undefined): LabelSelector {
  const entries = Object.entries(set ?? {});
  return labelSelectorFromRequirements(entries.map(([k, v]) => newLabelRequirement(k, '=', [v])));
}

/** `metav1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirementObject {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | (string & {});
  values?: readonly string[];
}

/** `metav1.LabelSelector`, as in a Deployment's or Service's spec. */
export interface LabelSelectorObject {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelSelectorRequirementObject[];
}

const OBJECT_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Converts a `LabelSelector` object (apimachinery's `LabelSelectorAsSelector`): `undefined`/`null` selects
 * nothing, an empty object selects everything, `matchLabels` become `=` requirements and `matchExpressions`
 * In/NotIn/Exists/DoesNotExist. Throws {@link SelectorError} for an unknown operator or invalid key/values.
 *
 * @example
 * labelSelectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] })
 *   .toString(); // 'app=web,tier'
 */
export function labelSelectorFromObject(obj: LabelSelectorObject | null | undefined): LabelSelector {
  if (obj === undefined || obj === null) return NOTHING;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(obj.matchLabels ?? {})) reqs.push(newLabelRequirement(k, '=', [v]));
  for (const expr of obj.matchExpressions ?? []) {
    const op = Object.hasOwn(OBJECT_OPERATORS, expr.operator) ? OBJECT_OPERATORS[expr.operator] : undefined;
    if (op === undefined) {
      throw new SelectorError(`${goQuote(String(expr.operator))} is not a valid label selector operator`, {
        kind: 'Invalid',
        token: String(expr.operator),
      });
    }
    // Go copies the values with append([]string(nil), …): an empty list stays nil, which JSON prints as null.
    const values = expr.values === undefined || expr.values.length === 0 ? undefined : [...expr.values];
    reqs.push(newLabelRequirement(expr.key, op, values));
  }
  return labelSelectorFromRequirements(reqs);
}

/**
 * Parses a label selector string exactly as the API server does. Throws {@link SelectorError} whose
 * `message` is apimachinery's text and whose `position`/`token` point at the offending token.
 *
 * @example
 * const sel = parseLabelSelector('environment in (production, qa), tier notin (frontend), !canary');
 * sel.matches({ environment: 'qa', tier: 'backend' }); // true
 * sel.toString(); // '!canary,environment in (production,qa),tier notin (frontend)'
 */
export function parseLabelSelector(s: string): LabelSelector {
  expectString(s, 'a label selector');
  const reqs = new LabelParser(s).parse();
  return labelSelectorFromRequirements(reqs);
}

/** A recursive-descent parser over the token list, one token of lookahead. */
class LabelParser {
  readonly #input: string;
  readonly #tokens: LabelToken[];
  #pos = 0;

  constructor(input: string) {
    this.#input = input;
    this.#tokens = lexLabelSelector(input);
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.kind === 'End') return reqs;
      if (t.kind !== 'Identifier' && t.kind !== 'DoesNotExist') {
        this.#fail(`found '${t.literal}', expected: !, identifier, or 'end of string'`, t);
      }
      reqs.push(this.#requirement());
      const sep = this.#next();
      if (sep.kind === 'End') return reqs;
      if (sep.kind !== 'Comma') this.#fail(`found '${sep.literal}', expected: ',' or 'end of string'`, sep);
      const after = this.#peek();
      if (after.kind !== 'Identifier' && after.kind !== 'DoesNotExist') {
        this.#fail(`found '${after.literal}', expected: identifier after ','`, after);
      }
    }
  }

  /** Value context: the keywords `in`/`notin` read as identifiers. */
  #peek(): LabelToken {
    return asValue(this.#tokens[this.#pos]!);
  }

  #next(): LabelToken {
    const t = this.#peek();
    if (t.kind !== 'End') this.#pos++;
    return t;
  }

  #fail(message: string, token: LabelToken, kind: 'Syntax' | 'Invalid' = 'Syntax'): never {
    throw new SelectorError(message, { kind, selector: this.#input, position: token.position, token: token.literal });
  }

  #requirement(): LabelRequirement {
    let keyToken = this.#next();
    const negated = keyToken.kind === 'DoesNotExist';
    if (negated) keyToken = this.#next();
    if (keyToken.kind !== 'Identifier') this.#wrapFail(`found '${keyToken.literal}', expected: identifier`, keyToken);
    const problem = labelKeyProblem(keyToken.literal, NIL_PATH);
    if (problem !== undefined) this.#wrapFail(problem, keyToken, 'Invalid');
    const after = this.#peek().kind;
    const unary = after === 'End' || after === 'Comma';
    // `!key` takes no operator; whatever follows it is reported by the caller as a misplaced token.
    if (unary || negated) return this.#build(keyToken, negated ? '!' : 'exists', []);
    const op = this.#operator();
    const values = op === 'in' || op === 'notin' ? this.#setValues() : [this.#exactValue()];
    return this.#build(keyToken, op, values);
  }

  #wrapFail(message: string, token: LabelToken, kind: 'Syntax' | 'Invalid' = 'Syntax'): never {
    this.#fail(`unable to parse requirement: ${message}`, token, kind);
  }

  #build(keyToken: LabelToken, op: LabelOperator, values: string[]): LabelRequirement {
    try {
      return newLabelRequirement(keyToken.literal, op, values);
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      return this.#wrapFail(err.message, keyToken, 'Invalid');
    }
  }

  #operator(): LabelOperator {
    const t = this.#tokens[this.#pos]!;
    if (t.kind !== 'End') this.#pos++;
    const op = OPERATOR_TOKENS.get(t.kind);
    if (op === undefined) this.#wrapFail(`found '${t.literal}', expected: ${BINARY_OPERATORS}`, t);
    return op;
  }

  #exactValue(): string {
    const t = this.#peek();
    if (t.kind === 'End' || t.kind === 'Comma') return '';
    this.#next();
    if (t.kind !== 'Identifier') this.#wrapFail(`found '${t.literal}', expected: identifier`, t);
    return t.literal;
  }

  /** `( [v] (, [v])* )`: empty entries are the empty string; duplicates collapse; result sorted. */
  #setValues(): string[] {
    const open = this.#next();
    if (open.kind !== 'OpenPar') this.#wrapFail(`found '${open.literal}' expected: '('`, open);
    const first = this.#peek();
    if (first.kind === 'ClosedPar') {
      this.#next();
      return [''];
    }
    if (first.kind !== 'Identifier' && first.kind !== 'Comma') {
      this.#wrapFail(`found '${first.literal}', expected: ',', ')' or identifier`, first);
    }
    const values = this.#identifierList();
    const close = this.#next();
    if (close.kind !== 'ClosedPar') this.#wrapFail(`found '${first.literal}', expected: ')'`, close);
    return [...values].sort();
  }

  #identifierList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const t = this.#next();
      if (t.kind === 'Identifier') {
        values.add(t.literal);
        const after = this.#peek();
        if (after.kind === 'ClosedPar') return values;
        if (after.kind !== 'Comma') this.#wrapFail(`found '${after.literal}', expected: ',' or ')'`, after);
      } else if (t.kind === 'Comma') {
        // Empty entries: a leading comma and a trailing comma each stand for the empty string.
        if (values.size === 0) values.add('');
        const after = this.#peek();
        if (after.kind === 'ClosedPar') {
          values.add('');
          return values;
        }
        // ",," stands for the empty string; the second comma is read by the next round.
        if (after.kind === 'Comma') values.add('');
      } else {
        this.#wrapFail(`found '${t.literal}', expected: ',', or identifier`, t);
      }
    }
  }
}

const OPERATOR_TOKENS: ReadonlyMap<LabelTokenKind, LabelOperator> = new Map<LabelTokenKind, LabelOperator>([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Equals', '='],
  ['DoubleEquals', '=='],
  ['NotEquals', '!='],
  ['GreaterThan', 'gt'],
  ['LessThan', 'lt'],
]);

/** apimachinery's `binaryOperators`, joined as its "expected:" message lists them. */
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function asValue(t: LabelToken): LabelToken {
  return t.kind === 'In' || t.kind === 'NotIn' ? { ...t, kind: 'Identifier' } : t;
}
