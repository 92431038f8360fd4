/**
 * The Kubernetes-compatible API server: a registry of resources over one storage (each behind a Cacher
 * unless the watch cache is off), served over HTTP or HTTPS on 127.0.0.1 by default.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '@kubecache/apimachinery';
import type { Storage } from '@kubecache/storage';
import type { CacherOptions } from '../cacher/cacher.js';
import { BUILTIN_RESOURCES, INITIAL_NAMESPACES } from '../registry/builtin-resources.js';
import type { ResourceDefinition } from '../registry/resource-definition.js';
import { ResourceRegistry } from '../registry/resource-registry.js';
import { createStorageBackend, type StorageBackendConfig } from '../storage/storage-backend.js';
import { TokenAuthenticator } from './authn.js';
import { FaultInjector } from './fault-injector.js';
import { DEFAULT_MAX_BODY_BYTES } from './http-io.js';
import { createRouter } from './router.js';
import { generateServingCertificate, type ServingCertificate } from './self-signed.js';
import { ServerHooks } from './server-hooks.js';
import { WatchLimiter } from './watch-handler.js';

/** Options of {@link ApiServer.start}. */
export interface ApiServerOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** The storage: a backend config, or a Storage shared by all resources. Default `{ type: 'memory' }`. */
  storage?: StorageBackendConfig | Storage<KubeObject>;
  /** Resources served besides CRDs. Default: every built-in. */
  resources?: readonly ResourceDefinition[];
  /** Serve resources through a watch cache (all, none, or per resource). Default true. */
  watchCache?: boolean | ((def: ResourceDefinition) => boolean);
  /** Bearer tokens accepted; none means no authentication. Default none. */
  tokens?: readonly string[];
  /** Serve HTTPS with a generated CA (`true`) or a given certificate. Default false (HTTP). */
  tls?: boolean | ServingCertificate;
  /** Request body limit, in bytes. Default 3 MiB (3 145 728). */
  maxBodyBytes?: number;
  /** Concurrent watches per client address. Default 1000. */
  maxWatchesPerClient?: number;
  /** Watch length when the client sets no timeoutSeconds: random in [this, 2 × this), in ms. Default 1 800 000. */
  minRequestTimeoutMs?: number;
  /**
   * How often the storage is asked for a progress notification, so quiet resources' caches (and the
   * bookmarks their watchers get) follow the global resourceVersion; in ms, 0 disables. Default 1000.
   */
  progressIntervalMs?: number;
  /** Extra options for every Cacher (bookmark frequency, clock…). Default none. */
  cacher?: Partial<Omit<CacherOptions<KubeObject>, 'storage' | 'resourcePrefix'>>;
  /** Where failures are logged (never tokens). Default `console.error`. */
  log?: (line: string) => void;
}

/**
 * A running API server.
 *
 * @example
 * const server = await ApiServer.start({ port: 0 });
 * console.log(server.url); // http://127.0.0.1:40123
 * await server.stop();
 */
export class ApiServer {
  readonly url: string;
  /** The CA that signed the serving certificate (TLS only). */
  readonly caPem: string | undefined;
  readonly registry: ResourceRegistry;
  readonly storage: Storage<KubeObject>;
  /** Injected failures for resilience tests; inert unless used. */
  readonly faults: FaultInjector;
  readonly #server: http.Server;
  readonly #progressTimer: NodeJS.Timeout | undefined;
  readonly #closeStorage: () => Promise<void>;
  #stopped: Promise<void> | undefined;

  private constructor(init: {
    url: string;
    caPem?: string | undefined;
    registry: ResourceRegistry;
    storage: Storage<KubeObject>;
    server: http.Server;
    faults: FaultInjector;
    progressTimer: NodeJS.Timeout | undefined;
    closeStorage: () => Promise<void>;
  }) {
    this.#progressTimer = init.progressTimer;
    this.faults = init.faults;
    this.url = init.url;
    this.caPem = init.caPem;
    this.registry = init.registry;
    this.storage = init.storage;
    this.#server = init.server;
    this.#closeStorage = init.closeStorage;
  }

  /** Creates the storage, fills the caches, creates the initial namespaces and listens. */
  static async start(options: ApiServerOptions = {}): Promise<ApiServer> {
    const log = options.log ?? ((line: string) => console.error(line));
    const given = options.storage && typeof (options.storage as Storage<KubeObject>).getList === 'function';
    const backend = given ? undefined : await createStorageBackend(options.storage as StorageBackendConfig | undefined);
    const storage = backend?.storage ?? (options.storage as Storage<KubeObject>);
    const registry = new ResourceRegistry({
      storage,
      ...(options.watchCache !== undefined && { watchCache: options.watchCache }),
      ...(options.cacher && { cacher: options.cacher }),
      onError: (err) => log(`apiserver cacher: ${err.message}`),
    });
    try {
      for (const def of options.resources ?? BUILTIN_RESOURCES) registry.add(def);
      const hooks = new ServerHooks(registry, log);
      await hooks.bootstrap(INITIAL_NAMESPACES);
      await registry.waitUntilReady();
      const faults = new FaultInjector();
      const tls = options.tls === true ? generateServingCertificate() : options.tls || undefined;
      const router = createRouter({
        services: {
          registry,
          now: () => Date.now(),
          maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
          minRequestTimeoutMs: options.minRequestTimeoutMs ?? 1_800_000,
          onCustomResourceDefinition: (crd, deleted) => hooks.onCustomResourceDefinition(crd, deleted),
          onNamespaceDeleted: (name) => hooks.onNamespaceDeleted(name),
          faults,
        },
        watchLimiter: new WatchLimiter(options.maxWatchesPerClient ?? 1000),
        authenticator: options.tokens?.length ? new TokenAuthenticator(options.tokens) : undefined,
        ready: () => registry.list().every((s) => !s.cacher || s.cacher.ready.state === 'Ready'),
        log,
      });
      const server = tls
        ? https.createServer({ cert: tls.certPem, key: tls.keyPem }, router)
        : http.createServer(router);
      server.on('clientError', (_err, socket) => socket.destroy());
      const host = options.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      return new ApiServer({
        url: `${tls ? 'https' : 'http'}://${shownHost}:${port}`,
        caPem: tls?.caPem,
        registry,
        storage,
        server,
        faults,
        progressTimer: progressTicker(storage, options.progressIntervalMs ?? 1000, log),
        closeStorage: async () => backend?.close(),
      });
    } catch (err) {
      await registry.stop();
      await backend?.close();
      throw err;
    }
  }

  /**
   * Drops history, as an etcd compaction followed by an apiserver restart would: the storage is compacted
   * at its current revision (when it can be) and every watch cache starts over from a fresh list, so open
   * watches end and clients resuming from an older resourceVersion get 410 Expired and relist.
   * Resolves to the compaction revision.
   */
  async compact(): Promise<number> {
    const revision = await this.storage.getCurrentResourceVersion();
    (this.storage as { compact?: (rv: number) => void }).compact?.(revision);
    await this.registry.restartCaches();
    return revision;
  }

  /** Stops listening, ends open watches, stops the caches and closes the storage it created. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      this.#server.closeAllConnections();
      this.faults.reset();
      clearInterval(this.#progressTimer);
      await this.registry.stop();
      await closed;
      await this.#closeStorage();
    })();
    return this.#stopped;
  }
}

function progressTicker(storage: Storage<KubeObject>, intervalMs: number, log: (line: string) => void) {
  if (intervalMs <= 0 || !storage.supportsRequestWatchProgress) return undefined;
  const timer = setInterval(() => {
    storage
      .requestWatchProgress()
      .catch((err: unknown) => log(`apiserver: progress request failed: ${(err as Error).message}`));
  }, intervalMs);
  timer.unref();
  return timer;
}
