import { describe, expect, it } from '@jest/globals';
import type { KubeObject, WatchEvent } from '@kubecache/apimachinery';
import { WatchLineDecoder, WatchLineTooLongError } from './watch-line-decoder.js';

function decode(...chunks: string[]): WatchEvent<KubeObject>[] {
  const events: WatchEvent<KubeObject>[] = [];
  const decoder = new WatchLineDecoder((e) => events.push(e));
  for (const c of chunks) decoder.write(c);
  decoder.end();
  return events;
}

const added = '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}';

describe('WatchLineDecoder', () => {
  it('decodes one event per line, whatever the chunk boundaries', () => {
    const text = `${added}\n${added.replace('ADDED', 'DELETED')}\n`;
    for (let cut = 1; cut < text.length; cut += 7) {
      const events = decode(text.slice(0, cut), text.slice(cut));
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    }
  });

  it('decodes a last line without a newline at the end, and skips blank lines', () => {
    expect(decode(`\n\n${added}`).map((e) => e.type)).toEqual(['ADDED']);
  });

  it.each([
    ['malformed JSON', '{"type":"ADDED",'],
    ['an unknown type', '{"type":"WHATEVER","object":{}}'],
    ['a missing object', '{"type":"ADDED"}'],
    ['an ERROR without a Status', '{"type":"ERROR","object":{"kind":"Pod"}}'],
  ])('turns %s into a 500 ERROR event and carries on', (_name, line) => {
    const events = decode(`${line}\n${added}\n`);
    expect(events.map((e) => e.type)).toEqual(['ERROR', 'ADDED']);
    const first = events[0];
    expect(first?.type === 'ERROR' && first.object.code).toBe(500);
  });

  it('keeps the order of a chunk whose middle line is malformed', () => {
    const deleted = added.replace('ADDED', 'DELETED');
    expect(decode(`${added}\n{"type":\n${deleted}\n`).map((e) => e.type)).toEqual(['ADDED', 'ERROR', 'DELETED']);
  });

  it('passes an ERROR event with a Status through', () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410, reason: 'Expired' };
    const [event] = decode(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    expect(event).toEqual({ type: 'ERROR', object: status });
  });
});

describe('WatchLineDecoder limits', () => {
  it('refuses a line longer than maxLineBytes as soon as it is, and decodes the lines before it', () => {
    const events: WatchEvent<KubeObject>[] = [];
    const decoder = new WatchLineDecoder((e) => events.push(e), { maxLineBytes: 100, where: 'watch pods.v1' });
    decoder.write(Buffer.from(`${added}\n{"type":"ADDED","object":{"x":"`));
    expect(() => decoder.write(Buffer.from('y'.repeat(80)))).toThrow(WatchLineTooLongError);
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('refuses a long line in the middle of a chunk after decoding the lines before it', () => {
    const events: WatchEvent<KubeObject>[] = [];
    const decoder = new WatchLineDecoder((e) => events.push(e), { maxLineBytes: 100 });
    const long = `{"type":"ADDED","object":{"x":"${'y'.repeat(100)}"}}`;
    expect(() => decoder.write(Buffer.from(`${added}\n${added}\n${long}\n${added}\n`))).toThrow(WatchLineTooLongError);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'ADDED']);
  });

  it('decodes a chunk of many whole lines with multi-byte characters, and the line it leaves open', () => {
    const line = (name: string) => `{"type":"MODIFIED","object":{"metadata":{"name":"${name}"}}}\n`;
    const bytes = Buffer.from(`${line('é✓')}${line('😀')}${line('ü')}`);
    const cut = bytes.length - 5;
    const events: WatchEvent<KubeObject>[] = [];
    const decoder = new WatchLineDecoder((e) => events.push(e));
    const names = () => events.map((e) => (e.object as KubeObject).metadata?.name);
    decoder.write(bytes.subarray(0, cut));
    expect(names()).toEqual(['é✓', '😀']);
    decoder.write(bytes.subarray(cut));
    expect(names()).toEqual(['é✓', '😀', 'ü']);
  });

  it('joins a line split over many chunks, multi-byte characters included', () => {
    const line = `{"type":"MODIFIED","object":{"metadata":{"name":"é✓😀"}}}\n`;
    const bytes = Buffer.from(line);
    const events: WatchEvent<KubeObject>[] = [];
    const decoder = new WatchLineDecoder((e) => events.push(e));
    for (let i = 0; i < bytes.length; i++) decoder.write(bytes.subarray(i, i + 1));
    expect(events).toEqual([{ type: 'MODIFIED', object: { metadata: { name: 'é✓😀' } } }]);
  });

  it('makes a Status with a string `causes` and a non-string message well-formed', () => {
    const bad = { kind: 'Status', code: 410, message: { text: 'gone' }, details: { causes: 'compacted' } };
    const [event] = decode(`${JSON.stringify({ type: 'ERROR', object: bad })}\n`);
    expect(event?.type).toBe('ERROR');
    const status = event?.type === 'ERROR' ? event.object : undefined;
    expect(status).toMatchObject({ code: 410, reason: 'Expired', message: '{"text":"gone"}' });
    expect(status?.details?.causes).toEqual([{ message: 'compacted' }]);
  });
});
