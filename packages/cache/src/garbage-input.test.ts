import { describe, expect, it } from '@jest/globals';
import { failureStatus, type Status, StatusError } from '@kubecache/apimachinery';
import { KeyError, objectNameToString, parseObjectName, splitMetaNamespaceKey } from './keys.js';
import { isTooLargeResourceVersionError, retryAfterMs } from './reflector-errors.js';
import { metaNamespaceIndexFunc } from './store.js';

const GARBAGE: unknown[] = [undefined, null, 42, {}, [], true, { metadata: 5 }, { name: 7, namespace: [] }];

describe('garbage input', () => {
  it.each([
    ['splitMetaNamespaceKey', (g: unknown) => splitMetaNamespaceKey(g as string)],
    ['parseObjectName', (g: unknown) => parseObjectName(g as string)],
    ['objectNameToString', (g: unknown) => objectNameToString(g as never)],
    ['metaNamespaceIndexFunc', (g: unknown) => metaNamespaceIndexFunc(g as never)],
  ])('#8 %s throws a KeyError for garbage, never a TypeError', (_name, call) => {
    for (const g of GARBAGE) {
      let thrown: unknown;
      try {
        call(g);
      } catch (err) {
        thrown = err;
      }
      if (thrown !== undefined) expect(thrown).toBeInstanceOf(KeyError);
    }
    expect(() => call(null)).toThrow(KeyError);
  });

  it('#8 classifies a Status whose causes is a string or whose message is not a string', () => {
    const odd = (extra: object): StatusError =>
      Object.assign(new StatusError(failureStatus(504, 'Timeout', 'x')), {
        status: { ...failureStatus(504, 'Timeout', 'x'), ...extra } as unknown as Status,
      });
    expect(isTooLargeResourceVersionError(odd({ details: { causes: 'ResourceVersionTooLarge' } }))).toBe(false);
    expect(
      isTooLargeResourceVersionError(odd({ details: { causes: [null, { reason: 'ResourceVersionTooLarge' }] } })),
    ).toBe(true);
    expect(isTooLargeResourceVersionError(odd({ message: 42 }))).toBe(false);
    expect(retryAfterMs(odd({ details: { retryAfterSeconds: '10' } }))).toBe(0);
  });
});
