import { describe, expect, it } from '@jest/globals';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, regexError } from './validation.js';

describe('isQualifiedName', () => {
  it.each([
    'simple',
    'now-with-dashes',
    '1-starts-with-num',
    '1234',
    'simple/simple',
    'now-with-dashes/simple',
    'now-with-dashes/now-with-dashes',
    'now.with.dots/simple',
    'now-with.dashes-and.dots/simple',
    '1-num.2-num/3-num',
    '1234/5678',
    '1.2.3.4/5678',
    'Uppercase_Is_OK_123',
    'example.com/Uppercase_Is_OK_123',
    'requests.storage-foo',
    'a'.repeat(63),
    `${'a'.repeat(253)}/${'b'.repeat(63)}`,
  ])('accepts %j', (name) => {
    expect(isQualifiedName(name)).toEqual([]);
  });

  it.each([
    ['', 'name part must be non-empty'],
    ['a/b/c', 'a valid label key must consist of'],
    ['nospecialchars%^=@', 'name part must consist of'],
    ['cantendwithadash-', 'name part must consist of'],
    ['-cantstartwithadash-', 'name part must consist of'],
    ['only/one/slash', 'a valid label key'],
    ['Example.com/abc', 'prefix part a lowercase RFC 1123 subdomain'],
    ['example_com/abc', 'prefix part a lowercase RFC 1123 subdomain'],
    ['example.com/', 'name part must be non-empty'],
    ['/simple', 'prefix part must be non-empty'],
    ['a'.repeat(64), 'name part must be no more than 63 bytes'],
    [`${'a'.repeat(254)}/abc`, 'prefix part must be no more than 253 bytes'],
  ])('rejects %j', (name, text) => {
    const errs = isQualifiedName(name);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs.join('; ')).toContain(text);
  });
});

describe('isValidLabelValue', () => {
  it.each(['', 'simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', 'a'.repeat(63), 'A_b.c-9'])(
    'accepts %j',
    (v) => {
      expect(isValidLabelValue(v)).toEqual([]);
    },
  );

  it.each([
    ['nospecialchars%^=@', 'a valid label must be an empty string or consist of'],
    ['Tama-nui-te-rā.is.Māori.sun', 'a valid label must be'],
    ['\\backslashes\\are\\bad', 'a valid label must be'],
    ['-starts-with-dash', 'a valid label must be'],
    ['ends-with-dash-', 'a valid label must be'],
    ['.starts.with.dot', 'a valid label must be'],
    ['a'.repeat(64), 'must be no more than 63 bytes'],
  ])('rejects %j', (v, text) => {
    expect(isValidLabelValue(v).join('; ')).toContain(text);
  });
});

describe('isDNS1123Subdomain', () => {
  it.each(['a', 'ab', 'a.b', 'a-1.b-2', '0.1', 'a'.repeat(253)])('accepts %j', (v) => {
    expect(isDNS1123Subdomain(v)).toEqual([]);
  });

  it.each(['', 'A', 'a_b', '-a', 'a-', 'a..b', '.a', 'a'.repeat(254)])('rejects %j', (v) => {
    expect(isDNS1123Subdomain(v).length).toBeGreaterThan(0);
  });
});

describe('regexError', () => {
  it('quotes examples and the pattern as apimachinery does, double spaces included', () => {
    expect(regexError('must be x', 'x+', 'a', 'b')).toBe(
      "must be x (e.g. 'a',  or 'b', regex used for validation is 'x+')",
    );
    expect(regexError('must be x', 'x+')).toBe("must be x (regex used for validation is 'x+')");
  });
});
