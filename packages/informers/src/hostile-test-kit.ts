/**
 * Servers for the hostile-server tests, all on 127.0.0.1: a small Kubernetes-like pods server whose answers
 * a test can take over one request at a time (to stream a huge list, never answer, drip, repeat a continue
 * token, ask for a long Retry-After), and a TCP proxy that can leave its connections half-open.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import type { KubeObject } from '@kubecache/apimachinery';
import { KubeConfig } from '@kubernetes/client-node';

/** What a hostile handler gets: the request, its parsed query, and the response. */
export interface HostileRequest {
  readonly watch: boolean;
  readonly query: Readonly<Record<string, string>>;
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
}

/** Takes over a request (returns true) or lets the well-behaved server answer it (returns false). */
export type HostileHandler = (r: HostileRequest) => boolean;

type Event = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; rv: number };

export const podNamed = (name: string, rv: number, extra: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'default', name, resourceVersion: String(rv), uid: `uid-${name}` },
    ...extra,
  }) as KubeObject;

/**
 * A pods server: lists (paged with `limit`/`continue`) and watches (from a resource version, with a short
 * event log; 410 when the version is older) of an in-memory set of pods.
 */
export class PodsServer {
  /** Takes over requests while set. */
  hostile: HostileHandler | undefined;
  /** Requests seen, and TCP connections accepted. */
  requests = 0;
  connections = 0;
  readonly #server: http.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #pods = new Map<string, KubeObject>();
  readonly #log: Event[] = [];
  readonly #watchers = new Set<{ res: http.ServerResponse }>();
  #rv = 1;
  #oldest = 1;

  private constructor() {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    this.#server.keepAliveTimeout = 60_000;
    this.#server.on('connection', (socket: net.Socket) => {
      this.connections++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(): Promise<PodsServer> {
    const s = new PodsServer();
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  /** Names of the pods held, sorted. */
  names(): string[] {
    return [...this.#pods.keys()].sort();
  }

  /** Adds or updates pods; each change is a watch event. */
  put(...names: string[]): void {
    for (const name of names) {
      const type = this.#pods.has(name) ? 'MODIFIED' : 'ADDED';
      const pod = podNamed(name, ++this.#rv);
      this.#pods.set(name, pod);
      this.#emit({ type, object: pod, rv: this.#rv });
    }
  }

  /** Deletes pods; each is a watch event. */
  remove(...names: string[]): void {
    for (const name of names) {
      const old = this.#pods.get(name);
      if (!old) continue;
      this.#pods.delete(name);
      this.#emit({
        type: 'DELETED',
        object: { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.#rv) } },
        rv: this.#rv,
      });
    }
  }

  /** Forgets the event log: a watch from an older version gets 410 Expired. */
  compact(): void {
    this.#log.length = 0;
    this.#oldest = this.#rv;
  }

  kubeConfig(port = this.port): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'hostile-token' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    return kc;
  }

  async close(): Promise<void> {
    for (const w of this.#watchers) w.res.destroy();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #emit(event: Event): void {
    this.#log.push(event);
    for (const w of this.#watchers) w.res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
    const watch = query.watch === 'true';
    if (this.hostile?.({ watch, query, req, res })) return;
    if (watch) this.#watch(query, res);
    else this.#list(query, res);
  }

  #list(query: Record<string, string>, res: http.ServerResponse): void {
    const all = [...this.#pods.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const start = query.continue ? Number(query.continue) : 0;
    const limit = query.limit ? Number(query.limit) : all.length;
    const items = all.slice(start, start + limit);
    const metadata: Record<string, string> = { resourceVersion: String(this.#rv) };
    if (start + limit < all.length) metadata.continue = String(start + limit);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata, items }));
  }

  #watch(query: Record<string, string>, res: http.ServerResponse): void {
    const from = Number(query.resourceVersion || this.#rv);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    if (from < this.#oldest) {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        code: 410,
        reason: 'Expired',
        message: `too old resource version: ${from} (${this.#oldest})`,
      };
      res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
    for (const e of this.#log) if (e.rv > from) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    const watcher = { res };
    this.#watchers.add(watcher);
    res.on('close', () => this.#watchers.delete(watcher));
  }
}

/**
 * A TCP proxy to `target`. `stall()` makes every connection open at that moment stop forwarding in both
 * directions while staying open (half-open, as a broken NAT or load balancer leaves it); new connections
 * are forwarded normally.
 */
export class StallingProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket; stalled: boolean }>();

  private constructor(target: number) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(target, '127.0.0.1');
      const pair = { client, upstream, stalled: false };
      this.#pairs.add(pair);
      client.on('data', (d) => {
        if (!pair.stalled) upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (!pair.stalled) client.write(d);
      });
      const end = (): void => {
        if (pair.stalled) return;
        client.destroy();
        upstream.destroy();
        this.#pairs.delete(pair);
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
  }

  static async start(target: number): Promise<StallingProxy> {
    const p = new StallingProxy(target);
    await new Promise<void>((resolve) => p.#server.listen(0, '127.0.0.1', resolve));
    return p;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  stall(): void {
    for (const p of this.#pairs) p.stalled = true;
  }

  async close(): Promise<void> {
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
