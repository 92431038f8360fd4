/**
 * A {@link ListerWatcher} that talks to a Kubernetes API server over HTTP, configured by a client-node
 * `KubeConfig` (authentication, TLS and proxies are client-node's). The requests are our own: connections
 * are kept alive and shared per cluster ({@link ClusterAgents}), a list body is decoded item by item as it
 * arrives ({@link ListStreamDecoder}), and a watch line by line over Buffers ({@link WatchLineDecoder}).
 *
 * Failure mapping (as client-go's REST client and stream watcher):
 * - a non-2xx response becomes a `StatusError` carrying the server's Status (made well-formed; or one built
 *   from the code and body), its message naming the resource and path, `Retry-After` in
 *   `details.retryAfterSeconds`;
 * - a list body that is not a list (malformed, truncated, `null`) is a 500 `StatusError`;
 * - a connection failure rejects/errors with {@link RequestFailedError} (`code` = Node's, e.g. `ECONNREFUSED`);
 * - a timeout rejects/errors with {@link RequestTimeoutError}; a silent watch errors with
 *   {@link WatchIdleTimeoutError} (the Reflector re-watches from its last version);
 * - a watch line over the limit errors with {@link WatchLineTooLongError};
 * - a connection that drops mid-watch completes the watch (the Reflector resumes from its last version);
 * - a malformed line becomes an `ERROR` event with a 500 Status.
 */
import type * as http from 'node:http';
import {
  type Clock,
  failureStatus,
  type KubeObject,
  type ListOptions,
  realClock,
  StatusError,
  type WatchEvent,
} from '@kubecache/apimachinery';
import { type ListerWatcher, type ListResult, WatchInactivityError } from '@kubecache/cache';
import { DEFAULT_SLICE_MS } from '@kubecache/cache/internal';
import type { KubeConfig } from '@kubernetes/client-node';
import { Observable, type Subscriber } from 'rxjs';
import {
  agentsFor,
  type ClusterAgents,
  DEFAULT_REQUEST_TIMEOUTS,
  RequestFailedError,
  RequestTimeoutError,
  type RequestTimeouts,
  sendGet,
} from './http-transport.js';
import { DEFAULT_MAX_LIST_VALUE_BYTES, ListDecodeError, ListStreamDecoder } from './list-stream-decoder.js';
import type { ResourceTarget } from './resource-target.js';
import { DEFAULT_MAX_WATCH_LINE_BYTES, WatchLineDecoder, WatchLineTooLongError } from './watch-line-decoder.js';
import { describeRequest, type RequestContext, responseStatusError } from './wire-status.js';

/** Options of {@link KubeListerWatcher}: the resource to read (selectors are sent unless a call gives its own). */
export interface KubeListerWatcherOptions extends ResourceTarget, RequestTimeouts {
  /** Where to connect and how to authenticate (its current context). */
  kubeConfig: KubeConfig;
  /** Connection pool. Default: the one shared by every KubeListerWatcher of `kubeConfig`. */
  agents?: ClusterAgents;
  /** Longest watch line, in bytes; a longer one drops the watch. Default 128 MiB. */
  maxWatchLineBytes?: number;
  /** Largest single list item (or list metadata), in bytes. Default 128 MiB. */
  maxListItemBytes?: number;
  /** Time source of the timeouts. Default the real clock. */
  clock?: Clock;
}

/** A watch went silent (no event, no bookmark) past its idle timeout: the connection is presumed dead. */
export class WatchIdleTimeoutError extends WatchInactivityError {
  constructor(where: string, cause: RequestTimeoutError) {
    super(where, cause.timeoutMs);
    this.cause = cause;
  }
}

const ERROR_BODY_LIMIT = 64 * 1024;
/** Items handed to a streaming list's sink at a time. */
const BATCH = 256;

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
  readonly #agents: ClusterAgents;
  readonly #timeouts: Required<RequestTimeouts>;
  /**
   * Whether the last list failed. The retry then goes out on a new connection: a failure may come with
   * others the client cannot see (a proxy or NAT that dropped the pooled connections without a word), and a
   * retry that lands on one of those waits out a whole response timeout. A healthy run never pays the
   * handshake this costs.
   */
  #lastListFailed = false;

  constructor(options: KubeListerWatcherOptions) {
    this.#o = options;
    this.#agents = options.agents ?? agentsFor(options.kubeConfig);
    const d = DEFAULT_REQUEST_TIMEOUTS;
    this.#timeouts = {
      connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
      responseTimeoutMs: options.responseTimeoutMs ?? d.responseTimeoutMs,
      bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? d.bodyIdleTimeoutMs,
      watchIdleTimeoutMs: options.watchIdleTimeoutMs ?? d.watchIdleTimeoutMs,
    };
  }

  /** The request path, e.g. `/apis/apps/v1/namespaces/default/deployments`. */
  get path(): string {
    const { group, version, resource, namespace } = this.#o;
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${resource}`;
  }

  /** The resource as client-go prints it: `pods.v1`, `deployments.v1.apps`. */
  get resourceName(): string {
    const { group, version, resource } = this.#o;
    return group ? `${resource}.${version}.${group}` : `${resource}.${version}`;
  }

  async list(options: ListOptions, signal?: AbortSignal): Promise<ListResult<T>> {
    const items: T[] = [];
    const head = await this.listStreaming(
      options,
      (batch) => {
        for (const item of batch) items.push(item);
      },
      signal,
    );
    return { ...head, items };
  }

  /**
   * Lists one page, handing its items to `sink` in small batches as they are decoded (so a consumer can
   * stage them while the rest of the body is still arriving); resolves with the page's `kind`, `apiVersion`
   * and `metadata` once the body ended, with `items` empty. Rejects as {@link list} does.
   */
  async listStreaming(
    options: ListOptions,
    sink: (items: readonly T[]) => void,
    signal?: AbortSignal,
  ): Promise<ListResult<T>> {
    try {
      const result = await this.#listStreaming(options, sink, signal);
      this.#lastListFailed = false;
      return result;
    } catch (err) {
      if (!signal?.aborted) this.#lastListFailed = true;
      throw err;
    }
  }

  async #listStreaming(
    options: ListOptions,
    sink: (items: readonly T[]) => void,
    signal?: AbortSignal,
  ): Promise<ListResult<T>> {
    const ctx = this.#context('list');
    const res = await this.#get(options, 'list', ctx, signal, this.#lastListFailed);
    if (res.statusCode !== 200) throw await errorOf(res, ctx);
    let batch: T[] = [];
    const decoder = new ListStreamDecoder<T>({
      maxValueBytes: this.#o.maxListItemBytes ?? DEFAULT_MAX_LIST_VALUE_BYTES,
      onItem: (item) => {
        batch.push(item);
        if (batch.length >= BATCH) {
          const full = batch;
          batch = [];
          sink(full);
        }
      },
    });
    await new Promise<void>((resolve, reject) => {
      feedInSlices(res, (chunk) => {
        try {
          decoder.write(chunk);
        } catch (err) {
          res.destroy(err as Error);
        }
      });
      res.once('end', resolve);
      res.once('error', reject);
      res.once('close', () =>
        reject(new RequestFailedError(ctx, new Error('the connection closed before the list ended'))),
      );
    }).catch((err: unknown) => {
      throw this.#listFailure(err, ctx, signal);
    });
    let head: ReturnType<ListStreamDecoder['end']>;
    try {
      head = decoder.end();
    } catch (err) {
      throw this.#listFailure(err, ctx, signal);
    }
    if (batch.length > 0) sink(batch);
    return { kind: head.kind, apiVersion: head.apiVersion, metadata: head.metadata, items: [] };
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
    const ctx = this.#context('watch');
    const res = await this.#get(options, 'watch', ctx, signal);
    if (res.statusCode !== 200) throw await errorOf(res, ctx);
    const decoder = new WatchLineDecoder<T>((event) => subscriber.next(event), {
      maxLineBytes: this.#o.maxWatchLineBytes ?? DEFAULT_MAX_WATCH_LINE_BYTES,
      where: describeRequest(ctx),
    });
    feedInSlices(res, (chunk) => {
      try {
        decoder.write(chunk);
      } catch (err) {
        res.destroy(err as Error);
      }
    });
    res.on('end', () => {
      decoder.end();
      subscriber.complete();
    });
    res.on('error', (err: Error) => {
      if (err instanceof RequestTimeoutError) subscriber.error(new WatchIdleTimeoutError(describeRequest(ctx), err));
      else if (err instanceof WatchLineTooLongError) subscriber.error(err);
      // A connection cut mid-stream is a close, not an error: the reflector re-watches from its last version.
      else subscriber.complete();
    });
    res.on('close', () => subscriber.complete());
  }

  #get(options: ListOptions, kind: 'list' | 'watch', ctx: RequestContext, signal?: AbortSignal, fresh = false) {
    return sendGet({
      freshConnection: fresh,
      kubeConfig: this.#o.kubeConfig,
      agents: this.#agents,
      pathAndQuery: `${this.path}?${this.#query(options, kind === 'watch')}`,
      kind,
      context: ctx,
      timeouts: this.#timeouts,
      clock: this.#o.clock ?? realClock,
      signal,
    });
  }

  #context(verb: string): RequestContext {
    return { verb, resource: this.resourceName, path: this.path };
  }

  #listFailure(err: unknown, ctx: RequestContext, signal?: AbortSignal): unknown {
    if (signal?.aborted) return signal.reason;
    if (err instanceof ListDecodeError) {
      const message = `unable to decode the list (${describeRequest(ctx)}): ${err.message}`;
      return new StatusError(failureStatus(500, 'InternalError', message), { cause: err });
    }
    return err;
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

/**
 * Hands `res`'s chunks to `onChunk`, pausing the response for a turn of the event loop whenever decoding has
 * run for a slice (a few ms): one poll of a fast socket can deliver megabytes, which would otherwise be
 * parsed in one block (a 100k-pod list arrives at up to 2 MB per poll, tens of ms of `JSON.parse`).
 */
function feedInSlices(res: http.IncomingMessage, onChunk: (chunk: Buffer) => void): void {
  let sliceEnd = performance.now() + DEFAULT_SLICE_MS;
  const resume = (): void => {
    sliceEnd = performance.now() + DEFAULT_SLICE_MS;
    if (!res.destroyed) res.resume();
  };
  res.on('data', (chunk: Buffer) => {
    onChunk(chunk);
    if (performance.now() < sliceEnd || res.isPaused()) return;
    res.pause();
    setImmediate(resume);
  });
}

/** Reads at most 64 KiB of an error response and turns it into the request's `StatusError`. */
async function errorOf(res: http.IncomingMessage, ctx: RequestContext): Promise<StatusError> {
  const parts: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve) => {
    res.on('data', (chunk: Buffer) => {
      if (size < ERROR_BODY_LIMIT) parts.push(chunk);
      size += chunk.length;
      if (size >= ERROR_BODY_LIMIT) res.destroy();
    });
    res.once('end', resolve);
    res.once('close', resolve);
    res.once('error', () => resolve());
  });
  const body = Buffer.concat(parts).subarray(0, ERROR_BODY_LIMIT).toString('utf8');
  const retryAfter = res.headers['retry-after'];
  return responseStatusError(res.statusCode ?? 500, body, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, ctx);
}
