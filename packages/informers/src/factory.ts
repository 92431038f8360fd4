/**
 * The shared informer factory (client-go's `informers/factory.go`, FA-1…FA-5), plus what client-go lacks:
 * reference-counted leases (an informer nobody uses stops, pain point 4) and a `waitForCacheSync` that
 * waits for the registered handlers too (pain point 2) and fails fast on 401/403/404 (pain point 5).
 */
import { setMaxListeners } from 'node:events';
import { type Clock, type KubeObject, realClock } from '@kubecache/apimachinery';
import { type Indexers, type ListerWatcher, metaNamespaceIndexFunc, NAMESPACE_INDEX } from '@kubecache/cache';
import type { ResourceTarget } from './resource-target.js';
import { SharedIndexInformer, type SharedIndexInformerOptions } from './shared-informer.js';
import { waitForCacheSync } from './wait-for-cache-sync.js';

/**
 * What identifies a shared informer: one per distinct value. The namespace defaults to the factory's;
 * the selectors and transform are part of the identity.
 */
export interface InformerRequest<T extends KubeObject = KubeObject> extends ResourceTarget {
  /** The objects' `kind` (e.g. `Pod`): objects of another kind are dropped. Default: any. Not part of the identity. */
  kind?: string;
  /** Transform run on every object; informers with different transforms are distinct. Default: the factory's. */
  transform?: (obj: T) => T;
  /** Extra indexes (the namespace index is always registered). Only used when the informer is created. */
  indexers?: Indexers<T>;
  /** Resync period in ms. Default the factory's. Only used when the informer is created. */
  resyncPeriodMs?: number;
}

/** Builds the ListerWatcher of a request (for real clusters: the client-node `KubeListerWatcher`). */
export type ListerWatcherFactory = (
  request: ResourceTarget & Required<Pick<ResourceTarget, 'group' | 'namespace'>>,
) => ListerWatcher<KubeObject>;

/** Options of {@link SharedInformerFactory}. */
export interface SharedInformerFactoryOptions {
  /** Creates the ListerWatcher of each informer. Required. */
  listerWatcherFor: ListerWatcherFactory;
  /** Default namespace of requests. Default `''` (all). */
  namespace?: string;
  /** Default resync period, ms. Default 0 (none). */
  defaultResyncPeriodMs?: number;
  /** Default transform of every informer. Default none. */
  transform?: (obj: KubeObject) => KubeObject;
  /** Time source. Default the real clock. */
  clock?: Clock;
  /**
   * Passed to every informer (backoff, queue kind, failFast, onError, freeze...). Default none. The name,
   * resync period, clock, indexers and transform come from the factory and each request, so they are not
   * accepted here (a JavaScript caller who passes them gets a `TypeError`).
   */
  informerOptions?: Omit<SharedIndexInformerOptions<KubeObject>, FactoryOwned>;
}

/** Informer options the factory sets itself. */
type FactoryOwned = 'listerWatcher' | 'indexers' | 'transform' | 'name' | 'resyncPeriodMs' | 'clock';
const FACTORY_OWNED: readonly FactoryOwned[] = [
  'listerWatcher',
  'indexers',
  'transform',
  'name',
  'resyncPeriodMs',
  'clock',
];

/** A second request for an existing informer asked for something the first one was built without. */
export class InformerConflictError extends Error {
  override readonly name = 'InformerConflictError';
}

/** An informer of the factory failed to sync (its fail-fast policy matched); `cause` is its error. */
export class InformerSyncError extends Error {
  override readonly name = 'InformerSyncError';
  /** The informer's key in the factory (resource, namespace, selectors). */
  readonly informer: string;
  constructor(informer: string, cause: unknown) {
    super(`informer ${informer} failed to sync: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.informer = informer;
  }
}

/** A counted use of a shared informer; `release` once done. */
export interface InformerLease<T extends KubeObject> {
  readonly informer: SharedIndexInformer<T>;
  /** Gives the lease back; the informer stops when its last lease is released. Idempotent. */
  release(): void;
}

/** The outcome of {@link SharedInformerFactory.waitForCacheSync}: per informer key, whether it synced. */
export type SyncResult = Map<string, boolean>;

interface Entry {
  key: string;
  informer: SharedIndexInformer<KubeObject>;
  abort: AbortController;
  run: Promise<void> | undefined;
  leases: number;
  resyncPeriodMs: number;
  /** Created through `acquire` (reference-counted) rather than `informerFor` (lives until shutdown). */
  counted: boolean;
}

/**
 * One informer per resource + namespace + selectors + transform, shared by every caller.
 *
 * @example
 * const factory = new SharedInformerFactory({ listerWatcherFor: (r) => new KubeListerWatcher({ kubeConfig: kc, ...r }) });
 * const pods = factory.informerFor({ version: 'v1', resource: 'pods' });
 * pods.addEventHandler({ onAdd: (p) => queue.add(keyOf(p)) });
 * factory.start();
 * await factory.waitForCacheSync(signal);
 */
export class SharedInformerFactory {
  readonly #o: SharedInformerFactoryOptions;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  readonly #transformIds = new WeakMap<object, number>();
  /** Runs of informers whose last lease was released, still winding down; shutdown waits for them. */
  readonly #stopping = new Set<Promise<void>>();
  #started = false;
  #shuttingDown = false;
  #nextTransformId = 1;

  constructor(options: SharedInformerFactoryOptions) {
    for (const k of FACTORY_OWNED) {
      if (options.informerOptions && k in options.informerOptions) {
        throw new TypeError(
          `SharedInformerFactory: informerOptions.${k} is set by the factory; pass it per request or as a factory option`,
        );
      }
    }
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  /** The shared informer for `request`, created on first use; it lives until {@link shutdown}. */
  /**
   * The shared informer for `request`, created on first use; it lives until {@link shutdown}. A later request
   * for the same informer adds the indexers it names that are not there yet (client-go's `AddIndexers`); an
   * index name already taken by another function, or a different `resyncPeriodMs`, throws
   * {@link InformerConflictError} (use `addEventHandler(handler, { resyncPeriodMs })` for a per-handler period).
   */
  informerFor<T extends KubeObject = KubeObject>(request: InformerRequest<T>): SharedIndexInformer<T> {
    return this.#typed<T>(this.#entry(this.#untyped(request), false).informer);
  }

  /**
   * A counted use of the shared informer for `request`. When the last lease of an informer created by
   * `acquire` is released, the informer stops and the next `acquire` creates a fresh one.
   */
  acquire<T extends KubeObject = KubeObject>(request: InformerRequest<T>): InformerLease<T> {
    const entry = this.#entry(this.#untyped(request), true);
    entry.leases++;
    if (this.#started) this.#startEntry(entry);
    let released = false;
    return {
      informer: this.#typed<T>(entry.informer),
      release: () => {
        if (released) return;
        released = true;
        this.#release(entry);
      },
    };
  }

  /** Starts every informer not yet started (idempotent, non-blocking); ignored after shutdown. */
  start(): void {
    if (this.#shuttingDown) return;
    this.#started = true;
    for (const e of this.#entries.values()) this.#startEntry(e);
  }

  /** Keys of the informers this factory holds. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Waits until every started informer has synced *and* each of its handlers has processed the initial
   * list. Resolves with a per-informer map (false for those unsynced when `signal` aborted); rejects with an
   * {@link InformerSyncError} naming the informer whose last error matched its fail-fast policy (401/403/404
   * by default). Adds one listener to `signal`, however many informers there are.
   */
  async waitForCacheSync(signal?: AbortSignal): Promise<SyncResult> {
    const started = [...this.#entries.values()].filter((e) => e.run !== undefined);
    // One listener on the caller's signal however many informers wait: they listen to ours.
    const inner = new AbortController();
    setMaxListeners(0, inner.signal);
    const forward = (): void => inner.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener('abort', forward, { once: true });
    try {
      await Promise.all(
        started.map((e) =>
          e.informer.waitForCacheSync(inner.signal).catch((err: unknown) => {
            throw new InformerSyncError(e.key, err);
          }),
        ),
      );
      const checks = started.map((e) => () => e.informer.handlersSynced());
      await waitForCacheSync(checks, { signal: inner.signal, clock: this.#clock, pollPeriodMs: 10 });
      return new Map(started.map((e) => [e.key, e.informer.handlersSynced()]));
    } finally {
      signal?.removeEventListener('abort', forward);
      inner.abort();
    }
  }

  /** Stops every informer and resolves when they have all stopped. Safe to call more than once. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    const entries = [...this.#entries.values()];
    for (const e of entries) e.abort.abort();
    await Promise.all([...entries.map((e) => e.run), ...this.#stopping]);
  }

  #entry(request: InformerRequest, counted: boolean): Entry {
    const key = this.#keyOf(request);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        key,
        informer: this.#create(request),
        abort: new AbortController(),
        run: undefined,
        leases: 0,
        resyncPeriodMs: request.resyncPeriodMs ?? this.#o.defaultResyncPeriodMs ?? 0,
        counted,
      };
      this.#entries.set(key, entry);
    } else this.#reconcile(entry, request);
    if (!counted) entry.counted = false; // an uncounted user keeps it alive until shutdown
    return entry;
  }

  /** Makes an existing informer serve a repeated request, or says why it cannot. */
  #reconcile(entry: Entry, request: InformerRequest): void {
    const resync = request.resyncPeriodMs ?? this.#o.defaultResyncPeriodMs ?? 0;
    if (resync !== entry.resyncPeriodMs) {
      throw new InformerConflictError(
        `informer ${entry.key} exists with resyncPeriodMs ${entry.resyncPeriodMs}, requested ${resync}; ` +
          'give the handler its own period with addEventHandler(handler, { resyncPeriodMs })',
      );
    }
    const have = entry.informer.indexers();
    const add: Indexers<KubeObject> = {};
    for (const [name, fn] of Object.entries(request.indexers ?? {})) {
      if (!Object.hasOwn(have, name)) add[name] = fn;
      else if (have[name] !== fn) {
        throw new InformerConflictError(
          `informer ${entry.key} already has an index named ${JSON.stringify(name)} with another function`,
        );
      }
    }
    if (Object.keys(add).length > 0) entry.informer.addIndexers(add);
  }

  // The map holds informers of every object type; a request's T is the caller's claim about its resource.
  #untyped<T extends KubeObject>(request: InformerRequest<T>): InformerRequest {
    return request as unknown as InformerRequest;
  }

  #typed<T extends KubeObject>(informer: SharedIndexInformer<KubeObject>): SharedIndexInformer<T> {
    return informer as unknown as SharedIndexInformer<T>;
  }

  #create(request: InformerRequest): SharedIndexInformer<KubeObject> {
    const namespace = request.namespace ?? this.#o.namespace ?? '';
    const lw = this.#o.listerWatcherFor({
      group: request.group ?? '',
      version: request.version,
      resource: request.resource,
      namespace,
      labelSelector: request.labelSelector,
      fieldSelector: request.fieldSelector,
    });
    return new SharedIndexInformer<KubeObject>({
      clock: this.#clock,
      ...this.#o.informerOptions,
      name: this.#keyOf(request),
      listerWatcher: lw,
      expectedKind: request.kind,
      namespace,
      resyncPeriodMs: request.resyncPeriodMs ?? this.#o.defaultResyncPeriodMs ?? 0,
      indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc, ...(request.indexers as Indexers<KubeObject>) },
      transform: (request.transform as ((o: KubeObject) => KubeObject) | undefined) ?? this.#o.transform,
    });
  }

  #startEntry(entry: Entry): void {
    if (entry.run || this.#shuttingDown) return;
    entry.run = entry.informer.run(entry.abort.signal);
  }

  #release(entry: Entry): void {
    entry.leases--;
    if (entry.leases > 0 || !entry.counted) return;
    entry.abort.abort();
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    const run = entry.run;
    if (run) {
      this.#stopping.add(run);
      const forget = (): void => void this.#stopping.delete(run);
      run.then(forget, forget);
    }
  }

  #keyOf(request: InformerRequest): string {
    const ns = request.namespace ?? this.#o.namespace ?? '';
    const gvr = `${request.group ?? ''}/${request.version}/${request.resource}`;
    const transform = request.transform ?? this.#o.transform;
    const t = transform ? `#t${this.#transformId(transform)}` : '';
    return `${gvr}|ns=${ns}|l=${request.labelSelector ?? ''}|f=${request.fieldSelector ?? ''}${t}`;
  }

  #transformId(fn: object): number {
    let id = this.#transformIds.get(fn);
    if (id === undefined) {
      id = this.#nextTransformId++;
      this.#transformIds.set(fn, id);
    }
    return id;
  }
}
