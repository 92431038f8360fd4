/**
 * Paged reads of a key range (the apiserver's etcd3 `GetList` loop): the first Range pins the revision,
 * later Ranges read at it, each page continues after the last key, and pages are sized by bytes as well as
 * by count, because grpc-js refuses any message over 4 MiB and a page of 10 000 large objects is far bigger.
 */
import type { Etcd3, IKeyValue, IRangeResponse } from 'etcd3';
import { isMessageTooLargeError } from './etcd3-errors.js';

/** Page sizing. */
export interface RangePaging {
  /** Most keys per Range. */
  pageSize: number;
  /** Target bytes per Range response (values and keys). */
  pageBytes: number;
}

/** One Range response's useful parts. */
export interface RangePage {
  kvs: IKeyValue[];
  /** Whether keys remain in the range after this page. */
  more: boolean;
  /** Keys in the range from the page's start, at the revision. */
  count: number;
  /** The revision the page was read at. */
  revision: number;
}

/** Learns the average size of the values it reads, to size the next page in bytes. */
export class PageSizer {
  readonly #paging: RangePaging;
  // Until something was read, assume objects of 4 KiB: a first page of 512 keys at the 2 MiB default.
  #avgBytes = 4096;

  constructor(paging: RangePaging) {
    this.#paging = paging;
  }

  /** Keys to ask for when `wanted` (0: any number) are still needed. */
  limit(wanted: number): number {
    const byBytes = Math.max(1, Math.floor(this.#paging.pageBytes / this.#avgBytes));
    const cap = Math.min(this.#paging.pageSize, byBytes);
    return wanted > 0 ? Math.min(wanted, cap) : cap;
  }

  /** Records a page's sizes. */
  observe(kvs: readonly IKeyValue[]): void {
    if (kvs.length === 0) return;
    let bytes = 0;
    for (const kv of kvs) bytes += kv.value.length + kv.key.length + 64;
    this.#avgBytes = Math.max(64, Math.ceil(bytes / kvs.length));
  }

  /** A page overflowed the message cap: assume objects twice as big. */
  overflowed(): void {
    this.#avgBytes *= 2;
  }
}

/**
 * Reads one page of [start, end) at `revision` (0: latest), at most `limit` keys, halving the page while
 * the response would exceed the gRPC message cap.
 */
export async function readPage(
  client: Etcd3,
  start: Buffer,
  end: Buffer | undefined,
  revision: number,
  limit: number,
  sizer: PageSizer,
): Promise<RangePage> {
  let n = limit;
  for (;;) {
    try {
      const res: IRangeResponse = await client.kv.range({
        key: start,
        ...(end && { range_end: end }),
        limit: n,
        ...(revision > 0 && { revision }),
      });
      sizer.observe(res.kvs);
      return { kvs: res.kvs, more: res.more, count: Number(res.count), revision: Number(res.header.revision) };
    } catch (err) {
      if (!isMessageTooLargeError(err) || n <= 1) throw err;
      sizer.overflowed();
      n = Math.max(1, Math.floor(n / 2));
    }
  }
}

/** The key right after `key` (`key + "\0"`), where the next page starts. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
