/**
 * LIST on etcd (the apiserver's etcd3 `GetList`): which revision to read at by the resource-version rules,
 * then Range pages at that pinned revision, filtered, with continue tokens and remainingItemCount as the
 * apiserver sets them; compaction and future revisions become 410 and 504.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { badRequestError, expiredError } from '@kubecache/apimachinery';
import type { StorageList, StorageListOptions } from '@kubecache/storage';
import {
  continueExpiredError,
  LIST_TOO_OLD_MESSAGE,
  matchesObject,
  parseResourceVersion,
  tooLargeResourceVersionError,
} from '@kubecache/storage';
import { decodeContinue, encodeContinue, predicateEmpty } from '@kubecache/storage/internal';
import type { Etcd3 } from 'etcd3';
import { decodeValue } from './etcd3-codec.js';
import { isCompactedError, isFutureRevisionError } from './etcd3-errors.js';
import { type EtcdKeys, rangeEnd } from './etcd3-keys.js';
import { keyAfter, PageSizer, type RangePaging, readPage } from './etcd3-range.js';

/** What the lister needs from the storage. */
export interface EtcdListerOptions {
  client: Etcd3;
  keys: EtcdKeys;
  paging: RangePaging;
  /** Runs an etcd call, mapping connection errors. */
  call: <R>(key: string, fn: () => Promise<R>) => Promise<R>;
  /** etcd's current revision (for 504 messages). */
  currentRevision: () => Promise<number>;
}

/** Lists keys of one storage. */
export class EtcdLister<T extends KubeObject> {
  readonly #o: EtcdListerOptions;

  constructor(options: EtcdListerOptions) {
    this.#o = options;
  }

  /** getList of a prepared key: one key or a prefix, by the RV rules, with etcd's errors mapped. */
  async list(prefix: string, recursive: boolean, options: StorageListOptions<T>): Promise<StorageList<T>> {
    const read = listRevision(prefix, recursive, options);
    try {
      if (!recursive) return await this.#listOne(prefix, read.revision, read.minRevision, options);
      return await this.#listRange(prefix, read.fromKey, read.revision, read.minRevision, options);
    } catch (err) {
      if (isCompactedError(err)) {
        if (read.continued) throw continueExpiredError(encodeContinue(read.fromKey, prefix, -1));
        throw expiredError(LIST_TOO_OLD_MESSAGE);
      }
      if (isFutureRevisionError(err)) {
        throw tooLargeResourceVersionError(read.revision, await this.#o.currentRevision(), 0);
      }
      throw err;
    }
  }

  async #listOne(k: string, revision: number, minRevision: number, options: StorageListOptions<T>) {
    const res = await this.#o.call(k, () =>
      this.#o.client.kv.range({ key: this.#o.keys.toEtcd(k), limit: 1, ...(revision > 0 && { revision }) }),
    );
    const at = Number(res.header.revision);
    if (minRevision > at) throw tooLargeResourceVersionError(minRevision, at, 0);
    const kv = res.kvs[0];
    const obj = kv ? decodeValue<T>(k, kv).object : undefined;
    const items = obj && matchesObject(options.predicate, obj) ? [obj] : [];
    return { metadata: { resourceVersion: String(revision || at) }, items };
  }

  async #listRange(
    prefix: string,
    fromKey: string,
    pinned: number,
    minRevision: number,
    options: StorageListOptions<T>,
  ): Promise<StorageList<T>> {
    const pred = options.predicate;
    const limit = pred?.limit ?? 0;
    const end = rangeEnd(this.#o.keys.toEtcd(prefix));
    const sizer = new PageSizer(this.#o.paging);
    const items: T[] = [];
    let start = this.#o.keys.toEtcd(fromKey > prefix ? fromKey : prefix);
    let revision = pinned;
    let total = -1;
    let lastKey: Buffer | undefined;
    let hasMore = false;
    for (;;) {
      const want = limit > 0 ? limit - items.length : 0;
      const page = await this.#o.call(prefix, () =>
        readPage(this.#o.client, start, end, revision, sizer.limit(want), sizer),
      );
      if (revision === 0) {
        revision = page.revision;
        if (minRevision > revision) throw tooLargeResourceVersionError(minRevision, revision, 0);
      }
      if (total < 0) total = page.count;
      for (const kv of page.kvs) {
        lastKey = kv.key;
        const obj = decodeValue<T>(this.#o.keys.fromEtcd(kv.key), kv).object;
        if (matchesObject(pred, obj)) items.push(obj);
      }
      if (!page.more) break;
      start = keyAfter(lastKey as Buffer);
      if (limit > 0 && items.length >= limit) {
        hasMore = true;
        break;
      }
    }
    const metadata: StorageList<T>['metadata'] = { resourceVersion: String(revision) };
    if (hasMore && lastKey) {
      metadata.continue = encodeContinue(`${this.#o.keys.fromEtcd(lastKey)}\u0000`, prefix, revision);
      if (predicateEmpty(pred)) metadata.remainingItemCount = total - items.length;
    }
    return { metadata, items };
  }

  /** Lists the current state for a watch's initial events, in pages at one pinned revision. */
  async listAll(key: string, recursive: boolean): Promise<{ items: T[]; revision: number }> {
    const list = recursive ? await this.#listRange(key, key, 0, 0, {}) : await this.#listOne(key, 0, 0, {});
    return { items: list.items, revision: Number(list.metadata.resourceVersion) };
  }
}

/** Which revision a list reads at and from which key (`ValidateListOptions` and the RV rules). */
function listRevision<T extends KubeObject>(prefix: string, recursive: boolean, options: StorageListOptions<T>) {
  const pred = options.predicate;
  const rv = parseResourceVersion(options.resourceVersion);
  if (pred?.continue) {
    if (rv !== 0) throw badRequestError('specifying resource version is not allowed when using continue');
    const pos = decodeContinue(pred.continue, prefix);
    return { fromKey: pos.fromKey, revision: Math.max(pos.resourceVersion, 0), minRevision: 0, continued: true };
  }
  const exact =
    options.resourceVersionMatch === 'Exact' ||
    (options.resourceVersionMatch === undefined && recursive && (pred?.limit ?? 0) > 0);
  if (exact) return { fromKey: prefix, revision: rv, minRevision: 0, continued: false };
  return { fromKey: prefix, revision: 0, minRevision: rv, continued: false };
}
