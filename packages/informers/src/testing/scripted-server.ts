/**
 * A small scripted Kubernetes-like HTTP server for tests: it answers list requests and watch requests from
 * queues of scripted responses, on 127.0.0.1 with an ephemeral port. It can send list pages, watch events,
 * malformed lines, ERROR events with a Status, error responses with `Retry-After`, and cut a stream mid-way.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeObject, Status, WatchEventType } from '@kubecache/apimachinery';
import { KubeConfig } from '@kubernetes/client-node';

/** One request the server saw. */
export interface ScriptedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  readonly headers: http.IncomingHttpHeaders;
}

/** A scripted list response: a page (`items`, `resourceVersion`, `continue`) or an error Status. */
export type ScriptedList =
  | {
      readonly items: KubeObject[];
      readonly resourceVersion: string;
      readonly continue?: string;
      readonly kind?: string;
    }
  | { readonly status: Status; readonly retryAfterSeconds?: number };

/** The open stream of one watch request, handed to a watch script. */
export interface ScriptedWatchStream {
  /** The request being answered. */
  readonly request: ScriptedRequest;
  /** Sends one event line. */
  event(type: WatchEventType, object: KubeObject | Status): void;
  /** Sends raw text (e.g. a malformed line: `'{"type":\n'`). */
  raw(text: string): void;
  /** Sends an ERROR event with `status` and ends the stream, as the apiserver does. */
  error(status: Status): void;
  /** Ends the stream cleanly. */
  end(): void;
  /** Cuts the connection (after what was written) without ending the chunked body: a drop mid-stream. */
  destroy(): void;
}

/** A watch script: answers with a Status error (before the stream starts) or drives the stream. */
export type ScriptedWatch =
  | { readonly status: Status; readonly retryAfterSeconds?: number }
  | ((stream: ScriptedWatchStream) => void | Promise<void>);

/**
 * The server. Push responses onto `lists` and `watches`; each request takes the next one. With no list
 * scripted it answers an empty list at RV "1"; with no watch scripted it holds the stream open until closed.
 *
 * @example
 * const server = await ScriptedServer.start();
 * server.lists.push({ items: [pod], resourceVersion: '5' });
 * server.watches.push((w) => w.event('ADDED', pod2));
 * const lw = new KubeListerWatcher({ kubeConfig: server.kubeConfig(), version: 'v1', resource: 'pods' });
 * await server.close();
 */
/** Options of {@link ScriptedServer.start}. */
export interface ScriptedServerOptions {
  /** Serve HTTPS with this PEM key and certificate (the certificate must cover IP 127.0.0.1). Default: HTTP. */
  tls?: { key: string; cert: string };
}

export class ScriptedServer {
  /** Scripted list responses, taken in order. */
  readonly lists: ScriptedList[] = [];
  /** Scripted watch responses, taken in order. */
  readonly watches: ScriptedWatch[] = [];
  /** Every request, in arrival order. */
  readonly requests: ScriptedRequest[] = [];
  readonly #server: http.Server;
  readonly #tls: ScriptedServerOptions['tls'];
  readonly #sockets = new Set<Socket>();
  readonly #open = new Set<http.ServerResponse>();
  #port = 0;

  private constructor(options: ScriptedServerOptions) {
    this.#tls = options.tls;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.#handle(req, res);
    this.#server = this.#tls ? https.createServer(this.#tls, handler) : http.createServer(handler);
    this.#server.on(this.#tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  static async start(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
    const server = new ScriptedServer(options);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.#port = (server.#server.address() as AddressInfo).port;
    return server;
  }

  /** `http://127.0.0.1:<port>` (`https://` with TLS). */
  get url(): string {
    return `${this.#tls ? 'https' : 'http'}://127.0.0.1:${this.#port}`;
  }

  /** Watch streams currently open. */
  get openWatches(): number {
    return this.#open.size;
  }

  /**
   * A client-node KubeConfig pointing at this server with a dummy bearer token: with TLS, trusting the
   * server's certificate (`caData`); without, plain HTTP (client-node requires `skipTLSVerify` for it).
   */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    const cluster = this.#tls
      ? {
          name: 'scripted',
          server: this.url,
          caData: Buffer.from(this.#tls.cert).toString('base64'),
          skipTLSVerify: false,
        }
      : { name: 'scripted', server: this.url, skipTLSVerify: true };
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'tester', token: 'scripted-token' }],
      contexts: [{ name: 'scripted', cluster: 'scripted', user: 'tester' }],
      currentContext: 'scripted',
    });
    return kc;
  }

  /** Closes every connection and the server. */
  async close(): Promise<void> {
    for (const res of this.#open) res.destroy();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch !== undefined && !['0', 'false'].includes(query.watch.toLowerCase());
    const request: ScriptedRequest = { path: url.pathname, query, watch, headers: req.headers };
    this.requests.push(request);
    if (watch) this.#watch(request, res);
    else this.#list(res);
  }

  #list(res: http.ServerResponse): void {
    const next = this.lists.shift() ?? { items: [], resourceVersion: '1' };
    if ('status' in next) {
      sendStatus(res, next.status, next.retryAfterSeconds);
      return;
    }
    const metadata: Record<string, string> = { resourceVersion: next.resourceVersion };
    if (next.continue) metadata.continue = next.continue;
    const body = { kind: next.kind ?? 'List', apiVersion: 'v1', metadata, items: next.items };
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  #watch(request: ScriptedRequest, res: http.ServerResponse): void {
    const script = this.watches.shift();
    if (script && typeof script !== 'function') {
      sendStatus(res, script.status, script.retryAfterSeconds);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    this.#open.add(res);
    res.on('close', () => this.#open.delete(res));
    if (script) void Promise.resolve(script(streamOf(request, res))).catch(() => res.destroy());
  }
}

function streamOf(request: ScriptedRequest, res: http.ServerResponse): ScriptedWatchStream {
  const write = (text: string): void => {
    if (!res.writableEnded && !res.destroyed) res.write(text);
  };
  return {
    request,
    event: (type, object) => write(`${JSON.stringify({ type, object })}\n`),
    raw: write,
    error: (status) => {
      write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      res.end();
    },
    end: () => res.end(),
    destroy: () => {
      if (res.socket) res.socket.end();
      else res.destroy();
    },
  };
}

function sendStatus(res: http.ServerResponse, status: Status, retryAfterSeconds?: number): void {
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  res.writeHead(status.code, headers);
  res.end(JSON.stringify(status));
}
