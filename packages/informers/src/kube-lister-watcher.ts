/**
 * A {@link ListerWatcher} that talks to a Kubernetes API server over HTTP, configured by a client-node
 * `KubeConfig` (so authentication, TLS and proxies are client-node's). The requests are our own (Node's
 * `http`/`https`), so the watch stream is decoded line by line as it arrives and each list page is parsed
 * on its own.
 *
 * Failure mapping (as client-go's REST client and stream watcher):
 * - a non-2xx response becomes a `StatusError` carrying the server's Status (or one built from the code),
 *   with `Retry-After` folded into `details.retryAfterSeconds`;
 * - a connection failure before the response rejects/errors with Node's error (`ECONNREFUSED`, …);
 * - a connection that drops mid-stream completes the watch (the Reflector resumes from its last version);
 * - a malformed line becomes an `ERROR` event with a 500 Status.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import {
  failureStatus,
  isStatus,
  type KubeObject,
  type ListOptions,
  StatusError,
  type StatusReason,
  type WatchEvent,
} from '@kubecache/apimachinery';
import type { ListerWatcher, ListResult } from '@kubecache/cache';
import type { KubeConfig } from '@kubernetes/client-node';
import { Observable, type Subscriber } from 'rxjs';
import type { ResourceTarget } from './resource-target.js';
import { WatchLineDecoder } from './watch-line-decoder.js';

/** Options of {@link KubeListerWatcher}: the resource to read (selectors are sent unless a call gives its own). */
export interface KubeListerWatcherOptions extends ResourceTarget {
  /** Where to connect and how to authenticate (its current context). */
  kubeConfig: KubeConfig;
}

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * Lists and watches one resource of a Kubernetes API server.
 *
 * @example
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const pods = new KubeListerWatcher<Pod>({ kubeConfig: kc, version: 'v1', resource: 'pods', namespace: 'default' });
 * const reflector = new Reflector({ listerWatcher: pods, store });
 */
export class KubeListerWatcher<T extends KubeObject = KubeObject> implements ListerWatcher<T> {
  readonly #o: KubeListerWatcherOptions;

  constructor(options: KubeListerWatcherOptions) {
    this.#o = options;
  }

  /** The request path, e.g. `/apis/apps/v1/namespaces/default/deployments`. */
  get path(): string {
    const { group, version, resource, namespace } = this.#o;
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${resource}`;
  }

  async list(options: ListOptions, signal?: AbortSignal): Promise<ListResult<T>> {
    const { req, response } = await this.#send(options, false, signal);
    const res = await response.catch((err: unknown) => {
      req.destroy();
      throw err;
    });
    const body = await readBody(res);
    if (res.statusCode !== 200) throw statusErrorOf(res, body);
    let list: { kind?: string; apiVersion?: string; metadata?: ListResult<T>['metadata']; items?: T[] | null };
    try {
      list = JSON.parse(body);
    } catch (err) {
      throw new StatusError(failureStatus(500, 'InternalError', `unable to decode the list: ${String(err)}`));
    }
    return { kind: list.kind, apiVersion: list.apiVersion, metadata: list.metadata ?? {}, items: list.items ?? [] };
  }

  watch(options: ListOptions): Observable<WatchEvent<T>> {
    return new Observable<WatchEvent<T>>((subscriber) => {
      const abort = new AbortController();
      this.#runWatch(options, subscriber, abort.signal).catch((err: unknown) => {
        if (!abort.signal.aborted) subscriber.error(err);
      });
      return () => abort.abort();
    });
  }

  async #runWatch(options: ListOptions, subscriber: Subscriber<WatchEvent<T>>, signal: AbortSignal): Promise<void> {
    const { req, response } = await this.#send(options, true, signal);
    signal.addEventListener('abort', () => req.destroy(), { once: true });
    const res = await response;
    if (res.statusCode !== 200) throw statusErrorOf(res, await readBody(res));
    const decoder = new WatchLineDecoder<T>((event) => subscriber.next(event));
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => decoder.write(chunk));
    res.on('end', () => {
      decoder.end();
      subscriber.complete();
    });
    // A connection cut mid-stream is a close, not an error: the reflector re-watches from its last version.
    res.on('error', () => subscriber.complete());
    res.on('close', () => subscriber.complete());
  }

  async #send(
    options: ListOptions,
    watch: boolean,
    signal: AbortSignal | undefined,
  ): Promise<{ req: http.ClientRequest; response: Promise<http.IncomingMessage> }> {
    const kc = this.#o.kubeConfig;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('KubeConfig has no current cluster');
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await kc.applyToHTTPSOptions(opts);
    signal?.throwIfAborted();
    const url = new URL(`${cluster.server.replace(/\/+$/, '')}${this.path}?${this.#query(options, watch)}`);
    const request = url.protocol === 'http:' ? http.request : https.request;
    const req = request(url, { ...opts, method: 'GET', signal });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    req.end();
    return { req, response };
  }

  #query(options: ListOptions, watch: boolean): string {
    const q = new URLSearchParams();
    const set = (name: string, value: string | number | boolean | undefined): void => {
      if (value !== undefined && value !== '') q.set(name, String(value));
    };
    if (watch) q.set('watch', 'true');
    set('resourceVersion', options.resourceVersion);
    set('resourceVersionMatch', options.resourceVersionMatch);
    if (options.limit) set('limit', options.limit);
    set('continue', options.continue);
    set('labelSelector', options.labelSelector ?? this.#o.labelSelector);
    set('fieldSelector', options.fieldSelector ?? this.#o.fieldSelector);
    set('timeoutSeconds', options.timeoutSeconds);
    if (options.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
    if (options.sendInitialEvents !== undefined) q.set('sendInitialEvents', String(options.sendInitialEvents));
    return q.toString();
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (chunk: Buffer) => parts.push(chunk));
    res.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      // The listeners outlive this call until the macrotask ends; drop the chunks so a large page is not
      // held twice (as Buffers and as the string) while the caller parses and stores it.
      parts.length = 0;
      resolve(body);
    });
    res.on('error', reject);
  });
}

/** The `StatusError` of a failed response: the server's Status when it sent one, else one built from the code. */
export function statusErrorOf(res: http.IncomingMessage, body: string): StatusError {
  const code = res.statusCode ?? 500;
  let status: unknown;
  try {
    status = JSON.parse(body);
  } catch {
    status = undefined;
  }
  const result = isStatus(status)
    ? status
    : failureStatus(code, REASONS[code] ?? 'Unknown', body.trim().slice(0, 512) || res.statusMessage || `HTTP ${code}`);
  const retryAfter = Number(res.headers['retry-after']);
  if (retryAfter > 0 && !((result.details?.retryAfterSeconds ?? 0) > 0)) {
    result.details = { ...result.details, retryAfterSeconds: retryAfter };
  }
  return new StatusError(result);
}
