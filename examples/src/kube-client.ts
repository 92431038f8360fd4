/**
 * The examples' writer: a small JSON client over the Kubernetes REST protocol. Authentication, TLS and the
 * server address come from a client-node `KubeConfig` (`applyToHTTPSOptions`), so it talks to the embedded
 * server and to a real cluster the same way. Objects go out as the JSON the informers hand in (`Wire`
 * form: timestamps are strings), which client-node's typed APIs would try to re-serialize as `Date`s.
 */
import http from 'node:http';
import https from 'node:https';
import { isStatus, type KubeObject, type Status, StatusError } from '@kubecache/apimachinery';
import type { KubeConfig } from '@kubernetes/client-node';

/** Where a resource lives: `group` `''` is the core API. */
export interface ResourceRef {
  group?: string;
  version: string;
  resource: string;
  namespace?: string;
}

/** The request could not be sent or answered (connection refused, TLS, a reset): not a Kubernetes Status. */
export class KubeRequestError extends Error {
  override readonly name = 'KubeRequestError';
}

/** Builds `/api/v1/namespaces/ns/pods/name/status`-style paths. */
export function resourcePath(ref: ResourceRef, name?: string, subresource?: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  return `${base}${ns}/${ref.resource}${tail}`;
}

/** Sends JSON requests with a KubeConfig's credentials; non-2xx answers reject with a `StatusError`. */
export class KubeClient {
  readonly #kubeConfig: KubeConfig;
  readonly #agent: http.Agent;

  constructor(kubeConfig: KubeConfig) {
    this.#kubeConfig = kubeConfig;
    const server = kubeConfig.getCurrentCluster()?.server ?? '';
    this.#agent = server.startsWith('https:')
      ? new https.Agent({ keepAlive: true, maxSockets: 8 })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** The API server's URL from the kubeconfig. */
  get server(): string {
    return this.#kubeConfig.getCurrentCluster()?.server ?? '(no current cluster)';
  }

  /** GET `path`. */
  get<T = KubeObject>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  /** POST `obj` to the collection `ref`. */
  create<T extends KubeObject>(ref: ResourceRef, obj: T, signal?: AbortSignal): Promise<T> {
    return this.request<T>('POST', resourcePath(ref), obj, signal);
  }

  /** PUT `obj` (its resourceVersion is the precondition: a stale one is 409 Conflict). */
  replace<T extends KubeObject>(ref: ResourceRef, obj: T, subresource?: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('PUT', resourcePath(ref, obj.metadata?.name ?? '', subresource), obj, signal);
  }

  /** JSON merge patch (RFC 7386) of `name`. */
  mergePatch<T = KubeObject>(ref: ResourceRef, name: string, patch: object, signal?: AbortSignal): Promise<T> {
    return this.request<T>('PATCH', resourcePath(ref, name), patch, signal, 'application/merge-patch+json');
  }

  /** DELETE `name`; resolves (rather than rejecting) when it is already gone. */
  async delete(ref: ResourceRef, name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.request('DELETE', resourcePath(ref, name), undefined, signal);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }

  /** Closes idle connections. */
  close(): void {
    this.#agent.destroy();
  }

  /** One request; the body is JSON, the answer parsed JSON. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    contentType = 'application/json',
  ): Promise<T> {
    const server = (this.#kubeConfig.getCurrentCluster()?.server ?? '').replace(/\/+$/, '');
    if (!server) throw new KubeRequestError('the kubeconfig has no current cluster');
    const opts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.#kubeConfig.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) opts.headers = { ...opts.headers, 'Content-Type': contentType, 'Content-Length': payload.length };
    opts.agent = this.#agent;
    if (signal) opts.signal = signal;
    const url = new URL(server + path);
    const send = url.protocol === 'https:' ? https.request : http.request;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = send(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (err) => reject(new KubeRequestError(`${method} ${url.href}: ${err.message}`, { cause: err })));
      req.end(payload);
    });
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300) return parsed as T;
    const fallback: Status = {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      code: status,
      message: `${method} ${path}: HTTP ${status} ${text.slice(0, 200)}`,
    };
    throw new StatusError(isStatus(parsed) ? parsed : fallback);
  }
}
