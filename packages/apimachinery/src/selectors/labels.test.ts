import { describe, expect, it } from '@jest/globals';
import { newLabelRequirement } from './label-requirement.js';
import {
  labelSelectorEverything,
  labelSelectorFromObject,
  labelSelectorFromSet,
  labelSelectorNothing,
  parseLabelSelector,
} from './labels.js';
import { SelectorError } from './selector-error.js';

const QNAME_REGEX =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function parseError(s: string): SelectorError {
  try {
    parseLabelSelector(s);
  } catch (err) {
    if (err instanceof SelectorError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(s)} to fail`);
}

describe('parseLabelSelector', () => {
  describe('valid selectors and their canonical form', () => {
    it.each([
      ['', ''],
      ['x=a', 'x=a'],
      ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
      ['z=c,y=b,x=a', 'x=a,y=b,z=c'],
      ['x!=a,y=b', 'x!=a,y=b'],
      ['x==a', 'x==a'],
      ['x=', 'x='],
      ['x= ', 'x='],
      ['x=,z= ', 'x=,z='],
      ['x= ,z= ', 'x=,z='],
      ['x', 'x'],
      ['!x', '!x'],
      [' ! x ', '!x'],
      ['!y,x', 'x,!y'],
      ['b,!a', '!a,b'],
      ['x>1', 'x>1'],
      ['x<1', 'x<1'],
      ['x>1,z<5', 'x>1,z<5'],
      ['x<9223372036854775807', 'x<9223372036854775807'],
      ['x in (a)', 'x in (a)'],
      ['x in (b,a)', 'x in (a,b)'],
      ['x in (a,a,b)', 'x in (a,b)'],
      ['x notin (a)', 'x notin (a)'],
      ['x in ()', 'x in ()'],
      ['x in (,a)', 'x in (,a)'],
      ['x in (a,)', 'x in (,a)'],
      ['x in (a,,b)', 'x in (,a,b)'],
      ['x in ( a , b )', 'x in (a,b)'],
      ['x in (in,notin)', 'x in (in,notin)'],
      ['in in (in)', 'in in (in)'],
      ['notin notin (notin)', 'notin notin (notin)'],
      ['notin=in', 'notin=in'],
      ['\tx\r\n=\na', 'x=a'],
      [
        'environment in (production, qa), tier notin (frontend)',
        'environment in (production,qa),tier notin (frontend)',
      ],
      ['example.com/app=web', 'example.com/app=web'],
      ['app.kubernetes.io/name=MyApp_1.0-rc', 'app.kubernetes.io/name=MyApp_1.0-rc'],
      [`k=${'v'.repeat(63)}`, `k=${'v'.repeat(63)}`],
      [`${'k'.repeat(63)}`, `${'k'.repeat(63)}`],
      [`${'p'.repeat(253)}/n`, `${'p'.repeat(253)}/n`],
      ['x=a,x!=b', 'x=a,x!=b'],
    ])('parses %j to %j', (input, canonical) => {
      const sel = parseLabelSelector(input);
      expect(sel.toString()).toBe(canonical);
      expect(parseLabelSelector(sel.toString()).toString()).toBe(canonical);
    });
  });

  describe('invalid selectors', () => {
    it.each([
      ['x=a||y=b', 'unable to parse requirement: values[0][x]: Invalid value: "a||y": a valid label must be'],
      ['x>+10', 'values[0][x]: Invalid value: "+10"'],
      ['x==a==b', "found '==', expected: ',' or 'end of string'"],
      ['!x=a', "found '=', expected: ',' or 'end of string'"],
      ['!x in (a)', "found 'in', expected: ',' or 'end of string'"],
      [
        'x<a',
        "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
      ],
      ['x>1.1', "for 'Gt', 'Lt' operators, the value must be an integer"],
      ['x>', "for 'Gt', 'Lt' operators, the value must be an integer"],
      ['x>9223372036854775808', 'the value must be an integer'],
      ['a=b,', "found '', expected: identifier after ','"],
      ['a=b,,c', "found ',', expected: identifier after ','"],
      [',a', "found ',', expected: !, identifier, or 'end of string'"],
      ['(x)', "found '(', expected: !, identifier, or 'end of string'"],
      ['x in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
      ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['x in a', "unable to parse requirement: found 'a' expected: '('"],
      ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
      ['x notin', "unable to parse requirement: found '' expected: '('"],
      ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      ['x===a', "unable to parse requirement: found '=', expected: identifier"],
      ['x!==a', "unable to parse requirement: found '=', expected: identifier"],
      ['x=a b', "found 'b', expected: ',' or 'end of string'"],
      ['!', "unable to parse requirement: found '', expected: identifier"],
      ['!!x', "unable to parse requirement: found '!', expected: identifier"],
      ['x/y/z', `unable to parse requirement: <nil>: Invalid value: "x/y/z": a valid label key ${QNAME_REGEX}`],
      ['/x', 'unable to parse requirement: <nil>: Invalid value: "/x": prefix part must be non-empty'],
      [
        'x/',
        'unable to parse requirement: <nil>: Invalid value: "x/": name part must be non-empty; name part must consist',
      ],
      ['-x=a', `unable to parse requirement: <nil>: Invalid value: "-x": name part ${QNAME_REGEX}`],
      [
        'Example.com/x',
        'prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters',
      ],
      [`${'k'.repeat(64)}=a`, 'name part must be no more than 63 bytes'],
      [`${'p'.repeat(254)}/n`, 'prefix part must be no more than 253 bytes'],
      [
        `k=${'v'.repeat(64)}`,
        `unable to parse requirement: values[0][k]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`,
      ],
      ['k=-v', 'values[0][k]: Invalid value: "-v": a valid label must be an empty string or consist of alphanumeric'],
      ['k in (a,b$)', 'values[1][k]: Invalid value: "b$"'],
    ])('rejects %j with %j', (input, text) => {
      const err = parseError(input);
      expect(err).toBeInstanceOf(SelectorError);
      expect(err.name).toBe('SelectorError');
      expect(err.message).toContain(text);
      expect(err.selector).toBe(input);
    });

    it.each([
      ['a=b c', 4, 'c'],
      ['x in (a,b,=)', 10, '='],
      ['a=b,,c', 4, ','],
      ['app=web, t!er=x', 10, '!'],
      ['k=a, bad/key/x', 5, 'bad/key/x'],
    ])('points at the offending token of %j (position %d, token %j)', (input, position, token) => {
      const err = parseError(input);
      expect(err.position).toBe(position);
      expect(err.token).toBe(token);
      expect(err.describe()).toContain(`at position ${position}`);
    });

    it('marks validation failures as Invalid and grammar failures as Syntax', () => {
      expect(parseError('x/y/z').kind).toBe('Invalid');
      expect(parseError('x in (a').kind).toBe('Syntax');
    });
  });
});

describe('LabelSelector.matches', () => {
  it.each([
    ['', { x: 'y' }],
    ['', undefined],
    ['x=y', { x: 'y' }],
    ['x==y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['x!=y', {}],
    ['notin=in', { notin: 'in' }],
    ['x', { x: 'z' }],
    ['x', { x: '' }],
    ['!x', { y: 'z' }],
    ['!x', undefined],
    ['x>1', { x: '2' }],
    ['x<1', { x: '0' }],
    ['x<1', { x: '-5' }],
    ['x>1', { x: '+3' }],
    ['x in (a,b)', { x: 'b' }],
    ['x in (,a)', { x: '' }],
    ['x notin (a,b)', { x: 'c' }],
    ['x notin (a,b)', {}],
    ['x=', { x: '' }],
    ['constructor', { constructor: 'v' }],
    ['x in (a,b,c,d,e,f)', { x: 'f' }],
  ] as const)('%j matches %j', (s, labels) => {
    expect(parseLabelSelector(s).matches(labels)).toBe(true);
  });

  it.each([
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y', undefined],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['!x', { x: 'z' }],
    ['!x', { x: '' }],
    ['x>1', { x: '0' }],
    ['x>1', { x: '1' }],
    ['x<1', { x: '2' }],
    ['x>1', { x: 'a' }],
    ['x>1', {}],
    ['x<1', { x: '1.5' }],
    ['x in (a,b)', { x: 'c' }],
    ['x in (a,b)', {}],
    ['x notin (a,b)', { x: 'a' }],
    ['constructor', {}],
    ['toString=x', {}],
    ['x in (a,b,c,d,e,f)', { x: 'g' }],
  ] as const)('%j does not match %j', (s, labels) => {
    expect(parseLabelSelector(s).matches(labels)).toBe(false);
  });
});

describe('everything and nothing', () => {
  it('everything is empty, matches all and prints as the empty string', () => {
    const sel = labelSelectorEverything();
    expect(sel.empty()).toBe(true);
    expect(sel.matches({ a: 'b' })).toBe(true);
    expect(sel.toString()).toBe('');
    expect(parseLabelSelector('').empty()).toBe(true);
  });

  it('nothing is not empty and matches no label set, not even the empty one', () => {
    const sel = labelSelectorNothing();
    expect(sel.empty()).toBe(false);
    expect(sel.matches({})).toBe(false);
    expect(sel.matches(undefined)).toBe(false);
    expect(sel.requirements()).toEqual([]);
    expect(sel.add(newLabelRequirement('a', 'exists', []))).toBe(sel);
  });
});

describe('requirements and requiresExactMatch', () => {
  it('lists requirements sorted by key with their operators and sorted values', () => {
    const reqs = parseLabelSelector('b notin (y,x),a=1,!c').requirements();
    expect(reqs.map((r) => [r.key, r.operator, r.values])).toEqual([
      ['a', '=', ['1']],
      ['b', 'notin', ['x', 'y']],
      ['c', '!', []],
    ]);
  });

  it.each([
    ['x=a', 'x', 'a'],
    ['x==a', 'x', 'a'],
    ['x in (a)', 'x', 'a'],
    ['x in (a,b)', 'x', undefined],
    ['x!=a', 'x', undefined],
    ['x', 'x', undefined],
    ['y=a', 'x', undefined],
  ])('%j requires exact match of %j: %j', (s, label, value) => {
    expect(parseLabelSelector(s).requiresExactMatch(label)).toBe(value);
  });

  it('add returns a new selector and keeps the original', () => {
    const base = parseLabelSelector('b=1');
    const more = base.add(newLabelRequirement('a', 'in', ['z', 'y']));
    expect(more.toString()).toBe('a in (y,z),b=1');
    expect(base.toString()).toBe('b=1');
  });
});

describe('labelSelectorFromObject', () => {
  it('turns undefined or null into nothing and an empty object into everything', () => {
    expect(labelSelectorFromObject(undefined)).toBe(labelSelectorNothing());
    expect(labelSelectorFromObject(null)).toBe(labelSelectorNothing());
    expect(labelSelectorFromObject({}).empty()).toBe(true);
    expect(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' })).toBe(true);
  });

  it('combines matchLabels and all four expression operators', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    expect(sel.toString()).toBe('app=web,!canary,env notin (dev),team,tier in (edge,frontend)');
    expect(sel.matches({ app: 'web', tier: 'edge', team: 'a' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'edge', team: 'a', canary: 'y' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'edge', team: 'a', env: 'dev' })).toBe(false);
  });

  it.each([
    [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      '"Gt" is not a valid label selector operator',
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values set can't be empty"],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    ],
    [{ matchLabels: { 'a/b/c': 'x' } }, 'key: Invalid value: "a/b/c": a valid label key'],
    [{ matchLabels: { a: 'x y' } }, 'values[0][a]: Invalid value: "x y"'],
  ])('rejects %j', (obj, text) => {
    expect(() => labelSelectorFromObject(obj)).toThrow(SelectorError);
    expect(() => labelSelectorFromObject(obj)).toThrow(text);
  });

  it('aggregates several problems in brackets', () => {
    expect(() => labelSelectorFromObject({ matchExpressions: [{ key: '-a', operator: 'In' }] })).toThrow(
      /^\[key: .*, values: .*\]$/,
    );
  });
});

describe('labelSelectorFromSet', () => {
  it('builds equality requirements sorted by key', () => {
    const sel = labelSelectorFromSet({ z: '1', a: '2' });
    expect(sel.toString()).toBe('a=2,z=1');
    expect(sel.matches({ a: '2', z: '1', other: 'x' })).toBe(true);
  });

  it('is everything for an empty or missing set', () => {
    expect(labelSelectorFromSet({}).empty()).toBe(true);
    expect(labelSelectorFromSet(undefined).empty()).toBe(true);
  });
});

describe('bad input', () => {
  it('treats a label set that is not an object as empty', () => {
    const bogus = 'abc' as unknown as Record<string, string>;
    expect(parseLabelSelector('0').matches(bogus)).toBe(false);
    expect(parseLabelSelector('!0').matches(bogus)).toBe(true);
    expect(parseLabelSelector('x=1').matches(null as unknown as undefined)).toBe(false);
  });
});

describe('messages that do not wrap', () => {
  it.each([
    ['!x=a', "found '=', expected: ',' or 'end of string'", 2],
    ['!x in (a)', "found 'in', expected: ',' or 'end of string'", 3],
  ])('reports %j exactly as apimachinery does', (input, message, position) => {
    const err = parseError(input);
    expect(err.message).toBe(message);
    expect(err.position).toBe(position);
  });
});
