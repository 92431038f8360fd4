/**
 * client-go's list pager (`tools/pager`): lists a resource page by page and hands back one list.
 *
 * Rules (PG-1, PG-2):
 * - `limit` is set to `pageSize` when the caller gave none; a page size of 0 lists in one request.
 * - A first page without `continue` is returned as is (`paginated: false`).
 * - Later pages drop `resourceVersion` and `resourceVersionMatch` (the server refuses them with `continue`).
 * - A 410 on a continuation page (never on the first) falls back to one full list at the requested version.
 * - The list's `resourceVersion` is the first page's.
 */

import type { ListOptions } from '@kubecache/apimachinery';
import { isResourceExpired } from '@kubecache/apimachinery';
import type { ListerWatcher, ListResult } from './list-watch.js';

/** Options of {@link ListPager}. */
export interface ListPagerOptions {
  /** Items per page when the request has no `limit`. Default 500; 0 disables paging. */
  pageSize?: number;
  /** On a 410 for a continuation page, fall back to one full list. Default true. */
  fullListIfExpired?: boolean;
  /** Most pages one list may take; past it the list fails with {@link ListPagingError}. Default 100 000. */
  maxPages?: number;
}

/** The server's paging went wrong: a `continue` token came back a second time, or the pages never ended. */
export class ListPagingError extends Error {
  override readonly name = 'ListPagingError';
}

/** The pager's default bound on the pages of one list (50 million items at the default page size). */
export const DEFAULT_MAX_PAGES = 100_000;

/** What {@link ListPager.list} returns: the whole list and whether it took more than one page. */
export interface PagedList<T> {
  readonly list: ListResult<T>;
  readonly paginated: boolean;
}

/** The pager's default page size. */
export const DEFAULT_PAGE_SIZE = 500;

/**
 * Lists through a {@link ListerWatcher} in pages.
 *
 * @example
 * const { list } = await new ListPager().list(lw, { resourceVersion: '0' });
 */
export class ListPager {
  readonly #pageSize: number;
  readonly #fullListIfExpired: boolean;
  readonly #maxPages: number;

  constructor(options: ListPagerOptions = {}) {
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.#fullListIfExpired = options.fullListIfExpired ?? true;
    this.#maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  }

  /** Lists every page; rejects with the first error (after the 410 fallback) or when `signal` aborts. */
  async list<T>(lw: Pick<ListerWatcher<T>, 'list'>, options: ListOptions, signal?: AbortSignal): Promise<PagedList<T>> {
    const requested: ListOptions = { ...options, limit: options.limit || this.#pageSize };
    let page = await lw.list(requested, signal);
    if (!page.metadata.continue) return { list: page, paginated: false };
    const items: T[] = [];
    const first = page;
    let next: ListOptions = requested;
    const seen = new Set<string>();
    for (;;) {
      for (const item of page.items) items.push(item);
      const token = page.metadata.continue;
      if (!token) break;
      this.#checkProgress(seen, token);
      next = { ...next, continue: token, resourceVersion: undefined, resourceVersionMatch: undefined };
      signal?.throwIfAborted();
      try {
        page = await lw.list(next, signal);
      } catch (err) {
        if (!this.#fullListIfExpired || !isResourceExpired(err)) throw err;
        const full = { ...requested, limit: undefined, continue: undefined };
        return { list: await lw.list(full, signal), paginated: true };
      }
    }
    return {
      list: { ...withoutItems(first), metadata: { resourceVersion: first.metadata.resourceVersion }, items },
      paginated: true,
    };
  }

  /** Throws when `token` was seen before in this list, or when the list has taken too many pages. */
  #checkProgress(seen: Set<string>, token: string): void {
    if (seen.has(token)) {
      throw new ListPagingError(`the server sent the same continue token twice after ${seen.size} pages; giving up`);
    }
    seen.add(token);
    if (seen.size >= this.#maxPages) {
      throw new ListPagingError(`the list did not end within ${this.#maxPages} pages; giving up`);
    }
  }
}

function withoutItems<T>(page: ListResult<T>): Omit<ListResult<T>, 'items'> {
  const { items: _items, ...rest } = page;
  return rest;
}
