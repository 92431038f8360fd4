import { describe, expect, it } from '@jest/globals';
import { controllerSelector, goMapString, isControlledBy, mapSelector } from './pod-selection.js';

describe('goMapString', () => {
  it.each([
    [undefined, 'map[]'],
    [{}, 'map[]'],
    [{ b: '2', a: '1' }, 'map[a:1 b:2]'],
  ])('prints %j as Go prints a map: %j', (labels, text) => {
    expect(goMapString(labels)).toBe(text);
  });
});

describe('controllerSelector', () => {
  it('selects nothing for a nil, empty or invalid selector', () => {
    expect(controllerSelector(undefined)).toBeUndefined();
    expect(controllerSelector({})).toBeUndefined();
    expect(controllerSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toBeUndefined();
  });

  it('returns a working selector otherwise', () => {
    expect(controllerSelector({ matchLabels: { app: 'web' } })?.matches({ app: 'web' })).toBe(true);
  });
});

describe('mapSelector', () => {
  it('matches the labels of the map and rejects an invalid key', () => {
    expect(mapSelector({ app: 'web' })?.matches({ app: 'web', x: 'y' })).toBe(true);
    expect(mapSelector({ 'a/b/c': 'x' })).toBeUndefined();
  });
});

describe('isControlledBy', () => {
  const owned = {
    metadata: {
      ownerReferences: [
        { uid: 'other', controller: false },
        { uid: 'dep-1', controller: true },
      ],
    },
  };

  it.each([
    ['dep-1', true],
    ['other', false],
    ['', false],
    [undefined, false],
  ])('with uid %j is %s', (uid, expected) => {
    expect(isControlledBy(owned, uid)).toBe(expected);
  });

  it('is false without owner references', () => {
    expect(isControlledBy({ metadata: {} }, 'dep-1')).toBe(false);
  });
});
