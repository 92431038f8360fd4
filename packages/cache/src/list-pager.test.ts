import { describe, expect, it } from '@jest/globals';
import type { ListOptions } from '@kubecache/apimachinery';
import { badRequestError, expiredError } from '@kubecache/apimachinery';
import { ListPager, ListPagingError } from './list-pager.js';
import type { ListResult } from './list-watch.js';

type Page = ListResult<number> | Error;

function pages(...results: Page[]) {
  const calls: ListOptions[] = [];
  return {
    calls,
    async list(options: ListOptions): Promise<ListResult<number>> {
      calls.push(options);
      const next = results.shift();
      if (next === undefined) throw new Error('no more pages scripted');
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

const page = (items: number[], rv: string, cont?: string): ListResult<number> => ({
  metadata: cont ? { resourceVersion: rv, continue: cont } : { resourceVersion: rv },
  items,
});

describe('ListPager', () => {
  it('returns a single page as is, with limit set to the page size', async () => {
    const lw = pages(page([1, 2], '5'));
    const result = await new ListPager().list(lw, { resourceVersion: '0' });
    expect(result).toEqual({ list: page([1, 2], '5'), paginated: false });
    expect(lw.calls).toEqual([{ resourceVersion: '0', limit: 500 }]);
  });

  it('follows continue tokens, dropping the RV and match on later pages, and keeps the first RV', async () => {
    const lw = pages(page([1, 2], '10', 'c1'), page([3, 4], '11', 'c2'), page([5], '12'));
    const result = await new ListPager({ pageSize: 2 }).list(lw, {
      resourceVersion: '10',
      resourceVersionMatch: 'Exact',
    });
    expect(result.paginated).toBe(true);
    expect(result.list.items).toEqual([1, 2, 3, 4, 5]);
    expect(result.list.metadata).toEqual({ resourceVersion: '10' });
    expect(lw.calls).toEqual([
      { resourceVersion: '10', resourceVersionMatch: 'Exact', limit: 2 },
      { resourceVersion: undefined, resourceVersionMatch: undefined, limit: 2, continue: 'c1' },
      { resourceVersion: undefined, resourceVersionMatch: undefined, limit: 2, continue: 'c2' },
    ]);
  });

  it('falls back to one full list at the requested RV when a continuation page is 410', async () => {
    const lw = pages(page([1, 2], '10', 'c1'), expiredError('continue expired'), page([1, 2, 3], '10'));
    const result = await new ListPager({ pageSize: 2 }).list(lw, { resourceVersion: '10' });
    expect(result.list.items).toEqual([1, 2, 3]);
    expect(lw.calls[2]).toEqual({ resourceVersion: '10', limit: undefined, continue: undefined });
  });

  it.each([
    ['a 410 on the first page', [expiredError('gone')], {}],
    ['another error on a continuation page', [page([1], '1', 'c'), badRequestError('bad token')], {}],
    ['a 410 when fullListIfExpired is off', [page([1], '1', 'c'), expiredError('gone')], { fullListIfExpired: false }],
  ] as [string, Page[], { fullListIfExpired?: boolean }][])('rejects on %s', async (_name, script, options) => {
    const lw = pages(...script);
    await expect(new ListPager({ pageSize: 1, ...options }).list(lw, {})).rejects.toThrow();
  });

  it('fails with a ListPagingError when a continue token comes back', async () => {
    const lw = pages(page([1], '10', 'c1'), page([2], '10', 'c2'), page([3], '10', 'c1'), page([4], '10'));
    const err = await new ListPager({ pageSize: 1 }).list(lw, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListPagingError);
    expect((err as Error).message).toContain('same continue token twice');
    expect(lw.calls).toHaveLength(3);
  });

  it('fails with a ListPagingError past maxPages', async () => {
    const lw = pages(page([1], '10', 'c1'), page([2], '10', 'c2'), page([3], '10', 'c3'), page([4], '10'));
    const err = await new ListPager({ pageSize: 1, maxPages: 3 }).list(lw, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListPagingError);
    expect(lw.calls).toHaveLength(3);
  });

  it('lists unpaged when the page size is 0', async () => {
    const lw = pages(page([1], '3'));
    await new ListPager({ pageSize: 0 }).list(lw, { resourceVersion: '3' });
    expect(lw.calls[0]?.limit).toBe(0);
  });
});
