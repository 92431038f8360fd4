/**
 * Review findings: inputs on which the selectors differed from current apimachinery (labels/selector.go,
 * api/validate/content, fields/selector.go, the core/v1 field-label conversions). Each case failed before
 * its fix.
 */
import { describe, expect, it } from '@jest/globals';
import { validateFieldSelector } from './field-sets.js';
import { parseFieldSelector } from './fields.js';
import { labelSelectorFromObject, parseLabelSelector } from './labels.js';
import { SelectorError } from './selector-error.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './validation.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SelectorError) return err.message;
    throw err;
  }
  throw new Error('expected a SelectorError');
}

describe('length limits count UTF-8 bytes and say so', () => {
  it.each([
    [
      'a label value of 32 two-byte characters',
      () => isValidLabelValue('é'.repeat(32)),
      'must be no more than 63 bytes',
    ],
    ['an ASCII label value of 64', () => isValidLabelValue('v'.repeat(64)), 'must be no more than 63 bytes'],
    [
      'a key name of 32 two-byte characters',
      () => isQualifiedName('é'.repeat(32)),
      'name part must be no more than 63 bytes',
    ],
    ['an ASCII key name of 64', () => isQualifiedName('k'.repeat(64)), 'name part must be no more than 63 bytes'],
    [
      'a subdomain of 127 two-byte characters',
      () => isDNS1123Subdomain('é'.repeat(127)),
      'must be no more than 253 bytes',
    ],
    [
      'a key prefix of 254',
      () => isQualifiedName(`${'p'.repeat(254)}/n`),
      'prefix part must be no more than 253 bytes',
    ],
  ])('flags %s', (_what, check, text) => {
    expect(check()).toContain(text);
  });

  it('accepts exactly 63 bytes of ASCII', () => {
    expect(isValidLabelValue('v'.repeat(63))).toEqual([]);
    expect(isQualifiedName('k'.repeat(63))).toEqual([]);
  });
});

describe('label key with more than one slash', () => {
  it('is "a valid label key …" as content.IsLabelKey words it', () => {
    const [msg] = isQualifiedName('a/b/c');
    expect(msg).toMatch(/^a valid label key must consist of alphanumeric characters/);
    expect(msg).toMatch(/with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  });
});

describe('label selector parser', () => {
  it('lists the binary operators as apimachinery joins them when an operator is missing', () => {
    expect(messageOf(() => parseLabelSelector('a b'))).toBe(
      "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
    );
  });

  it.each([
    ['a in ()', 'a in ()'],
    ['a in (b,)', 'a in (,b)'],
    ['a notin (,b,,c)', 'a notin (,b,c)'],
    ['a=', 'a='],
    ['a==b', 'a==b'],
    ['a!=', 'a!='],
    ['!a,b', '!a,b'],
    ['  b =  1 ,\ta\n in ( x , y )  ', 'a in (x,y),b=1'],
    ['b=1,a=2,a=1', 'a=2,a=1,b=1'],
    ['x in (in,notin)', 'x in (in,notin)'],
    ['in in (notin)', 'in in (notin)'],
    ['a>5', 'a>5'],
    ['a<0', 'a<0'],
  ])('parses %j to the canonical %j', (input, canonical) => {
    expect(parseLabelSelector(input).toString()).toBe(canonical);
    expect(parseLabelSelector(canonical).toString()).toBe(canonical);
  });

  it.each([
    ['ké=v', 'name part must consist of'],
    ['k=vé', 'values[0][k]: Invalid value: "vé"'],
    ['a in (b,)x', "found 'x', expected: ',' or 'end of string'"],
    // `>`/`<` values are validated as label values too, so a negative bound is rejected.
    ['a>-5', 'values[0][a]: Invalid value: "-5": a valid label must be'],
  ])('rejects %j', (input, text) => {
    expect(messageOf(() => parseLabelSelector(input))).toContain(text);
  });
});

describe('labelSelectorFromObject', () => {
  it('prints an empty values list of In as JSON null, as append([]string(nil), …) leaves it nil', () => {
    expect(
      messageOf(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })),
    ).toBe("values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty");
  });
});

describe('pod field selectors', () => {
  it('accepts status.podIPs, which the core/v1 conversion lets through', () => {
    const sel = validateFieldSelector('Pod', parseFieldSelector('status.podIPs=10.0.0.1'));
    expect(sel.toString()).toBe('status.podIPs=10.0.0.1');
  });

  it.each([
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=\\😀', 'invalid field selector: invalid escape sequence: \\😀'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a!==b', 'invalid field selector: unescaped character in value: 61'],
    ['a', "invalid selector: 'a'; can't understand 'a'"],
  ])('rejects %j as apimachinery words it', (input, message) => {
    expect(messageOf(() => parseFieldSelector(input))).toBe(message);
  });

  it('round-trips escaped values', () => {
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
    expect(sel.requirements()[0]?.value).toBe('a,b=c\\d');
    expect(parseFieldSelector(sel.toString()).requirements()[0]?.value).toBe('a,b=c\\d');
  });
});

describe('divergences found by differential testing', () => {
  it('#2 parseLabelSelector accepts empty values in a set: (a,,), (a,,,,,,), (a,,a,,a,,a,,)', () => {
    for (const input of ['x in (a,,)', 'x in (a,,,)', 'x in (a,,,,,,)', 'x in (a,,a,,a,,a,,)']) {
      const sel = parseLabelSelector(input);
      expect(sel.toString()).toBe('x in (,a)');
      expect(sel.matches({ x: '' })).toBe(true);
      expect(sel.matches({ x: 'b' })).toBe(false);
    }
    expect(parseLabelSelector('x in (,,)').toString()).toBe('x in ()');
    expect(parseLabelSelector('x in (a,,b)').toString()).toBe('x in (,a,b)');
    expect(parseLabelSelector('x notin (abc,,def),bar,z in (),w').toString()).toBe('bar,w,x notin (,abc,def),z in ()');
  });

  it('#10 parseFieldSelector: an empty term is Everything and terms sort by UTF-8 bytes', () => {
    for (const input of ['!=', '=', '==', 'a=b,!=', '!=,=']) {
      const sel = parseFieldSelector(input);
      expect(sel.requirements().filter((r) => r.field === '' && r.value === '')).toEqual([]);
    }
    expect(parseFieldSelector('!=').empty()).toBe(true);
    expect(parseFieldSelector('a=b,!=').toString()).toBe('a=b');
    expect(parseFieldSelector('=a').toString()).toBe('=a');
    expect(parseFieldSelector('😀=b,\uE000=a').toString()).toBe('\uE000=a,😀=b');
  });

  it('#11 error texts print list values as JSON and strings as Go %q', () => {
    expect(messageOf(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In' }] }))).toBe(
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(
      messageOf(() =>
        labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }] }),
      ),
    ).toBe('values: Invalid value: ["x","y"]: values set must be empty for exists and does not exist');
    expect(messageOf(() => parseLabelSelector('k=b\vc'))).toContain('values[0][k]: Invalid value: "b\\vc": ');
    expect(messageOf(() => parseLabelSelector('k=b\u0001c'))).toContain('Invalid value: "b\\x01c": ');
    expect(messageOf(() => parseLabelSelector('k=b\u0085c'))).toContain('Invalid value: "b\\u0085c": ');
    expect(messageOf(() => parseLabelSelector('k=é"'))).toContain('Invalid value: "é\\"": ');
  });

  it('#18 a NUL byte in a label selector is refused, not read as the end of input (departure)', () => {
    for (const input of ['a=b\u0000', 'a=b \u0000c', '\u0000', 'a in (x\u0000)']) {
      expect(() => parseLabelSelector(input)).toThrow(SelectorError);
    }
    expect(messageOf(() => parseLabelSelector('\u0000'))).toContain('<nil>: Invalid value: "\\x00"');
  });
});
