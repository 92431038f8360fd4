import { describe, expect, it } from '@jest/globals';
import {
  DeletedFinalStateUnknown,
  deletionHandlingMetaNamespaceKeyFunc,
  ExplicitKey,
  KeyError,
  metaNamespaceKeyFunc,
  parseObjectName,
  splitMetaNamespaceKey,
} from './keys.js';

describe('metaNamespaceKeyFunc', () => {
  it.each([
    [{ metadata: { namespace: 'ns', name: 'a' } }, 'ns/a'],
    [{ metadata: { name: 'node-1' } }, 'node-1'],
    [{ metadata: { namespace: '', name: 'node-1' } }, 'node-1'],
    [new ExplicitKey('x/y'), 'x/y'],
  ])('keys %j as %s', (obj, key) => {
    expect(metaNamespaceKeyFunc(obj)).toBe(key);
  });

  it.each([[null], [undefined], [42], [{}], [{ metadata: {} }], [{ metadata: { name: '' } }], [{ metadata: null }]])(
    'throws a KeyError for %j',
    (obj) => {
      expect(() => metaNamespaceKeyFunc(obj)).toThrow(KeyError);
    },
  );
});

describe('deletionHandlingMetaNamespaceKeyFunc', () => {
  it('returns the key of a tombstone', () => {
    expect(deletionHandlingMetaNamespaceKeyFunc(new DeletedFinalStateUnknown('ns/gone', undefined))).toBe('ns/gone');
  });
});

describe('splitMetaNamespaceKey', () => {
  it.each([
    ['a', ['', 'a']],
    ['a/b', ['a', 'b']],
    ['/x', ['', 'x']],
    ['', ['', '']],
  ])('splits %s', (key, parts) => {
    expect(splitMetaNamespaceKey(key)).toEqual(parts);
  });

  it('rejects more than one slash with the key quoted', () => {
    expect(() => splitMetaNamespaceKey('a/b/c')).toThrow('unexpected key format: "a/b/c"');
  });

  it('parseObjectName("/x") names x in no namespace', () => {
    expect(parseObjectName('/x')).toEqual({ namespace: '', name: 'x' });
  });
});

describe('departures from client-go (see DESIGN)', () => {
  it('#15 an object with an empty name is refused with a KeyError, where client-go keys it "a/" (departure)', () => {
    expect(() => metaNamespaceKeyFunc({ metadata: { namespace: 'a' } })).toThrow(KeyError);
    expect(() => metaNamespaceKeyFunc({ metadata: { namespace: 'a', name: '' } })).toThrow('object has no name');
    expect(() => deletionHandlingMetaNamespaceKeyFunc({ metadata: { name: '' } })).toThrow(KeyError);
  });
});
