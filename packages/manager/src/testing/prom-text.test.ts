import { describe, expect, it } from '@jest/globals';
import { PromTextError, parsePromText, sampleValue } from './prom-text.js';

describe('parsePromText', () => {
  it('reads types, labels with escapes, and special values', () => {
    const text = [
      '# HELP workqueue_adds_total Total adds',
      '# TYPE workqueue_adds_total counter',
      'workqueue_adds_total{controller="a",name="a"} 3',
      '# TYPE lat histogram',
      'lat_bucket{le="+Inf",path="C:\\\\dir \\"x\\"\\n"} 2',
      'lat_sum 0.5 1700000000000',
      'up NaN',
      'down -Inf',
    ].join('\n');
    const s = parsePromText(text);
    expect(s[0]).toEqual({
      name: 'workqueue_adds_total',
      labels: { controller: 'a', name: 'a' },
      value: 3,
      type: 'counter',
    });
    expect(s[1]?.labels).toEqual({ le: '+Inf', path: 'C:\\dir "x"\n' });
    expect(s[1]?.type).toBe('histogram');
    expect(s[2]).toMatchObject({ name: 'lat_sum', value: 0.5, type: 'histogram' });
    expect(Number.isNaN(s[3]?.value)).toBe(true);
    expect(s[4]?.value).toBe(Number.NEGATIVE_INFINITY);
  });

  it('rejects malformed lines with the line number', () => {
    expect(() => parsePromText('ok 1\nbad{x=1} 2')).toThrow(PromTextError);
    expect(() => parsePromText('x{a="1"} abc')).toThrow(/line 1: bad value/);
  });

  it('sampleValue picks one series and refuses an ambiguous pick', () => {
    const s = parsePromText('m{a="1",b="x"} 1\nm{a="2",b="x"} 2');
    expect(sampleValue(s, 'm', { a: '2' })).toBe(2);
    expect(sampleValue(s, 'm', { a: '3' })).toBeUndefined();
    expect(() => sampleValue(s, 'm', { b: 'x' })).toThrow(/2 series/);
  });
});
