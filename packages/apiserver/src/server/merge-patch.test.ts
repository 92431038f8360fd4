import { describe, expect, it } from '@jest/globals';
import { StatusError } from '@kubecache/apimachinery';
import { jsonPatch, mergePatch } from './merge-patch.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof StatusError ? err.code : -1;
  }
  return undefined;
}

describe('mergePatch', () => {
  it('merges objects, deletes null keys and replaces arrays', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1, 2] }, { b: { c: null, f: 4 }, e: [3] })).toEqual({
      a: 1,
      b: { d: 3, f: 4 },
      e: [3],
    });
  });
});

describe('jsonPatch', () => {
  const doc = { metadata: { labels: { a: '1' } }, list: [1, 2] };

  it('applies add, replace, remove, move, copy and test in order without touching the input', () => {
    const out = jsonPatch(doc, [
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/metadata/labels/a', value: '2' },
      { op: 'copy', from: '/metadata/labels/a', path: '/metadata/labels/b' },
      { op: 'move', from: '/list/0', path: '/first' },
      { op: 'remove', path: '/list/0' },
      { op: 'test', path: '/first', value: 1 },
      { op: 'add', path: '/metadata/labels/x~1y', value: 'z' },
    ]);
    expect(out).toEqual({ metadata: { labels: { a: '2', b: '2', 'x/y': 'z' } }, list: [3], first: 1 });
    expect(doc).toEqual({ metadata: { labels: { a: '1' } }, list: [1, 2] });
  });

  it('answers 422 for a failed test, a missing path or an index out of range', () => {
    expect(codeOf(() => jsonPatch(doc, [{ op: 'test', path: '/list/0', value: 9 }]))).toBe(422);
    expect(codeOf(() => jsonPatch(doc, [{ op: 'remove', path: '/nope' }]))).toBe(422);
    expect(codeOf(() => jsonPatch(doc, [{ op: 'replace', path: '/list/5', value: 1 }]))).toBe(422);
    expect(codeOf(() => jsonPatch(doc, [{ op: 'add', path: '/a/b/c', value: 1 }]))).toBe(422);
  });

  it('answers 400 for a malformed patch', () => {
    expect(codeOf(() => jsonPatch(doc, { op: 'add' }))).toBe(400);
    expect(codeOf(() => jsonPatch(doc, [{ op: 'frobnicate', path: '/a' }]))).toBe(400);
    expect(codeOf(() => jsonPatch(doc, [{ op: 'add', path: 'no-slash', value: 1 }]))).toBe(400);
    expect(codeOf(() => jsonPatch(doc, [{ op: 'add', path: '/a' }]))).toBe(400);
  });
});
