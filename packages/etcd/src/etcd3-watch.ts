/**
 * One storage watch on etcd's raw watch stream (the apiserver's etcd3 `watcher.go`): optional initial
 * events from a paged list, then a `create_request` with `prev_kv` from the revision after the start, and
 * every response turned into storage events.
 *
 * ```
 *  starting ──initial list / current revision──▶ streaming ──canceled / stream error / decode error──▶ ended
 *      │                                              │                (one ERROR event, then complete)
 *      └────────────── unsubscribe ───────────────────┴──────────▶ stopped (stream cancelled, nothing sent)
 * ```
 *
 * Compaction cancels the etcd watch with `compact_revision` set → 410 Expired, as the apiserver; any other
 * end → 500 InternalError, which the Reflector answers by watching again from its last revision. Nothing is
 * resumed inside the storage layer, so no event can be skipped silently.
 */
import type { KubeObject, Status } from '@kubecache/apimachinery';
import {
  deepFreeze,
  expiredError,
  INITIAL_EVENTS_END_ANNOTATION,
  internalError,
  StatusError,
} from '@kubecache/apimachinery';
import type { StorageEvent, StorageListOptions } from '@kubecache/storage';
import {
  matchesObject,
  tooLargeResourceVersionError,
  WATCH_TOO_OLD_MESSAGE,
  withResourceVersion,
} from '@kubecache/storage';
import { convertFiltered, predicateEmpty } from '@kubecache/storage/internal';
import type { IEvent, IWatchResponse } from 'etcd3';
import type { Subscriber } from 'rxjs';
import type { RawWatchStream } from './etcd3-client.js';
import { decodeValue } from './etcd3-codec.js';
import { rangeEnd } from './etcd3-keys.js';

/** What a watch needs from the storage. */
export interface WatchContext<T extends KubeObject> {
  /** Opens a raw watch stream. */
  open(): Promise<RawWatchStream>;
  /** The etcd key of a prepared storage key, and back. */
  toEtcd(key: string): Buffer;
  fromEtcd(key: Buffer): string;
  /** Lists the current state (paged, revision pinned) for initial events. */
  listAll(key: string, recursive: boolean): Promise<{ items: T[]; revision: number }>;
  /** etcd's current revision. */
  currentRevision(): Promise<number>;
  /** An empty object of the resource, for bookmarks. */
  newObject(): T;
  /** Tells the storage a compaction was seen. */
  onCompacted(revision: number): void;
  /** Registers the watch for progress requests and close(); returns the unregister function. */
  register(watch: EtcdWatch<T>): () => void;
}

/** A running watch; created by `Etcd3Storage.watch` for each subscription. */
export class EtcdWatch<T extends KubeObject> {
  readonly #ctx: WatchContext<T>;
  readonly #key: string;
  readonly #options: StorageListOptions<T>;
  readonly #rv: number;
  readonly #sub: Subscriber<StorageEvent<T>>;
  #stream: RawWatchStream | undefined;
  #stopped = false;
  #lastRevision = 0;
  /** Highest revision announced by an answer to a progress request (those are not ordered in etcd 3.4.23). */
  #unorderedProgress = 0;
  #fragments: IEvent[] = [];
  #unregister: () => void = () => undefined;

  constructor(
    ctx: WatchContext<T>,
    key: string,
    rv: number,
    options: StorageListOptions<T>,
    sub: Subscriber<StorageEvent<T>>,
  ) {
    this.#ctx = ctx;
    this.#key = key;
    this.#rv = rv;
    this.#options = options;
    this.#sub = sub;
  }

  /** Whether this watch asked for progress notifications. */
  get progressNotify(): boolean {
    return this.#options.progressNotify ?? false;
  }

  /** Starts the watch; failures end it with an ERROR event. */
  start(): void {
    this.#unregister = this.#ctx.register(this);
    this.#run().catch((err: unknown) => this.#fail(toStatus(err)));
  }

  /** Stops without sending anything more (unsubscribe, storage close). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unregister();
    this.#stream?.cancel();
  }

  /** Stops and completes the subscriber (storage close). */
  close(): void {
    if (this.#stopped) return;
    this.stop();
    this.#sub.complete();
  }

  /** Asks etcd for a progress notification on this watch's stream. */
  requestProgress(): void {
    if (!this.#stopped && this.#stream) this.#stream.write({ progress_request: {} });
  }

  async #run(): Promise<void> {
    const recursive = this.#options.recursive ?? false;
    const initial = this.#options.sendInitialEvents ?? this.#rv === 0;
    let startRev: number;
    if (initial) {
      if (this.#rv > 0) {
        const current = await this.#ctx.currentRevision();
        if (this.#rv > current) throw tooLargeResourceVersionError(this.#rv, current, 1);
      }
      const { items, revision } = await this.#ctx.listAll(this.#key, recursive);
      for (const obj of items) {
        if (this.#stopped) return;
        if (matchesObject(this.#options.predicate, obj)) this.#sub.next({ type: 'ADDED', object: obj });
      }
      if (this.#options.sendInitialEvents && this.#options.allowWatchBookmarks) {
        this.#sub.next({ type: 'BOOKMARK', object: this.#bookmark(revision, true) });
      }
      startRev = revision;
    } else {
      startRev = this.#rv === 0 ? await this.#ctx.currentRevision() : this.#rv;
    }
    if (this.#stopped) return;
    this.#lastRevision = startRev;
    await this.#openStream(startRev, recursive);
  }

  async #openStream(startRev: number, recursive: boolean): Promise<void> {
    const stream = await this.#ctx.open();
    if (this.#stopped) {
      stream.cancel();
      return;
    }
    this.#stream = stream;
    stream.on('data', (res) => this.#onResponse(res));
    stream.on('error', (err) => this.#fail(streamEnded(err)));
    stream.on('end', () => this.#fail(streamEnded(undefined)));
    const key = this.#ctx.toEtcd(this.#key);
    stream.write({
      create_request: {
        key,
        ...(recursive && { range_end: rangeEnd(key) }),
        start_revision: startRev + 1,
        prev_kv: true,
        progress_notify: this.progressNotify,
        fragment: true,
      },
    });
  }

  #onResponse(res: IWatchResponse): void {
    if (this.#stopped) return;
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      if (compacted > 0) {
        this.#ctx.onCompacted(compacted);
        this.#fail(expiredError(WATCH_TOO_OLD_MESSAGE).status);
      } else {
        this.#fail(internalError(`etcd canceled the watch: ${res.cancel_reason || 'no reason given'}`).status);
      }
      return;
    }
    if (res.created) return;
    if (res.fragment) {
      this.#fragments.push(...res.events);
      return;
    }
    const events = this.#fragments.length > 0 ? [...this.#fragments, ...res.events] : res.events;
    this.#fragments = [];
    if (events.length === 0) this.#onProgress(res);
    else this.#onEvents(events);
  }

  #onProgress(res: IWatchResponse): void {
    const revision = Number(res.header.revision);
    if (!this.progressNotify || revision <= this.#lastRevision) return;
    // watch_id -1 answers a progress request; etcd 3.4.23 may send it ahead of pending events.
    if (res.watch_id === '-1') this.#unorderedProgress = revision;
    this.#lastRevision = revision;
    this.#sub.next({ type: 'BOOKMARK', object: this.#bookmark(revision, false) });
  }

  #onEvents(events: readonly IEvent[]): void {
    const floor = this.#lastRevision;
    for (const ev of events) {
      const revision = Number(ev.kv.mod_revision);
      if (revision <= floor) {
        if (revision <= this.#unorderedProgress) {
          // A bookmark already promised this revision was passed: relisting is the only way not to lose it.
          this.#fail(
            expiredError(
              `${WATCH_TOO_OLD_MESSAGE} (event ${revision} arrived after progress ${this.#unorderedProgress})`,
            ).status,
          );
          return;
        }
        continue;
      }
      this.#lastRevision = revision;
      let event: StorageEvent<T> | undefined;
      try {
        event = this.#convert(ev, revision);
      } catch (err) {
        this.#fail(toStatus(err));
        return;
      }
      if (event) this.#sub.next(event);
      if (this.#stopped) return;
    }
  }

  #convert(ev: IEvent, revision: number): StorageEvent<T> | undefined {
    const key = this.#ctx.fromEtcd(ev.kv.key);
    const isCreate = ev.type === 'Put' && ev.kv.create_revision === ev.kv.mod_revision;
    if (!isCreate && !ev.prev_kv) {
      throw internalError(`etcd event received with PrevKv=nil (key=${key}, modRevision=${revision}, type=${ev.type})`);
    }
    const current = ev.type === 'Put' ? decodeValue<T>(key, ev.kv).object : undefined;
    const prev = ev.prev_kv && !isCreate ? decodeValue<T>(key, ev.prev_kv).object : undefined;
    let type: 'ADDED' | 'MODIFIED' | 'DELETED' | undefined = isCreate
      ? 'ADDED'
      : ev.type === 'Put'
        ? 'MODIFIED'
        : 'DELETED';
    const pred = this.#options.predicate;
    if (!predicateEmpty(pred)) {
      const curPasses = current !== undefined && matchesObject(pred, current);
      const prevPasses = prev !== undefined && matchesObject(pred, prev);
      type = convertFiltered(type, curPasses, prevPasses);
    }
    if (type === undefined) return undefined;
    if (type === 'DELETED') {
      return { type, object: deepFreeze(withResourceVersion(prev as T, revision)), prevObject: prev as T };
    }
    return prev === undefined ? { type, object: current as T } : { type, object: current as T, prevObject: prev };
  }

  #bookmark(revision: number, initialEventsEnd: boolean): T {
    const obj = this.#ctx.newObject();
    const metadata = { ...obj.metadata, resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
    return deepFreeze({ ...obj, metadata });
  }

  #fail(status: Status): void {
    if (this.#stopped) return;
    this.stop();
    this.#sub.next({ type: 'ERROR', object: status });
    this.#sub.complete();
  }
}

function streamEnded(err: Error | undefined): Status {
  const why = err ? err.message : 'the server closed the stream';
  return internalError(`etcd watch stream ended: ${why}`, err).status;
}

function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  return internalError(`etcd watch failed: ${(err as Error)?.message ?? String(err)}`, err).status;
}
