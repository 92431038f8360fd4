/**
 * Etcd3Storage: the {@link Storage} contract on etcd v3 (the apiserver's `storage/etcd3/store.go`). One
 * instance serves every resource under its prefix; resource versions are etcd revisions (an object's is its
 * mod_revision); writes are transactions that compare mod_revision, so concurrent writers conflict instead
 * of overwriting each other.
 */
import type { Clock, KubeObject } from '@kubecache/apimachinery';
import { realClock } from '@kubecache/apimachinery';
import type {
  CreateOptions,
  DeleteOptions,
  GetOptions,
  GuaranteedUpdateOptions,
  Storage,
  StorageEvent,
  StorageList,
  StorageListOptions,
} from '@kubecache/storage';
import { parseResourceVersion, StorageError, tooLargeResourceVersionError } from '@kubecache/storage';
import { checkObjectMatchesKey, checkPreconditions, nameRequiredError } from '@kubecache/storage/internal';
import type { Etcd3, IKeyValue } from 'etcd3';
import { Observable } from 'rxjs';
import { connect, openWatchStream } from './etcd3-client.js';
import { decodeValue, encodeValue, type StoredObject } from './etcd3-codec.js';
import { Compactor } from './etcd3-compactor.js';
import { isCompactedError, mapEtcdError } from './etcd3-errors.js';
import { EtcdKeys, rangeEnd } from './etcd3-keys.js';
import { EtcdLister } from './etcd3-list.js';
import { EtcdWatch } from './etcd3-watch.js';

/** Options of {@link Etcd3Storage} (the apiserver's `storagebackend.Config` for etcd3). */
export interface Etcd3StorageOptions<T extends KubeObject = KubeObject> {
  /** etcd client URLs, `http://host:port` or `https://host:port`; requests go to any healthy one. */
  serverList: string[];
  /** Key prefix in etcd; storage key `/pods/ns/x` is etcd key `<prefix>/pods/ns/x`. Default `/registry`. */
  prefix?: string;
  /** PEM CA that signed the servers' certificates. Default: none (plain HTTP endpoints). */
  caFile?: string;
  /** PEM client certificate presented to etcd (with `keyFile`). Default: none. */
  certFile?: string;
  /** PEM private key of `certFile`. Default: none. */
  keyFile?: string;
  /** Compaction period, in ms; 0 turns the compactor off. Default 300 000 (5 min, as Kubernetes). */
  compactionIntervalMs?: number;
  /** Most keys per Range request. Default 10 000. */
  pageSize?: number;
  /** Target size of one Range response, in bytes (grpc-js refuses messages over 4 MiB). Default 2 MiB. */
  pageBytes?: number;
  /** The server's `--max-request-bytes`; larger writes fail before being sent. Default 1 572 864 (1.5 MiB). */
  maxRequestBytes?: number;
  /** Time to establish a connection, in ms. Default 5 000. */
  dialTimeoutMs?: number;
  /** Deadline of each non-streaming request, in ms. Default 15 000. */
  requestTimeoutMs?: number;
  /** Source of time for the compactor. Default the real clock. */
  clock?: Clock;
  /** An empty object of the resource, for bookmarks. Default `{ metadata: {} }`. */
  newObject?: () => T;
  /** Refuse to store objects without `metadata.name` (422), as MemoryStorage. Default `true`. */
  requireName?: boolean;
  /** Receives errors nothing else sees (compactor failures). Default: a `console.warn` line. */
  onError?: (err: Error) => void;
}

/**
 * The etcd v3 {@link Storage}. `supportsRequestWatchProgress` is false: etcd 3.4.23 answers progress
 * requests out of order with events, so the Cacher serves consistent reads (RV="") from etcd (see README).
 *
 * @example
 * const storage = new Etcd3Storage<Pod>({ serverList: ['http://127.0.0.1:32379'] });
 * const pod = await storage.create('/pods/default/web', { kind: 'Pod', metadata: { name: 'web', namespace: 'default' } });
 * await storage.close();
 */
export class Etcd3Storage<T extends KubeObject = KubeObject> implements Storage<T> {
  readonly supportsRequestWatchProgress = false;
  readonly #client: Etcd3;
  readonly #keys: EtcdKeys;
  readonly #endpoints: readonly string[];
  readonly #maxRequestBytes: number;
  readonly #lister: EtcdLister<T>;
  readonly #newObject: () => T;
  readonly #requireName: boolean;
  readonly #watches = new Set<EtcdWatch<T>>();
  readonly #compactor: Compactor | undefined;
  #compacted = 0;
  #closed = false;

  constructor(options: Etcd3StorageOptions<T>) {
    this.#endpoints = [...options.serverList];
    this.#keys = new EtcdKeys(options.prefix ?? '/registry');
    this.#maxRequestBytes = options.maxRequestBytes ?? 1_572_864;
    this.#newObject = options.newObject ?? (() => ({ metadata: {} }) as T);
    this.#requireName = options.requireName ?? true;
    this.#client = connect({
      serverList: this.#endpoints,
      dialTimeoutMs: options.dialTimeoutMs ?? 5_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      ...(options.caFile !== undefined && { caFile: options.caFile }),
      ...(options.certFile !== undefined && { certFile: options.certFile }),
      ...(options.keyFile !== undefined && { keyFile: options.keyFile }),
    });
    this.#lister = new EtcdLister<T>({
      client: this.#client,
      keys: this.#keys,
      paging: { pageSize: options.pageSize ?? 10_000, pageBytes: options.pageBytes ?? 2 * 1024 * 1024 },
      call: (k, fn) => this.#call(k, fn),
      currentRevision: () => this.getCurrentResourceVersion(),
    });
    const interval = options.compactionIntervalMs ?? 300_000;
    if (interval > 0) {
      const onError = options.onError ?? ((err: Error) => console.warn(`[etcd3 compactor] ${err.message}`));
      this.#compactor = new Compactor({
        client: this.#client,
        intervalMs: interval,
        clock: options.clock ?? realClock,
        compact: (rev) => this.compact(rev),
        onError,
      });
      this.#compactor.start();
    }
  }

  async create(key: string, obj: T, options: CreateOptions = {}): Promise<T> {
    const k = this.#keys.prepare(key, false);
    if (obj?.metadata?.resourceVersion) {
      throw new StorageError('InvalidObj', k, 0, 'resourceVersion should not be set on objects to be created');
    }
    const value = encodeValue(k, obj, this.#maxRequestBytes);
    this.#checkName(k, obj);
    const ek = this.#keys.toEtcd(k);
    return this.#call(k, async () => {
      const lease = options.ttlSeconds && options.ttlSeconds > 0 ? await this.#grant(options.ttlSeconds) : undefined;
      const res = await this.#client.kv.txn({
        compare: [{ key: ek, target: 'Mod', result: 'Equal', mod_revision: 0 }],
        success: [{ request_put: { key: ek, value, ...(lease && { lease }) } }],
      });
      if (!res.succeeded) throw new StorageError('KeyExists', k, 0);
      return stamped<T>(k, value, Number(res.header.revision));
    });
  }

  async delete(key: string, options: DeleteOptions<T> = {}): Promise<T> {
    const k = this.#keys.prepare(key, false);
    const cached = options.cachedExistingObject;
    let state = cached ? this.#fromCached(k, cached) : await this.#mustRead(k);
    let fromCache = cached !== undefined;
    for (;;) {
      try {
        checkPreconditions(k, options.preconditions, state.object);
        await options.validateDeletion?.(state.object);
      } catch (err) {
        if (!fromCache) throw err;
        const fresh = await this.#mustRead(k);
        if (fresh.modRevision === state.modRevision) throw err;
        [state, fromCache] = [fresh, false];
        continue;
      }
      const ek = this.#keys.toEtcd(k);
      const res = await this.#call(k, () =>
        this.#client.kv.txn({
          compare: [{ key: ek, target: 'Mod', result: 'Equal', mod_revision: state.modRevision }],
          success: [{ request_delete_range: { key: ek } }],
          failure: [{ request_range: { key: ek } }],
        }),
      );
      if (res.succeeded) return stamped<T>(k, state.value, Number(res.header.revision));
      const kv = res.responses[0]?.response_range?.kvs[0];
      if (!kv) throw new StorageError('KeyNotFound', k, Number(res.header.revision));
      [state, fromCache] = [decodeValue<T>(k, kv), false];
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<T | undefined> {
    const k = this.#keys.prepare(key, false);
    const rv = parseResourceVersion(options.resourceVersion);
    const res = await this.#call(k, () => this.#client.kv.range({ key: this.#keys.toEtcd(k), limit: 1 }));
    const revision = Number(res.header.revision);
    if (rv > revision) throw tooLargeResourceVersionError(rv, revision, 0);
    const kv = res.kvs[0];
    if (kv) return decodeValue<T>(k, kv).object;
    if (options.ignoreNotFound) return undefined;
    throw new StorageError('KeyNotFound', k, revision);
  }

  async getList(key: string, options: StorageListOptions<T> = {}): Promise<StorageList<T>> {
    const recursive = options.recursive ?? false;
    return this.#lister.list(this.#keys.prepare(key, recursive), recursive, options);
  }

  async guaranteedUpdate(key: string, options: GuaranteedUpdateOptions<T>): Promise<T> {
    const k = this.#keys.prepare(key, false);
    const ignoreNotFound = options.ignoreNotFound ?? false;
    const cached = options.cachedExistingObject;
    let state: StoredObject<T> | undefined = cached ? this.#fromCached(k, cached) : await this.#read(k, ignoreNotFound);
    let fromCache = cached !== undefined;
    for (;;) {
      let value: Buffer;
      try {
        if (state) checkPreconditions(k, options.preconditions, state.object);
        const updated = await options.tryUpdate(state?.object, { resourceVersion: state?.modRevision ?? 0 });
        value = encodeValue(k, updated, this.#maxRequestBytes);
        this.#checkName(k, updated);
      } catch (err) {
        if (!fromCache) throw err;
        const fresh = await this.#read(k, ignoreNotFound);
        if (fresh?.modRevision === state?.modRevision) throw err;
        [state, fromCache] = [fresh, false];
        continue;
      }
      if (state?.value.equals(value)) {
        if (!fromCache) return state.object;
        const fresh = await this.#read(k, ignoreNotFound);
        if (fresh?.modRevision === state.modRevision) return fresh.object;
        [state, fromCache] = [fresh, false];
        continue;
      }
      const ek = this.#keys.toEtcd(k);
      const expected = state?.modRevision ?? 0;
      const res = await this.#call(k, () =>
        this.#client.kv.txn({
          compare: [{ key: ek, target: 'Mod', result: 'Equal', mod_revision: expected }],
          success: [{ request_put: { key: ek, value } }],
          failure: [{ request_range: { key: ek } }],
        }),
      );
      if (res.succeeded) return stamped<T>(k, value, Number(res.header.revision));
      const kv = res.responses[0]?.response_range?.kvs[0];
      if (!kv && !ignoreNotFound) throw new StorageError('KeyNotFound', k, Number(res.header.revision));
      [state, fromCache] = [kv ? decodeValue<T>(k, kv) : undefined, false];
    }
  }

  watch(key: string, options: StorageListOptions<T> = {}): Observable<StorageEvent<T>> {
    return new Observable<StorageEvent<T>>((subscriber) => {
      let prepared: string;
      let rv: number;
      try {
        prepared = this.#keys.prepare(key, options.recursive ?? false);
        rv = parseResourceVersion(options.resourceVersion);
        if (this.#closed) throw new StorageError('Unreachable', prepared, 0, 'the etcd storage is closed');
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
      const watch = new EtcdWatch<T>(this.#watchContext(), prepared, rv, options, subscriber);
      watch.start();
      return () => watch.stop();
    });
  }

  async count(key: string): Promise<number> {
    const prefix = this.#keys.prepare(key, true);
    const ek = this.#keys.toEtcd(prefix);
    const res = await this.#call(prefix, () =>
      this.#client.kv.range({ key: ek, range_end: rangeEnd(ek), count_only: true }),
    );
    return Number(res.count);
  }

  async getCurrentResourceVersion(): Promise<number> {
    const ek = this.#keys.toEtcd('/');
    const res = await this.#call('/', () => this.#client.kv.range({ key: ek, count_only: true }));
    const revision = Number(res.header.revision);
    if (revision <= 0) throw new Error('the current resource version must be greater than 0');
    return revision;
  }

  /**
   * Sends a progress request on every progressNotify watch's stream; the answers arrive as BOOKMARKs.
   * etcd 3.4.23 may answer ahead of events still in flight; a watch that then sees an older event ends
   * with 410 (the Reflector relists) rather than deliver it out of order.
   */
  async requestWatchProgress(): Promise<void> {
    for (const w of this.#watches) if (w.progressNotify) w.requestProgress();
  }

  compactRevision(): number {
    return this.#compacted;
  }

  /** Compacts etcd's history below `revision` (what the compactor does every interval). */
  async compact(revision: number): Promise<void> {
    if (revision <= this.#compacted) return;
    try {
      await this.#client.kv.compact({ revision, physical: false });
    } catch (err) {
      if (!isCompactedError(err)) throw mapEtcdError(err, '/', this.#endpoints, this.#maxRequestBytes);
    }
    this.#compacted = Math.max(this.#compacted, revision);
  }

  /** Open watches (tests: a stopped consumer must leave none). */
  get watchCount(): number {
    return this.#watches.size;
  }

  /** Stops the compactor, cancels every watch (they complete) and closes every gRPC channel. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#compactor?.stop();
    for (const w of [...this.#watches]) w.close();
    this.#client.close();
  }

  #watchContext() {
    return {
      open: () => openWatchStream(this.#client),
      toEtcd: (k: string) => this.#keys.toEtcd(k),
      fromEtcd: (k: Buffer) => this.#keys.fromEtcd(k),
      listAll: (k: string, recursive: boolean) => this.#lister.listAll(k, recursive),
      currentRevision: () => this.getCurrentResourceVersion(),
      newObject: this.#newObject,
      onCompacted: (rev: number) => {
        this.#compacted = Math.max(this.#compacted, rev);
      },
      register: (w: EtcdWatch<T>) => {
        this.#watches.add(w);
        return () => this.#watches.delete(w);
      },
    };
  }

  async #grant(ttlSeconds: number): Promise<string> {
    const res = await this.#client.leaseClient.leaseGrant({ TTL: ttlSeconds });
    return res.ID;
  }

  async #read(k: string, ignoreNotFound: boolean): Promise<StoredObject<T> | undefined> {
    const res = await this.#call(k, () => this.#client.kv.range({ key: this.#keys.toEtcd(k), limit: 1 }));
    const kv = res.kvs[0];
    if (kv) return decodeValue<T>(k, kv);
    if (ignoreNotFound) return undefined;
    throw new StorageError('KeyNotFound', k, Number(res.header.revision));
  }

  async #mustRead(k: string): Promise<StoredObject<T>> {
    return (await this.#read(k, false)) as StoredObject<T>;
  }

  #checkName(k: string, obj: T): void {
    if (this.#requireName && !obj?.metadata?.name) throw nameRequiredError(obj?.kind ?? 'Object');
    checkObjectMatchesKey(k, obj);
  }

  #fromCached(k: string, obj: T): StoredObject<T> {
    const value = encodeValue(k, obj, Number.MAX_SAFE_INTEGER);
    return { object: obj, value, modRevision: parseResourceVersion(obj.metadata?.resourceVersion) };
  }

  async #call<R>(key: string, fn: () => Promise<R>): Promise<R> {
    if (this.#closed) throw new StorageError('Unreachable', key, 0, 'the etcd storage is closed');
    try {
      return await fn();
    } catch (err) {
      throw mapEtcdError(err, key, this.#endpoints, this.#maxRequestBytes);
    }
  }
}

/** The object a write stored, read back from its bytes with the write's revision. */
function stamped<T extends KubeObject>(key: string, value: Buffer, revision: number): T {
  const kv = { key: Buffer.alloc(0), value, mod_revision: String(revision) } as IKeyValue;
  return decodeValue<T>(key, kv).object;
}

/** 422 Invalid for an object without a name, worded as the registry's validation (and MemoryStorage). */
