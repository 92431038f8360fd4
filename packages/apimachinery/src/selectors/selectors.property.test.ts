/**
 * Model-based tests of label and field selectors against independent models of apimachinery's
 * `labels/selector.go` and `fields/selector.go`: requirements generated as data, written out as selector
 * text with random spacing and empty set entries, then parsed; the canonical text, the requirements, the
 * parse of the printed form and matching against random label and field sets must agree with the model.
 * Random token soup checks that every input either parses to a selector that round-trips or is refused
 * with a SelectorError.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { escapeFieldValue, parseFieldSelector } from './fields.js';
import { parseLabelSelector } from './labels.js';
import { SelectorError } from './selector-error.js';

const RUNS = Number(process.env.KUBECACHE_PROPERTY_RUNS) || 1000;
/** Generous: the machine may be shared, and `npm run test:deep` raises RUNS a hundredfold. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 100);

/** Compares cheaply, and with `expect` (for its diff) only when they differ. */
function same<X>(got: X, want: X): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
}

// ---- label selectors -------------------------------------------------------------------------------------

type LabelOp = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
interface Req {
  key: string;
  op: LabelOp;
  /** As written (in/notin: the set entries, possibly empty strings; others: one value). */
  written: string[];
}

const LABEL_KEYS = ['a', 'b', 'in', 'x.io/y'];
const LABEL_VALUES = ['', 'v', 'w', 'in', 'notin', 'v-1'];
const space = fc.constantFrom('', ' ', '  ', '\t');

const reqArb = (key: string): fc.Arbitrary<Req> =>
  fc.oneof(
    fc.record({
      key: fc.constant(key),
      op: fc.constantFrom<LabelOp>('=', '==', '!='),
      written: fc.tuple(fc.constantFrom(...LABEL_VALUES)).map((v) => [...v]),
    }),
    fc.record({
      key: fc.constant(key),
      op: fc.constantFrom<LabelOp>('in', 'notin'),
      written: fc.array(fc.constantFrom(...LABEL_VALUES), { maxLength: 4 }),
    }),
    fc.record({
      key: fc.constant(key),
      op: fc.constantFrom<LabelOp>('exists', '!'),
      written: fc.constant<string[]>([]),
    }),
    fc.record({
      key: fc.constant(key),
      op: fc.constantFrom<LabelOp>('gt', 'lt'),
      written: fc.tuple(fc.constantFrom('0', '1', '10')).map((v) => [...v]),
    }),
  );

/** Distinct keys: apimachinery sorts requirements with an unstable sort, so equal keys have no fixed order. */
const selectorArb: fc.Arbitrary<Req[]> = fc
  .uniqueArray(fc.constantFrom(...LABEL_KEYS), { maxLength: 4 })
  .chain((keys) => fc.tuple(...keys.map(reqArb)))
  .map((reqs) => [...reqs]);

/** The selector text, with random spacing around the tokens apimachinery allows it around. */
function writeSelector(reqs: Req[], pads: string[]): string {
  let i = 0;
  const pad = () => pads[i++ % pads.length] ?? '';
  return reqs
    .map((r) => {
      switch (r.op) {
        case 'exists':
          return `${pad()}${r.key}${pad()}`;
        case '!':
          return `${pad()}!${pad()}${r.key}${pad()}`;
        case 'in':
        case 'notin':
          return `${pad()}${r.key} ${pad()}${r.op}${pad()}(${r.written.map((v) => `${pad()}${v}${pad()}`).join(',')})${pad()}`;
        case 'gt':
          return `${pad()}${r.key}${pad()}>${pad()}${r.written[0]}${pad()}`;
        case 'lt':
          return `${pad()}${r.key}${pad()}<${pad()}${r.written[0]}${pad()}`;
        default:
          return `${pad()}${r.key}${pad()}${r.op}${pad()}${r.written[0]}${pad()}`;
      }
    })
    .join(',');
}

/** The parsed values: a set, sorted; `()` and empty entries mean the empty string. */
function valuesOf(r: Req): string[] {
  if (r.op === 'exists' || r.op === '!') return [];
  const vals = r.op === 'in' || r.op === 'notin' ? (r.written.length === 0 ? [''] : r.written) : r.written;
  return [...new Set(vals)].sort();
}

function printReq(r: Req): string {
  const vals = valuesOf(r);
  switch (r.op) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
    case 'notin':
      return `${r.key} ${r.op} (${vals.join(',')})`;
    case 'gt':
      return `${r.key}>${vals[0]}`;
    case 'lt':
      return `${r.key}<${vals[0]}`;
    default:
      return `${r.key}${r.op}${vals[0]}`;
  }
}

function int64(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function matchReq(r: Req, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  const vals = valuesOf(r);
  switch (r.op) {
    case '=':
    case '==':
    case 'in':
      return has && vals.includes(v as string);
    case '!=':
    case 'notin':
      return !has || !vals.includes(v as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    default: {
      const a = int64(v);
      const b = int64(vals[0]);
      if (!has || a === undefined || b === undefined) return false;
      return r.op === 'gt' ? a > b : a < b;
    }
  }
}

const labelsArb = fc.dictionary(
  fc.constantFrom(...LABEL_KEYS),
  fc.constantFrom('', 'v', 'w', 'in', '1', '10', '-3', '+2'),
  {
    maxKeys: 4,
  },
);

describe('label selectors (model-based)', () => {
  it(
    `parse, print, re-parse and match as apimachinery (${RUNS} runs)`,
    () => {
      fc.assert(
        fc.property(
          selectorArb,
          fc.array(space, { minLength: 1, maxLength: 5 }),
          fc.array(labelsArb, { maxLength: 6 }),
          (reqs, pads, labelSets) => {
            const text = writeSelector(reqs, pads);
            const sel = parseLabelSelector(text);
            const sorted = [...reqs].sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
            const canonical = sorted.map(printReq).join(',');
            same(
              {
                text: sel.toString(),
                empty: sel.empty(),
                reqs: sel.requirements().map((r) => [r.key, r.operator, [...r.values]]),
                reparsed: parseLabelSelector(sel.toString()).toString(),
                matches: labelSets.map((l) => sel.matches(l)),
              },
              {
                text: canonical,
                empty: reqs.length === 0,
                reqs: sorted.map((r) => [r.key, r.op, valuesOf(r)]),
                reparsed: canonical,
                matches: labelSets.map((l) => sorted.every((r) => matchReq(r, l))),
              },
            );
            for (const r of sorted) {
              const vals = valuesOf(r);
              const exact = (r.op === '=' || r.op === '==' || r.op === 'in') && vals.length === 1 ? vals[0] : undefined;
              expect(sel.requiresExactMatch(r.key)).toBe(exact);
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `refuses token soup with a SelectorError or parses it to a selector that round-trips (${RUNS} runs)`,
    () => {
      const token = fc.constantFrom(
        'a',
        'b',
        'in',
        'notin',
        '(',
        ')',
        ',',
        '=',
        '==',
        '!',
        '!=',
        '>',
        '<',
        ' ',
        '1',
        '-',
        'x/',
        '',
      );
      fc.assert(
        fc.property(fc.array(token, { maxLength: 12 }), fc.array(labelsArb, { maxLength: 4 }), (tokens, labelSets) => {
          const text = tokens.join('');
          let sel: ReturnType<typeof parseLabelSelector>;
          try {
            sel = parseLabelSelector(text);
          } catch (err) {
            expect(err).toBeInstanceOf(SelectorError);
            return;
          }
          const again = parseLabelSelector(sel.toString());
          same(
            { text: again.toString(), matches: labelSets.map((l) => again.matches(l)) },
            { text: sel.toString(), matches: labelSets.map((l) => sel.matches(l)) },
          );
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});

// ---- field selectors -------------------------------------------------------------------------------------

interface Term {
  field: string;
  op: '=' | '==' | '!=';
  value: string;
}

const FIELDS = ['', 'a', 'b', 'metadata.name', 'ü'];
const FIELD_VALUES = ['', 'x', 'a,b', 'a=b', 'a\\b', '😀', '\uE000', ' y '];
const termArb: fc.Arbitrary<Term> = fc.record({
  field: fc.constantFrom(...FIELDS),
  op: fc.constantFrom('=' as const, '==' as const, '!=' as const),
  value: fc.constantFrom(...FIELD_VALUES),
});

/** Go compares strings by their UTF-8 bytes. */
const byUtf8 = (p: string, q: string) => Buffer.compare(Buffer.from(p, 'utf8'), Buffer.from(q, 'utf8'));

/** The escaping apimachinery's fields.EscapeValue applies, written out independently. */
function escapeModel(v: string): string {
  let out = '';
  for (const ch of v) out += ch === '\\' || ch === ',' || ch === '=' ? `\\${ch}` : ch;
  return out;
}

/** apimachinery's fields.parseSelector, written out independently; `undefined` for an error. */
function modelParseFields(text: string): Term[] | undefined {
  const parts: string[] = [];
  if (text !== '') {
    let start = 0;
    let slash = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (slash) slash = false;
      else if (c === '\\') slash = true;
      else if (c === ',') {
        parts.push(text.slice(start, i));
        start = i + 1;
      }
    }
    parts.push(text.slice(start));
  }
  const terms: Term[] = [];
  for (const part of parts.sort(byUtf8)) {
    if (part === '') continue;
    let split: [string, '=' | '==' | '!=', string] | undefined;
    for (let i = 0; i < part.length && split === undefined; i++) {
      for (const op of ['!=', '==', '='] as const) {
        if (part.startsWith(op, i)) {
          split = [part.slice(0, i), op, part.slice(i + op.length)];
          break;
        }
      }
    }
    if (split === undefined) return undefined;
    let value = '';
    let slash = false;
    for (const c of split[2]) {
      if (slash) {
        if (c !== '\\' && c !== ',' && c !== '=') return undefined;
        value += c;
        slash = false;
      } else if (c === '\\') slash = true;
      else if (c === ',' || c === '=') return undefined;
      else value += c;
    }
    if (slash) return undefined;
    if (split[0] === '' && value === '') continue;
    terms.push({ field: split[0], op: split[1] === '!=' ? '!=' : '=', value });
  }
  return terms;
}

const printTerms = (terms: Term[]) => terms.map((t) => `${t.field}${t.op}${escapeModel(t.value)}`).join(',');

const fieldSetArb = fc.dictionary(fc.constantFrom(...FIELDS), fc.constantFrom(...FIELD_VALUES), { maxKeys: 4 });

describe('field selectors (model-based)', () => {
  it(
    `parse, print, re-parse and match as apimachinery (${RUNS} runs)`,
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof({ arbitrary: termArb, weight: 5 }, { arbitrary: fc.constant(undefined), weight: 1 }), {
            maxLength: 5,
          }),
          fc.array(fieldSetArb, { maxLength: 6 }),
          (parts, sets) => {
            const text = parts
              .map((t) => (t === undefined ? '' : `${t.field}${t.op}${escapeModel(t.value)}`))
              .join(',');
            const kept = modelParseFields(text) as Term[];
            const sel = parseFieldSelector(text);
            const canonical = printTerms(kept);
            same(
              {
                text: sel.toString(),
                empty: sel.empty(),
                reqs: sel.requirements().map((r) => [r.field, r.operator, r.value]),
                reparsed: parseFieldSelector(sel.toString()).toString(),
                matches: sets.map((s) => sel.matches(s)),
                escaped: kept.map((t) => escapeFieldValue(t.value)),
              },
              {
                text: canonical,
                empty: kept.length === 0,
                reqs: kept.map((t) => [t.field, t.op, t.value]),
                reparsed: printTerms(modelParseFields(canonical) as Term[]),
                matches: sets.map((s) => kept.every((t) => ((s[t.field] ?? '') === t.value) === (t.op !== '!='))),
                escaped: kept.map((t) => escapeModel(t.value)),
              },
            );
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `refuses character soup exactly when apimachinery does, and agrees on what it parses (${RUNS} runs)`,
    () => {
      const ch = fc.constantFrom('a', 'b', '=', '!', ',', '\\', ' ', '😀', '\uE000', 'x');
      fc.assert(
        fc.property(fc.array(ch, { maxLength: 10 }), (chars) => {
          const text = chars.join('');
          const want = modelParseFields(text);
          let got: string | undefined;
          try {
            got = parseFieldSelector(text).toString();
          } catch (err) {
            expect(err).toBeInstanceOf(SelectorError);
          }
          same(got, want === undefined ? undefined : printTerms(want));
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
