/**
 * A small HTTP server speaking the Kubernetes list/watch protocol for one resource (pods) over a
 * {@link MemoryStorage}, with faults a test can inject for a while: lists failing (429 with Retry-After,
 * 500), slow responses; and at once: watches closed cleanly or with a 410 ERROR event. Compaction is the
 * storage's own.
 *
 * Protocol, as kube-apiserver: `GET /api/v1[/namespaces/<ns>]/pods` lists (`resourceVersion`, `limit`,
 * `continue`); with `watch=true` it streams newline-delimited events (bookmarks when asked, a 410 ERROR
 * event for a compacted version, a clean end after `timeoutSeconds`). Binds 127.0.0.1.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { failureStatus, type KubeObject, type Status, StatusError } from '@kubecache/apimachinery';
import { type MemoryStorage, toStatusError } from '@kubecache/storage';
import type { Subscription } from 'rxjs';

/** Options of {@link ListWatchServer.start}. */
export interface ListWatchServerOptions {
  /** The objects served; keys are `/pods/<namespace>/<name>`. */
  storage: MemoryStorage<KubeObject>;
  /** How often open watches that asked for bookmarks get one, in ms. Default 300. */
  bookmarkIntervalMs?: number;
}

/** Requests the server received, by verb. */
export interface RequestCounts {
  lists: number;
  watches: number;
}

interface OpenWatch {
  res: http.ServerResponse;
  end: () => void;
}

const PATH = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/pods$/;

/** The server. Start it with {@link ListWatchServer.start}; `close` when done. */
export class ListWatchServer {
  readonly requests: RequestCounts = { lists: 0, watches: 0 };
  readonly #storage: MemoryStorage<KubeObject>;
  readonly #bookmarkInterval: number;
  readonly #server: http.Server;
  readonly #watches = new Set<OpenWatch>();
  #listFailure: { status: Status; retryAfterSeconds?: number; until: number } | undefined;
  #delay: { ms: number; until: number } | undefined;

  private constructor(options: ListWatchServerOptions) {
    this.#storage = options.storage;
    this.#bookmarkInterval = options.bookmarkIntervalMs ?? 300;
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  static async start(options: ListWatchServerOptions): Promise<ListWatchServer> {
    const server = new ListWatchServer(options);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Lists fail with `status` for the next `forMs` (a 429 with `retryAfterSeconds` sends Retry-After). */
  failLists(forMs: number, status: Status, retryAfterSeconds?: number): void {
    this.#listFailure = { status, retryAfterSeconds, until: performance.now() + forMs };
  }

  /** Requests arriving in the next `forMs` are answered `ms` late. */
  delayRequests(forMs: number, ms: number): void {
    this.#delay = { ms, until: performance.now() + forMs };
  }

  /** Ends every open watch cleanly (a server timeout, a proxy cut). */
  closeWatches(): void {
    for (const w of [...this.#watches]) w.end();
  }

  /** Sends every open watch a 410 Expired ERROR event, then ends it. */
  expireWatches(): void {
    for (const w of [...this.#watches]) {
      writeEvent(w.res, 'ERROR', failureStatus(410, 'Expired', 'too old resource version'));
      w.end();
    }
  }

  /** Forgets the list failures and delays not yet served (the faults stop). */
  clearFaults(): void {
    this.#listFailure = undefined;
    this.#delay = undefined;
  }

  /** Forgets pending faults and ends every watch (between runs). */
  reset(): void {
    this.clearFaults();
    this.closeWatches();
    this.requests.lists = 0;
    this.requests.watches = 0;
  }

  /** Ends every watch and closes the server. */
  async close(): Promise<void> {
    this.closeWatches();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = PATH.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      sendStatus(res, failureStatus(404, 'NotFound', `the server could not find ${url.pathname}`));
      return;
    }
    const prefix = match[1] ? `/pods/${decodeURIComponent(match[1])}` : '/pods';
    const watch = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    if (watch) this.requests.watches++;
    else this.requests.lists++;
    const delay = this.#delay !== undefined && performance.now() < this.#delay.until ? this.#delay.ms : 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    if (watch) this.#watch(prefix, url.searchParams, res);
    else await this.#list(prefix, url.searchParams, res);
  }

  async #list(prefix: string, query: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const failure = this.#listFailure;
    if (failure && performance.now() < failure.until) {
      sendStatus(res, failure.status, failure.retryAfterSeconds);
      return;
    }
    try {
      const limit = Number(query.get('limit') ?? '0');
      const list = await this.#storage.getList(prefix, {
        recursive: true,
        resourceVersion: query.get('resourceVersion') ?? '',
        predicate: { limit: limit > 0 ? limit : undefined, continue: query.get('continue') || undefined },
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: list.metadata, items: list.items }));
    } catch (err) {
      sendStatus(res, toStatusError(err, 'list', { group: '', resource: 'pods', name: '' }).status);
    }
  }

  #watch(prefix: string, query: URLSearchParams, res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const timers: NodeJS.Timeout[] = [];
    let subscription: Subscription | undefined;
    const open: OpenWatch = {
      res,
      end: () => {
        this.#watches.delete(open);
        for (const t of timers) clearTimeout(t);
        subscription?.unsubscribe();
        if (!res.writableEnded) res.end();
      },
    };
    this.#watches.add(open);
    res.on('close', open.end);
    const bookmarks = ['true', '1'].includes(query.get('allowWatchBookmarks') ?? '');
    subscription = this.#storage
      .watch(prefix, {
        recursive: true,
        resourceVersion: query.get('resourceVersion') ?? '',
        allowWatchBookmarks: false,
      })
      .subscribe({
        next: (event) => writeEvent(res, event.type, event.object),
        error: (err: unknown) => {
          const status =
            err instanceof StatusError
              ? err.status
              : toStatusError(err, 'watch', { group: '', resource: 'pods', name: '' }).status;
          writeEvent(res, 'ERROR', status);
          open.end();
        },
        complete: open.end,
      });
    if (!this.#watches.has(open)) return;
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    if (timeoutSeconds > 0) timers.push(setTimeout(open.end, timeoutSeconds * 1000));
    if (bookmarks) timers.push(this.#bookmarkTimer(res, timers));
  }

  #bookmarkTimer(res: http.ServerResponse, timers: NodeJS.Timeout[]): NodeJS.Timeout {
    return setTimeout(async () => {
      if (res.writableEnded) return;
      // Storage events are delivered synchronously, so every event up to the current revision was written.
      const rv = String(await this.#storage.getCurrentResourceVersion());
      writeEvent(res, 'BOOKMARK', { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: rv } });
      timers.push(this.#bookmarkTimer(res, timers));
    }, this.#bookmarkInterval);
  }
}

function writeEvent(res: http.ServerResponse, type: string, object: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
}

function sendStatus(res: http.ServerResponse, status: Status, retryAfterSeconds?: number): void {
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  res.writeHead(status.code ?? 500, headers);
  res.end(JSON.stringify(status));
}
