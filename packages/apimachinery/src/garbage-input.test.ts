import { describe, expect, it } from '@jest/globals';
import {
  escapeFieldValue,
  fieldSelectorFromRequirements,
  fieldSelectorFromSet,
  isInitialEventsEndBookmark,
  labelSelectorFromRequirements,
  newLabelRequirement,
  parseFieldSelector,
  parseLabelSelector,
  resourceVersionOf,
  SelectorError,
  type Status,
  StatusError,
  unescapeFieldValue,
} from './index.js';

// Public functions meet garbage from JSON, query strings and untyped callers: each answers with its own
// typed error (or a neutral value for a predicate), never a TypeError from deep inside.
const GARBAGE: unknown[] = [undefined, null, 42, {}, [], true, { length: 3 }];

describe('garbage input', () => {
  it.each([
    ['parseLabelSelector', (g: unknown) => parseLabelSelector(g as string)],
    ['parseFieldSelector', (g: unknown) => parseFieldSelector(g as string)],
    ['escapeFieldValue', (g: unknown) => escapeFieldValue(g as string)],
    ['unescapeFieldValue', (g: unknown) => unescapeFieldValue(g as string)],
    ['newLabelRequirement (key)', (g: unknown) => newLabelRequirement(g as string, 'in', ['a'])],
    ['newLabelRequirement (values)', (g: unknown) => newLabelRequirement('a', 'in', g as string[])],
    ['labelSelectorFromRequirements', (g: unknown) => labelSelectorFromRequirements(g as [])],
    ['fieldSelectorFromRequirements', (g: unknown) => fieldSelectorFromRequirements(g as [])],
    ['fieldSelectorFromSet', (g: unknown) => fieldSelectorFromSet(g as Record<string, string>)],
  ])('#8 %s throws a SelectorError for garbage, never a TypeError', (_name, call) => {
    for (const g of GARBAGE) {
      let thrown: unknown;
      try {
        call(g);
      } catch (err) {
        thrown = err;
      }
      if (thrown !== undefined) expect(thrown).toBeInstanceOf(SelectorError);
    }
    expect(() => call(null)).toThrow(SelectorError);
  });

  it.each([
    ['a message that is not a string', { kind: 'Status', code: 500, message: { text: 'x' } }, 500],
    ['causes that are a string', { kind: 'Status', code: 504, message: 'slow', details: { causes: 'too large' } }, 504],
    ['causes that hold null', { kind: 'Status', code: 422, details: { causes: [null, 5] } }, 422],
    ['a code that is not a number', { kind: 'Status', code: '404', message: 'gone' }, 500],
    ['no object at all', null, 500],
    ['a string', 'boom', 500],
  ])('#8 StatusError keeps the server answer from a Status with %s', (_what, status, code) => {
    const err = new StatusError(status as unknown as Status);
    expect(err.code).toBe(code);
    expect(typeof err.message).toBe('string');
    expect(err.status.details?.causes === undefined || Array.isArray(err.status.details.causes)).toBe(true);
    expect((err.status.details?.causes ?? []).every((c) => typeof c === 'object' && c !== null)).toBe(true);
  });

  it('#8 answers neutral values from object helpers given garbage', () => {
    for (const g of GARBAGE) {
      expect(isInitialEventsEndBookmark(g as never)).toBe(false);
      expect(resourceVersionOf(g as never)).toBe('');
    }
  });
});
