import { describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import { cleanPath, decodeContinue, encodeContinue } from './continue.js';
import { StorageError, serverTimeoutError, tooLargeResourceVersionError, toStatusError } from './errors.js';
import { hasPathPrefix, prepareKey } from './keys.js';
import { encodeForStorage, parseResourceVersion } from './versioner.js';

const target = { group: '', resource: 'pods', name: 'web' };

describe('parseResourceVersion', () => {
  it.each([
    ['', 0],
    ['0', 0],
    ['42', 42],
    ['007', 7],
  ])('parses %j as %d', (rv, value) => {
    expect(parseResourceVersion(rv)).toBe(value);
  });

  it.each(['abc', '-1', '1.5', ' 1', '99999999999999999999'])('refuses %j with a 400', (rv) => {
    expect(() => parseResourceVersion(rv)).toThrow(StatusError);
    expect(() => parseResourceVersion(rv)).toThrow(`resourceVersion: Invalid value: "${rv}"`);
  });
});

describe('encodeForStorage', () => {
  it('leaves out resourceVersion and selfLink so equal content encodes equally', () => {
    const a = encodeForStorage({ metadata: { name: 'x', resourceVersion: '5', selfLink: '/x' } });
    expect(a).toBe(encodeForStorage({ metadata: { name: 'x', resourceVersion: '9' } }));
  });
});

describe('toStatusError', () => {
  it.each([
    ['KeyNotFound', 'get', 404, 'NotFound', 'pods "web" not found'],
    ['KeyExists', 'create', 409, 'AlreadyExists', 'pods "web" already exists'],
    [
      'InvalidObj',
      'update',
      409,
      'Conflict',
      'Operation cannot be fulfilled on pods "web": StorageError: invalid object',
    ],
    ['ResourceVersionConflicts', 'delete', 409, 'Conflict', 'Operation cannot be fulfilled on pods "web"'],
    ['Unreachable', 'get', 500, 'ServerTimeout', 'The get operation against pods could not be completed'],
    ['Timeout', 'list', 500, 'ServerTimeout', 'The list operation against pods could not be completed'],
    ['CorruptObj', 'get', 500, 'InternalError', 'Internal error occurred'],
  ] as const)('maps %s on %s to %d %s', (code, op, status, reason, message) => {
    const err = toStatusError(new StorageError(code, '/pods/ns/web', 3, 'detail'), op, target);
    expect(err.status).toMatchObject({ code: status, reason });
    expect(err.message).toContain(message);
  });

  it('asks for a retry after 2 s on ServerTimeout', () => {
    expect(serverTimeoutError('', 'pods', 'get', 2).retryAfterSeconds).toBe(2);
  });

  it('leaves Retry-After out of the storage flavour of too large resource version', () => {
    expect(tooLargeResourceVersionError(9, 3, 0).status.details).toEqual({
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    });
  });
});

describe('continue tokens', () => {
  it('round-trips a position and revision, relative to the list prefix', () => {
    const token = encodeContinue('/pods/ns/b\u0000', '/pods/', 7);
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({
      v: 'meta.k8s.io/v1',
      rv: 7,
      start: 'ns/b\u0000',
    });
    expect(decodeContinue(token, '/pods/')).toEqual({ fromKey: '/pods/ns/b\u0000', resourceVersion: 7 });
  });

  it.each([
    ['/a/../b', '/b'],
    ['/a//b/', '/a/b'],
    ['/./a', '/a'],
  ])('cleans %s to %s like Go', (p, cleaned) => {
    expect(cleanPath(p)).toBe(cleaned);
  });
});

describe('prepareKey', () => {
  it.each([
    ['/pods/ns', true, '/pods/ns/'],
    ['/pods/ns/x', false, '/pods/ns/x'],
  ])('prepares %s (recursive %s) as %s', (key, recursive, prepared) => {
    expect(prepareKey(key, recursive, '/pods')).toBe(prepared);
  });

  it.each(['', '/', '..', '/pods/../x', '/pods/./x', '/pods/x/..'])('refuses %j with a 400', (key) => {
    expect(() => prepareKey(key, false)).toThrow(StatusError);
  });

  it('checks prefixes at a slash boundary', () => {
    expect(hasPathPrefix('/pods/ns/a', '/pods/ns')).toBe(true);
    expect(hasPathPrefix('/pods/ns2/a', '/pods/ns')).toBe(false);
    expect(() => prepareKey('/podsx/a', false, '/pods')).toThrow(/lacks resource prefix/);
  });
});
