import { describe, expect, it } from '@jest/globals';
import { ListDecodeError, ListStreamDecoder } from './list-stream-decoder.js';

function decode(body: string, cuts: number[] = [], maxValueBytes?: number) {
  const items: unknown[] = [];
  const decoder = new ListStreamDecoder({ onItem: (item) => items.push(item), maxValueBytes });
  const bytes = Buffer.from(body, 'utf8');
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    decoder.write(bytes.subarray(at, cut));
    at = cut;
  }
  return { head: decoder.end(), items };
}

const list = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 },
  items: [
    { metadata: { name: 'a', annotations: { q: 'he said "}]" \\ ok', u: 'é ✓ 😀' } }, spec: { n: [1, 2.5, -3e2] } },
    { metadata: { name: 'b' }, spec: { flag: true, none: null, nested: [[{}], []] } },
  ],
};

describe('ListStreamDecoder', () => {
  it('decodes every item and the list metadata, whatever the chunk boundaries', () => {
    const body = JSON.stringify(list, null, 1);
    const bytes = Buffer.byteLength(body);
    for (let cut = 1; cut < bytes; cut += 3) {
      const { head, items } = decode(body, [cut, Math.min(bytes, cut + 5)]);
      expect(items).toEqual(list.items);
      expect(head).toEqual({ kind: 'PodList', apiVersion: 'v1', metadata: list.metadata });
    }
  });

  it('finds the end of long strings with escapes anywhere in them, whatever the chunk boundaries', () => {
    const long = `${'x'.repeat(30)}\\"${'y'.repeat(40)}\\\\"z}]{[${'w'.repeat(70)}\\`;
    const items = [
      { metadata: { name: 'long', annotations: { a: long, [long]: 'key too' } }, spec: { s: [long, long] } },
      { metadata: { name: 'after' } },
    ];
    const body = JSON.stringify({ metadata: { resourceVersion: '3' }, items });
    for (let cut = 1; cut < body.length; cut++) {
      expect(decode(body, [cut]).items).toEqual(items);
    }
  });

  it('reads metadata that comes after the items', () => {
    const body = `{"items":[{"metadata":{"name":"x"}}],"metadata":{"resourceVersion":"9"},"kind":"List"}`;
    expect(decode(body).head).toEqual({ kind: 'List', metadata: { resourceVersion: '9' } });
  });

  it.each([
    ['an empty list', '{"items":[],"metadata":{"resourceVersion":"1"}}', 0],
    ['items null', '{"items":null,"metadata":{"resourceVersion":"1"}}', 0],
    ['no items at all', '{"metadata":{"resourceVersion":"1"}}', 0],
  ])('accepts %s', (_name, body, count) => {
    expect(decode(body).items).toHaveLength(count);
  });

  it('hands items out one at a time, before the body has ended', () => {
    const seen: unknown[] = [];
    const decoder = new ListStreamDecoder({ onItem: (item) => seen.push(item) });
    decoder.write(Buffer.from('{"items":[{"n":1},{"n":'));
    expect(seen).toEqual([{ n: 1 }]);
    decoder.write(Buffer.from('2}]}'));
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it.each([
    ['null', 'null'],
    ['an array', '[{"n":1}]'],
    ['a string', '"PodList"'],
    ['a truncated body', '{"items":[{"n":1}'],
    ['an item that is null', '{"items":[null]}'],
    ['an item that is a number', '{"items":[{"n":1},7]}'],
    ['malformed JSON inside an item', '{"items":[{"n":tru}]}'],
    ['content after the list', '{"items":[]} {}'],
  ])('refuses %s with a ListDecodeError', (_name, body) => {
    expect(() => decode(body)).toThrow(ListDecodeError);
  });

  it('refuses an item larger than maxValueBytes without buffering the rest', () => {
    const body = `{"items":[{"big":"${'x'.repeat(1000)}"}]}`;
    expect(() => decode(body, [100, 200, 300], 500)).toThrow(/longer than 500 bytes/);
    expect(decode(body, [], 2000).items).toHaveLength(1);
  });
});
