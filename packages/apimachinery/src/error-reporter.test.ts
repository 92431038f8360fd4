import { describe, expect, it } from '@jest/globals';
import { FakeClock } from './clock.js';
import { describeError, errorReporter } from './error-reporter.js';

function capture() {
  const lines: string[] = [];
  return { lines, logger: { error: (m: string) => lines.push(m) } };
}

describe('errorReporter', () => {
  it('names the component and the context on every first report', () => {
    const { lines, logger } = capture();
    const report = errorReporter('informer pods', { logger });
    report(new TypeError('boom'), 'default/web');
    expect(lines).toEqual(['[kubecache informer pods] default/web: TypeError: boom']);
  });

  it('prints a distinct error once per interval and counts the repeats it held back', () => {
    const { lines, logger } = capture();
    const clock = new FakeClock(0);
    const report = errorReporter('reflector', { logger, clock, intervalMs: 1000 });
    for (let i = 0; i < 5; i++) report(new Error('connection refused'));
    report(new Error('other'));
    clock.setTime(1000);
    report(new Error('connection refused'));
    expect(lines).toEqual([
      '[kubecache reflector] connection refused',
      '[kubecache reflector] other',
      '[kubecache reflector] connection refused (4 more since the last report)',
    ]);
  });

  it('tells the same error apart by context', () => {
    const { lines, logger } = capture();
    const report = errorReporter('controller', { logger });
    report(new Error('x'), 'a');
    report(new Error('x'), 'b');
    report(new Error('x'), 'a');
    expect(lines).toHaveLength(2);
  });

  it('forgets the oldest distinct error past maxDistinct', () => {
    const { lines, logger } = capture();
    const report = errorReporter('c', { logger, maxDistinct: 2 });
    report('a');
    report('b');
    report('c');
    report('a');
    expect(lines).toEqual(['[kubecache c] a', '[kubecache c] b', '[kubecache c] c', '[kubecache c] a']);
  });

  it('survives a logger that throws', () => {
    const report = errorReporter('c', {
      logger: {
        error: () => {
          throw new Error('sink down');
        },
      },
    });
    expect(() => report(new Error('x'))).not.toThrow();
  });

  it('describes non-errors without throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeError({ code: 1 })).toBe('{"code":1}');
    expect(describeError(cyclic)).toBe('[object Object]');
    expect(describeError(undefined)).toBe('undefined');
  });
});
