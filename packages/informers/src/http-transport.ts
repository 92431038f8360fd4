/**
 * The HTTP/1.1 transport under {@link KubeListerWatcher}: one keep-alive agent per cluster (per set of TLS
 * material) shared by every informer of a KubeConfig, authentication applied to every request (so exec and
 * OIDC tokens refresh as client-node refreshes them), and the timeouts a list or a watch needs so that a
 * server that never answers, drips, or goes silent behind a proxy is noticed.
 *
 * Why HTTP/1.1 and not HTTP/2: Node's `http2` client does not go through client-node's proxy agents, and the
 * one thing HTTP/2 would add here — PING to detect a dead connection — is covered by the watch idle timeout
 * (45 s, the same bound client-go's HTTP/2 health check gives). The price is one TCP connection per open
 * watch, reused by the next request once the watch ends.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { type Clock, realClock, type TimerHandle } from '@kubecache/apimachinery';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeRequest, type RequestContext } from './wire-status.js';

/** Timeouts of one request. Every field is in milliseconds; 0 disables that timeout. */
export interface RequestTimeouts {
  /** TCP connect and TLS handshake of a new connection. Default 10 000 (client-go's TLS handshake limit). */
  connectTimeoutMs?: number;
  /** From sending the request to its response headers. Default 60 000 (kube-apiserver's own request limit). */
  responseTimeoutMs?: number;
  /**
   * A list body that delivers less than 1 KiB within any window of this length is aborted (a silent or
   * dripping server). Default 30 000.
   */
  bodyIdleTimeoutMs?: number;
  /**
   * A watch that delivers no byte — no event and no bookmark — for this long is dropped (and resumed by the
   * Reflector from its last version). Default 45 000: within client-go's HTTP/2 dead-connection bound. A
   * quiet resource on a server that sends bookmarks less often is re-watched at this period (one request,
   * no relist).
   */
  watchIdleTimeoutMs?: number;
}

/** The defaults of {@link RequestTimeouts}. */
export const DEFAULT_REQUEST_TIMEOUTS: Readonly<Required<RequestTimeouts>> = {
  connectTimeoutMs: 10_000,
  responseTimeoutMs: 60_000,
  bodyIdleTimeoutMs: 30_000,
  watchIdleTimeoutMs: 45_000,
};

/** A list body must deliver at least this much per `bodyIdleTimeoutMs` window. */
export const LIST_MIN_BYTES_PER_WINDOW = 1024;

/** TCP keep-alive probes start after this much idle time on a connection. */
export const TCP_KEEPALIVE_MS = 15_000;

/** Which limit a request ran into. */
export type TimeoutPhase = 'connect' | 'response' | 'body' | 'watch-idle';

/** A request ran into one of its timeouts; the request was aborted and its connection closed. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly phase: TimeoutPhase;
  readonly timeoutMs: number;
  constructor(phase: TimeoutPhase, timeoutMs: number, ctx: RequestContext) {
    const what: Record<TimeoutPhase, string> = {
      connect: 'no connection',
      response: 'no response',
      body: 'the response body stalled: under 1 KiB of data',
      'watch-idle': 'the watch went silent: no event or bookmark',
    };
    super(`${describeRequest(ctx)}: ${what[phase]} within ${timeoutMs} ms`);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** A request failed below HTTP (refused, reset, TLS); `code` is Node's (`ECONNREFUSED`…), `cause` the original. */
export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  readonly code: string | undefined;
  constructor(ctx: RequestContext, cause: unknown) {
    super(`${describeRequest(ctx)}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.code = (cause as { code?: string } | undefined)?.code;
  }
}

/**
 * Keep-alive agents by cluster and TLS material. One per KubeConfig is shared by default
 * ({@link agentsFor}); create your own to isolate a group of informers.
 */
export class ClusterAgents {
  readonly #agents = new Map<string, http.Agent>();

  /** The agent for requests built by `applyToHTTPSOptions` into `opts` (its throwaway agent is replaced). */
  agentFor(server: string, proxyUrl: string | undefined, opts: https.RequestOptions): http.Agent {
    const key = agentKey(server, proxyUrl, opts);
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = proxyUrl ? (opts.agent as http.Agent) : newAgent(server, opts);
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection (open requests fail). */
  destroy(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}

// The pool belongs to the KubeConfig it serves (a WeakMap entry, gone with it), so informers built from the
// same KubeConfig share connections without any global registry.
const pools = new WeakMap<KubeConfig, ClusterAgents>();

/** The agents shared by every KubeListerWatcher of `kubeConfig`. */
export function agentsFor(kubeConfig: KubeConfig): ClusterAgents {
  let pool = pools.get(kubeConfig);
  if (!pool) {
    pool = new ClusterAgents();
    pools.set(kubeConfig, pool);
  }
  return pool;
}

function agentKey(server: string, proxyUrl: string | undefined, o: https.RequestOptions): string {
  const h = createHash('sha256');
  for (const part of [o.ca, o.cert, o.key, o.pfx, o.passphrase]) h.update(String(part ?? '')).update('\0');
  return `${server}|${proxyUrl ?? ''}|${String(o.rejectUnauthorized)}|${o.servername ?? ''}|${h.digest('hex')}`;
}

function newAgent(server: string, o: https.RequestOptions): http.Agent {
  const common = { keepAlive: true, keepAliveMsecs: TCP_KEEPALIVE_MS };
  if (server.startsWith('http:')) return new http.Agent(common);
  return new https.Agent({
    ...common,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    pfx: o.pfx,
    passphrase: o.passphrase,
    servername: o.servername,
    ...(o.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: o.rejectUnauthorized }),
  });
}

/** What {@link sendGet} needs. */
export interface GetRequest {
  readonly kubeConfig: KubeConfig;
  readonly agents: ClusterAgents;
  /** Path and query, e.g. `/api/v1/pods?limit=500`. */
  readonly pathAndQuery: string;
  /** `list` arms the body idle timeout, `watch` the watch idle timeout. */
  readonly kind: 'list' | 'watch';
  readonly context: RequestContext;
  readonly timeouts: Required<RequestTimeouts>;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Close the pool's idle connections first, so this request opens a new one. Default false. */
  readonly freshConnection?: boolean;
}

/**
 * Sends a GET and resolves with the response once its headers arrived; rejects with
 * {@link RequestTimeoutError}, {@link RequestFailedError} or the abort reason. The response body then runs
 * under its idle timeout: it is destroyed with a {@link RequestTimeoutError} when data stops. Redirects are
 * not followed (the bearer token must never reach another host).
 */
export async function sendGet(r: GetRequest): Promise<http.IncomingMessage> {
  const cluster = r.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('KubeConfig has no current cluster');
  const opts: https.RequestOptions = { headers: { Accept: 'application/json' } };
  await r.kubeConfig.applyToHTTPSOptions(opts);
  r.signal?.throwIfAborted();
  const server = cluster.server.replace(/\/+$/, '');
  const agent = r.agents.agentFor(server, cluster.proxyUrl, opts);
  if (r.freshConnection) dropIdleSockets(agent);
  const url = new URL(`${server}${r.pathAndQuery}`);
  const request = url.protocol === 'http:' ? http.request : https.request;
  const req = request(url, { method: 'GET', headers: opts.headers, auth: opts.auth, agent });
  // Abort by hand (not `signal` on the request: its AbortError can surface as an uncaught exception when the
  // abort comes from inside a response's own data handler).
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const onAbort = (): void => {
      req.destroy();
      reject(r.signal?.reason);
    };
    r.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => r.signal?.removeEventListener('abort', onAbort));
    const timers = new RequestTimers(r.clock ?? realClock, r.context, (err) => {
      // A pooled connection that took the request and never answered is dead without knowing it (a NAT or
      // proxy forgot it). Its idle siblings were pooled the same way and are suspect too: close them, so
      // the retry opens a fresh connection instead of waiting out the same timeout on each of them.
      if (req.reusedSocket && err.phase === 'response') dropIdleSockets(agent);
      req.destroy(err);
    });
    timers.arm('response', r.timeouts.responseTimeoutMs);
    req.once('socket', (socket: Socket) => {
      if (req.reusedSocket) return;
      socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
      timers.watchConnect(socket, r.timeouts.connectTimeoutMs);
    });
    req.once('response', (res: http.IncomingMessage) => {
      timers.clear();
      const idle = r.kind === 'list' ? r.timeouts.bodyIdleTimeoutMs : r.timeouts.watchIdleTimeoutMs;
      const [phase, minBytes] =
        r.kind === 'list' ? (['body', LIST_MIN_BYTES_PER_WINDOW] as const) : (['watch-idle', 1] as const);
      watchBody(res, r.clock ?? realClock, idle, minBytes, phase, r.context, () => {
        // A watch that went silent may sit on a path that dropped every connection it carried without a
        // word; the idle ones pooled beside it are suspect in the same way.
        if (phase === 'watch-idle') dropIdleSockets(agent);
      });
      resolve(res);
    });
    // Not `once`: an abort after the response can emit a second error, which must not go unhandled.
    req.on('error', (err) => {
      timers.clear();
      if (err instanceof RequestTimeoutError || r.signal?.aborted) reject(r.signal?.reason ?? err);
      else reject(new RequestFailedError(r.context, err));
    });
    req.end();
  }).catch((err: unknown) => {
    if (r.signal?.aborted) throw r.signal.reason;
    throw err;
  });
}

/** Closes the connections `agent` holds idle for reuse; requests in flight keep theirs. */
function dropIdleSockets(agent: http.Agent): void {
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const socket of sockets ?? []) socket.destroy();
  }
}

/** The connect and response timers of one request. */
class RequestTimers {
  readonly #clock: Clock;
  readonly #ctx: RequestContext;
  readonly #fail: (err: RequestTimeoutError) => void;
  readonly #handles = new Set<TimerHandle>();

  constructor(clock: Clock, ctx: RequestContext, fail: (err: RequestTimeoutError) => void) {
    this.#clock = clock;
    this.#ctx = ctx;
    this.#fail = fail;
  }

  arm(phase: TimeoutPhase, ms: number): TimerHandle | undefined {
    if (!(ms > 0)) return undefined;
    const handle = this.#clock.setTimeout(() => this.#fail(new RequestTimeoutError(phase, ms, this.#ctx)), ms);
    this.#handles.add(handle);
    return handle;
  }

  /** Arms the connect timer until the socket is connected (and, for TLS, the handshake done). */
  watchConnect(socket: Socket, ms: number): void {
    const handle = this.arm('connect', ms);
    if (handle === undefined) return;
    const done = (): void => {
      this.#clock.clearTimeout(handle);
      this.#handles.delete(handle);
    };
    socket.once('encrypted' in socket ? 'secureConnect' : 'connect', done);
  }

  clear(): void {
    for (const h of this.#handles) this.#clock.clearTimeout(h);
    this.#handles.clear();
  }
}

/**
 * Destroys `res` with a {@link RequestTimeoutError} when fewer than `minBytes` arrived within a window of
 * `windowMs`: a list dripping a byte a second is as stuck as a silent one. One timer per window; data only
 * adds to a counter. `onTimeout` runs just before the response is destroyed.
 */
function watchBody(
  res: http.IncomingMessage,
  clock: Clock,
  windowMs: number,
  minBytes: number,
  phase: TimeoutPhase,
  ctx: RequestContext,
  onTimeout: () => void,
): void {
  if (!(windowMs > 0)) return;
  let received = 0;
  let handle: TimerHandle | undefined;
  const check = (): void => {
    handle = undefined;
    if (received < minBytes) {
      onTimeout();
      res.destroy(new RequestTimeoutError(phase, windowMs, ctx));
      return;
    }
    received = 0;
    handle = clock.setTimeout(check, windowMs);
  };
  handle = clock.setTimeout(check, windowMs);
  // Count on the socket, which the HTTP parser already reads: a 'data' listener on `res` would start the
  // body flowing before its consumer is attached.
  const socket = res.socket;
  const count = (chunk: Buffer): void => {
    received += chunk.length;
  };
  socket?.on('data', count);
  res.once('close', () => {
    socket?.removeListener('data', count);
    if (handle !== undefined) clock.clearTimeout(handle);
    handle = undefined;
  });
}
