/**
 * One term of a label selector (apimachinery's `labels.Requirement`): a key, an operator and values, with
 * Kubernetes' validation and matching rules.
 */
import { goJSONStrings } from './go-format.js';
import { expectArrayOf, expectString, SelectorError } from './selector-error.js';
import { aggregateMessages, invalidFieldMessage, isQualifiedName, isValidLabelValue } from './validation.js';

/**
 * The operators of a label requirement, spelled as apimachinery's `selection.Operator`:
 * `'='`, `'=='` and `'in'` need the key with one of the values; `'!='` and `'notin'` need the key absent or
 * with none of them; `'exists'` and `'!'` test presence; `'gt'` and `'lt'` compare integer values.
 */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** A label set as objects carry it in `metadata.labels`. */
export type Labels = Readonly<Record<string, string>>;

const INT64_RE = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a base-10 int64 as Go's `strconv.ParseInt(s, 10, 64)` does; `undefined` when it would fail. */
export function parseInt64(s: string): bigint | undefined {
  if (!INT64_RE.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** The value of `key` in `labels`, or `undefined` when absent (inherited properties do not count). */
export function labelValue(labels: Labels | undefined, key: string): string | undefined {
  if (typeof labels !== 'object' || labels === null) return undefined;
  const v = labels[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * A validated label requirement. Build one with {@link newLabelRequirement}; selectors are made of them.
 * Values are kept sorted; `toString()` is apimachinery's canonical form (`a in (x,y)`, `!a`, `a!=b`).
 */
export class LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** The values, sorted. Empty for `exists` and `!`. */
  readonly values: readonly string[];
  readonly #set: ReadonlySet<string> | undefined;
  readonly #bound: bigint | undefined;

  /** @internal Use {@link newLabelRequirement}, which validates. */
  constructor(key: string, operator: LabelOperator, values: readonly string[]) {
    this.key = key;
    this.operator = operator;
    this.values = Object.freeze([...values].sort());
    this.#set = values.length > 4 ? new Set(values) : undefined;
    this.#bound = operator === 'gt' || operator === 'lt' ? parseInt64(values[0] ?? '') : undefined;
  }

  /** Whether `labels` satisfy this requirement (apimachinery's `Requirement.Matches`). */
  matches(labels: Labels | undefined): boolean {
    const v = labelValue(labels, this.key);
    switch (this.operator) {
      case '=':
      case '==':
      case 'in':
        return v !== undefined && this.#has(v);
      case '!=':
      case 'notin':
        return v === undefined || !this.#has(v);
      case 'exists':
        return v !== undefined;
      case '!':
        return v === undefined;
      default:
        return this.#compare(v);
    }
  }

  /** The canonical text of this requirement. */
  toString(): string {
    switch (this.operator) {
      case '!':
        return `!${this.key}`;
      case 'exists':
        return this.key;
      case 'in':
      case 'notin':
        return `${this.key} ${this.operator} (${this.values.join(',')})`;
      case 'gt':
        return `${this.key}>${this.values[0]}`;
      case 'lt':
        return `${this.key}<${this.values[0]}`;
      default:
        return `${this.key}${this.operator}${this.values[0]}`;
    }
  }

  #has(v: string): boolean {
    if (this.#set !== undefined) return this.#set.has(v);
    const values = this.values;
    for (let i = 0; i < values.length; i++) if (values[i] === v) return true;
    return false;
  }

  #compare(v: string | undefined): boolean {
    if (v === undefined || this.#bound === undefined) return false;
    const n = parseInt64(v);
    if (n === undefined) return false;
    return this.operator === 'gt' ? n > this.#bound : n < this.#bound;
  }
}

/** Field-path prefix for messages: apimachinery prints `<nil>` when the parser has no path. */
export const NIL_PATH = '<nil>';

/** The key check alone, as the parser runs it before reading the operator; `undefined` when valid. */
export function labelKeyProblem(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length === 0 ? undefined : invalidFieldMessage(path, key, errs.join('; '));
}

/**
 * Builds a validated requirement (apimachinery's `NewRequirement`). Throws a {@link SelectorError} of kind
 * `'Invalid'` listing every problem: a bad key, a bad value, or a value count the operator does not allow
 * (`in`/`notin` need ≥ 1, `=`/`==`/`!=`/`gt`/`lt` exactly 1, `exists`/`!` none; `gt`/`lt` an int64).
 *
 * @example
 * newLabelRequirement('tier', 'in', ['web', 'db']).toString(); // 'tier in (db,web)'
 */
export function newLabelRequirement(
  key: string,
  operator: LabelOperator,
  values: readonly string[] | undefined,
): LabelRequirement {
  expectString(key, 'a label key');
  if (values !== undefined) expectArrayOf<string>(values, 'label values', (v) => typeof v === 'string');
  const vals = values ?? [];
  const errs: string[] = [];
  const keyProblem = labelKeyProblem(key, 'key');
  if (keyProblem !== undefined) errs.push(keyProblem);
  errs.push(...countProblems(operator, values));
  vals.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalidFieldMessage(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length > 0) {
    throw new SelectorError(aggregateMessages(errs), { kind: 'Invalid', token: key });
  }
  return new LabelRequirement(key, operator, vals);
}

function countProblems(operator: LabelOperator, values: readonly string[] | undefined): string[] {
  const n = values?.length ?? 0;
  const bad = (detail: string) => [`values: Invalid value: ${goJSONStrings(values)}: ${detail}`];
  switch (operator) {
    case 'in':
    case 'notin':
      return n === 0 ? bad("for 'in', 'notin' operators, values set can't be empty") : [];
    case '=':
    case '==':
    case '!=':
      return n !== 1 ? bad('exact-match compatibility requires one single value') : [];
    case 'exists':
    case '!':
      return n !== 0 ? bad('values set must be empty for exists and does not exist') : [];
    case 'gt':
    case 'lt':
      return intProblems(values ?? [], n !== 1 ? bad("for 'Gt', 'Lt' operators, exactly one value is required") : []);
    default:
      return [
        `operator: Unsupported value: ${JSON.stringify(operator)}: supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
      ];
  }
}

function intProblems(values: readonly string[], errs: string[]): string[] {
  values.forEach((v, i) => {
    if (parseInt64(v) === undefined) {
      errs.push(invalidFieldMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    }
  });
  return errs;
}
