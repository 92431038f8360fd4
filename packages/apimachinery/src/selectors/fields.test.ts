import { describe, expect, it } from '@jest/globals';
import {
  escapeFieldValue,
  fieldSelectorEverything,
  fieldSelectorFromSet,
  fieldSelectorOneTermEqual,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields.js';
import { SelectorError } from './selector-error.js';

describe('parseFieldSelector', () => {
  it.each([
    ['', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a=b'],
    ['a!=b', 'a!=b'],
    ['a=b,c=d', 'a=b,c=d'],
    ['c=d,a=b', 'a=b,c=d'],
    ['a=', 'a='],
    ['a!=', 'a!='],
    ['a=b,,c=d', 'a=b,c=d'],
    [',a=b,', 'a=b'],
    ['a=\\,', 'a=\\,'],
    ['a=\\=', 'a=\\='],
    ['a=\\\\', 'a=\\\\'],
    ['a=\\,\\=\\\\x', 'a=\\,\\=\\\\x'],
    ['metadata.name=web-0,spec.nodeName!=node-1', 'metadata.name=web-0,spec.nodeName!=node-1'],
    ['x=y z', 'x=y z'],
    [' a = b ', ' a = b '],
  ])('parses %j and prints %j', (input, printed) => {
    const sel = parseFieldSelector(input);
    expect(sel.toString()).toBe(printed);
    expect(parseFieldSelector(sel.toString()).toString()).toBe(printed);
  });

  it('splits a term at the first operator and keeps the rest as the value', () => {
    expect(parseFieldSelector('a!=b').requirements()).toEqual([{ field: 'a', operator: '!=', value: 'b' }]);
    expect(parseFieldSelector('a==b').requirements()).toEqual([{ field: 'a', operator: '=', value: 'b' }]);
    expect(parseFieldSelector('x=a\\=b').requirements()).toEqual([{ field: 'x', operator: '=', value: 'a=b' }]);
  });

  it.each([
    ['a', "invalid selector: 'a'; can't understand 'a'", 0],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'", 4],
    ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'", 4],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61', 3],
    ['a==b=c', 'invalid field selector: unescaped character in value: 61', 4],
    ['a=\\', 'invalid field selector: invalid escape sequence: \\', 2],
    ['a=x\\q', 'invalid field selector: invalid escape sequence: \\q', 3],
  ])('rejects %j with %j at position %d', (input, message, position) => {
    let caught: unknown;
    try {
      parseFieldSelector(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SelectorError);
    const err = caught as SelectorError;
    expect(err.message).toBe(message);
    expect(err.position).toBe(position);
    expect(err.selector).toBe(input);
  });
});

describe('escapeFieldValue and unescapeFieldValue', () => {
  it.each([
    ['', ''],
    ['a', 'a'],
    ['=', '\\='],
    [',', '\\,'],
    ['\\', '\\\\'],
    ['\\=\\,\\', '\\\\\\=\\\\\\,\\\\'],
    ['a=b,c', 'a\\=b\\,c'],
  ])('escapes %j as %j and back', (raw, escaped) => {
    expect(escapeFieldValue(raw)).toBe(escaped);
    expect(unescapeFieldValue(escaped)).toBe(raw);
  });

  it.each([
    ['\\', 'invalid escape sequence: \\'],
    ['\\a', 'invalid escape sequence: \\a'],
    ['=', 'unescaped character in value: 61'],
    [',', 'unescaped character in value: 44'],
  ])('refuses %j', (input, text) => {
    expect(() => unescapeFieldValue(input)).toThrow(text);
  });
});

describe('FieldSelector.matches', () => {
  it.each([
    ['', {}, true],
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a=b', {}, false],
    ['a=', {}, true],
    ['a!=', {}, false],
    ['a!=b', {}, true],
    ['a!=b', { a: 'b' }, false],
    ['a=b,c!=d', { a: 'b', c: 'e' }, true],
    ['a=b,c!=d', { a: 'b', c: 'd' }, false],
    ['x=a\\,b', { x: 'a,b' }, true],
    ['constructor=', {}, true],
  ])('%j against %j is %s', (s, fields, expected) => {
    expect(parseFieldSelector(s).matches(fields)).toBe(expected);
  });
});

describe('field selector helpers', () => {
  it('everything is empty and matches all', () => {
    expect(fieldSelectorEverything().empty()).toBe(true);
    expect(fieldSelectorEverything().matches({ a: 'b' })).toBe(true);
    expect(parseFieldSelector('').empty()).toBe(true);
    expect(parseFieldSelector('a=b').empty()).toBe(false);
  });

  it('requiresExactMatch finds the equality term only', () => {
    const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    expect(sel.requiresExactMatch('spec.nodeName')).toBe('n1');
    expect(sel.requiresExactMatch('status.phase')).toBeUndefined();
    expect(sel.requiresExactMatch('metadata.name')).toBeUndefined();
  });

  it('oneTermEqual and fromSet escape values when printed', () => {
    expect(fieldSelectorOneTermEqual('metadata.name', 'a,b').toString()).toBe('metadata.name=a\\,b');
    expect(fieldSelectorFromSet({ z: '1', a: '=' }).toString()).toBe('a=\\=,z=1');
    expect(fieldSelectorFromSet({}).empty()).toBe(true);
  });

  it('transform renames fields, drops terms mapped to nothing and propagates throws', () => {
    const sel = parseFieldSelector('spec.host=n1,x=y');
    const renamed = sel.transform((f, v) => (f === 'spec.host' ? ['spec.nodeName', v] : f === 'x' ? ['', ''] : [f, v]));
    expect(renamed.toString()).toBe('spec.nodeName=n1');
    expect(sel.toString()).toBe('spec.host=n1,x=y');
    expect(() =>
      sel.transform(() => {
        throw new Error('nope');
      }),
    ).toThrow('nope');
  });
});
