import { describe, expect, it } from '@jest/globals';
import { internalError, type KubeObject, StatusError } from '@kubecache/apimachinery';
import type { ListerWatcher } from '@kubecache/cache';
import { FakeClock } from '@kubecache/cache/testing';
import { concat, firstValueFrom, of, throwError, toArray } from 'rxjs';
import { codeOf, InformerTracker, resourceVersionForMetrics } from './informer-tracker.js';

function recorder() {
  const calls: string[] = [];
  return {
    calls,
    sink: {
      listed: (n: string, relist: boolean) => calls.push(`list ${n}${relist ? ' relist' : ''}`),
      watched: (n: string) => calls.push(`watch ${n}`),
      request: (m: string, c: string) => calls.push(`${m} ${c}`),
      resourceVersion: (n: string, rv: number) => calls.push(`rv ${n}=${rv}`),
    },
  };
}

describe('InformerTracker', () => {
  it('counts lists, relists and watches, and the resource version seen', async () => {
    const clock = new FakeClock(0);
    const t = new InformerTracker(clock);
    const r = recorder();
    t.sink = r.sink;
    const lw: ListerWatcher<KubeObject> = {
      list: async () => ({ metadata: { resourceVersion: '10' }, items: [] }),
      watch: () => of({ type: 'ADDED' as const, object: { metadata: { name: 'a', resourceVersion: '11' } } }),
    };
    const w = t.wrap('v1/pods', lw);
    await w.list({});
    await w.list({});
    await firstValueFrom(w.watch({}).pipe(toArray()));
    expect(r.calls).toEqual([
      'GET 200',
      'list v1/pods',
      'rv v1/pods=10',
      'GET 200',
      'list v1/pods relist',
      'rv v1/pods=10',
      'watch v1/pods',
      'GET 200',
      'rv v1/pods=11',
    ]);
  });

  it('sets the resource version once per run of watch events, to the last one; a failure in the run stays', async () => {
    const clock = new FakeClock(0);
    const t = new InformerTracker(clock);
    const r = recorder();
    t.sink = r.sink;
    const pod = (rv: string) => ({
      type: 'MODIFIED' as const,
      object: { metadata: { name: 'a', resourceVersion: rv } },
    });
    const lw: ListerWatcher<KubeObject> = {
      list: async () => ({ metadata: { resourceVersion: '10' }, items: [] }),
      watch: () => of(pod('11'), pod('12'), pod('13')),
    };
    const w = t.wrap('v1/pods', lw);
    await firstValueFrom(w.watch({}).pipe(toArray()));
    await Promise.resolve();
    expect(r.calls).toEqual(['watch v1/pods', 'GET 200', 'rv v1/pods=13']);
    // Events then an error in the same run: the progress is recorded first, the failure is what remains.
    const failing = t.wrap('v1/pods', {
      ...lw,
      watch: () =>
        concat(
          of(pod('14')),
          throwError(() => internalError('boom')),
        ),
    });
    await expect(firstValueFrom(failing.watch({}).pipe(toArray()))).rejects.toBeInstanceOf(StatusError);
    await Promise.resolve();
    expect(r.calls.slice(3)).toEqual(['watch v1/pods', 'GET 200', 'rv v1/pods=14', 'GET 500']);
    expect(t.informers()[0]?.failingSince).toBe(0);
  });

  it('knows since when an informer has been failing, and forgets it on the next success', async () => {
    const clock = new FakeClock(1_000);
    const t = new InformerTracker(clock);
    let fail = true;
    const w = t.wrap('v1/pods', {
      list: async () => {
        if (fail) throw internalError('down');
        return { metadata: { resourceVersion: '1' }, items: [] };
      },
      watch: () => throwError(() => new Error('ECONNREFUSED')),
    });
    await expect(w.list({})).rejects.toBeInstanceOf(StatusError);
    clock.step(500);
    await expect(firstValueFrom(w.watch({}))).rejects.toThrow('ECONNREFUSED');
    expect(t.informers()[0]).toMatchObject({ failingSince: 1_000, listed: false });
    fail = false;
    await w.list({});
    expect(t.informers()[0]).toMatchObject({ failingSince: undefined, listed: true });
  });

  it('passes listStreaming through when the wrapped ListerWatcher has it, and only then', async () => {
    const t = new InformerTracker(new FakeClock(0));
    const plain = t.wrap('a', { list: async () => ({ metadata: {}, items: [] }), watch: () => of() });
    expect(plain.listStreaming).toBeUndefined();
    const batches: number[] = [];
    const streaming = t.wrap<KubeObject>('b', {
      list: async () => ({ metadata: {}, items: [] }),
      listStreaming: async (_o, sink) => {
        sink([{}, {}]);
        return { metadata: { resourceVersion: '5' }, items: [] };
      },
      watch: () => of(),
    });
    await streaming.listStreaming?.({}, (items) => batches.push(items.length));
    expect(batches).toEqual([2]);
    expect(t.informers().find((i) => i.name === 'b')?.listed).toBe(true);
  });

  it('labels codes as client-go does, and keeps the last 15 digits of a numeric resource version', () => {
    expect(codeOf(internalError('x'))).toBe('500');
    expect(codeOf(new Error('ECONNRESET'))).toBe('<error>');
    expect(resourceVersionForMetrics('12345678901234567890')).toBe(678901234567890);
    expect(resourceVersionForMetrics('abc')).toBe(0);
    expect(resourceVersionForMetrics(undefined)).toBe(0);
  });
});
