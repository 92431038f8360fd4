/**
 * Routes one HTTP request: health and version, discovery, then resource requests to their handler by verb
 * and subresource. Every failure becomes a Status response; nothing a client sends escapes as an exception.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequestError, failureStatus, notFoundError, StatusError } from '@kubecache/apimachinery';
import type { TokenAuthenticator } from './authn.js';
import { handleDelete, handleDeleteCollection } from './delete-handlers.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { methodNotAllowedError, notAcceptableError, unauthorizedError } from './errors.js';
import { sendError, sendJSON, sendPageNotFound, statusOf } from './http-io.js';
import { openApiGroupVersion, openApiRoot } from './openapi.js';
import { handleGet, handleList } from './read-handlers.js';
import type { RequestContext, ServerServices } from './request-context.js';
import { parseRequestInfo, watchFlag } from './request-info.js';
import { handleScale } from './scale-handler.js';
import { handleWatch, type WatchLimiter } from './watch-handler.js';
import { handleCreate, handlePatch, handleUpdate } from './write-handlers.js';

/** What the router needs besides the handlers' services. */
export interface RouterOptions {
  services: ServerServices;
  watchLimiter: WatchLimiter;
  authenticator?: TokenAuthenticator | undefined;
  /** Whether every resource cache is ready (for /readyz). */
  ready(): boolean;
  /** Where server-side failures are reported. */
  log(line: string): void;
}

const DOT_SEGMENT = /^(\.|%2e){1,2}$/i;
const PUBLIC = new Set(['/healthz', '/livez', '/readyz', '/version']);

function acceptable(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((p) => {
    const t = p.split(';')[0]?.trim() ?? '';
    return t === '' || t === '*/*' || t === 'application/*' || t === 'application/json' || t.endsWith('+json');
  });
}

function plain(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** Builds the request listener. */
export function createRouter(o: RouterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(o, req, res).catch((err: unknown) => {
      const status = statusOf(err);
      if (status.code >= 500) o.log(`apiserver: ${req.method} ${req.url?.split('?')[0]}: ${status.message}`);
      sendError(res, err);
    });
  };
}

async function route(o: RouterOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The path is taken as sent: WHATWG URL parsing would resolve `..` and `%2e%2e` segments, turning a
  // traversal attempt into a request for another resource.
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const url = { searchParams: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
  if (!path.startsWith('/') || path.split('/').some((s) => DOT_SEGMENT.test(s)))
    throw badRequestError(`invalid path: ${JSON.stringify(path.slice(0, 200))}`);
  if (!PUBLIC.has(path) && o.authenticator && !o.authenticator.authenticate(req)) throw unauthorizedError();
  if (path === '/healthz' || path === '/livez') return plain(res, 200, 'ok');
  if (path === '/readyz') return o.ready() ? plain(res, 200, 'ok') : plain(res, 500, 'caches not ready');
  if (path === '/version') return sendJSON(res, 200, versionInfo());
  const registry = o.services.registry;
  if (path.startsWith('/openapi/')) return serveOpenApi(res, registry, path);
  if (!acceptable(req.headers.accept)) throw notAcceptableError(req.headers.accept ?? '');
  if (path === '/api' || path === '/api/')
    return sendJSON(res, 200, apiVersions(`${req.socket.localAddress}:${req.socket.localPort}`));
  if (path === '/apis' || path === '/apis/') return sendJSON(res, 200, apiGroupList(registry));
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) {
    const list = apiResourceList(registry, '', parts[1] as string);
    return list ? sendJSON(res, 200, list) : sendPageNotFound(res);
  }
  if (parts[0] === 'apis' && (parts.length === 2 || parts.length === 3)) {
    if (!registry.hasGroup(parts[1] as string)) return sendPageNotFound(res);
    const doc =
      parts.length === 2
        ? apiGroup(registry, parts[1] as string)
        : apiResourceList(registry, parts[1] as string, parts[2] as string);
    return doc ? sendJSON(res, 200, doc) : sendPageNotFound(res);
  }
  const info = parseRequestInfo(req.method ?? 'GET', path, watchFlag(url.searchParams.get('watch')));
  if (!info || !(info.group === '' ? info.version === 'v1' : registry.hasGroup(info.group)))
    return sendPageNotFound(res);
  const store = registry.lookup(info.group, info.version, info.resource);
  if (!store)
    throw new StatusError(
      failureStatus(404, 'NotFound', 'the server could not find the requested resource', { kind: info.resource }),
    );
  if (!store.def.namespaced && info.namespace) throw notFoundError(info.group, info.resource, info.name);
  const injected = o.services.faults.check();
  if (injected) throw injected;
  const ctx: RequestContext = { store, info, query: url.searchParams, req, res, services: o.services };
  await dispatch(o, ctx);
}

function serveOpenApi(res: ServerResponse, registry: RouterOptions['services']['registry'], path: string): void {
  const m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  const root = path === '/openapi/v3' || path === '/openapi/v3/';
  const doc = root
    ? openApiRoot(registry)
    : m
      ? openApiGroupVersion(registry, m[2] ?? '', (m[1] ?? m[3]) as string)
      : undefined;
  if (doc) sendJSON(res, 200, doc);
  else sendPageNotFound(res);
}

async function dispatch(o: RouterOptions, ctx: RequestContext): Promise<void> {
  const { info, store, req } = ctx;
  if (info.verb === undefined) throw methodNotAllowedError(req.method ?? '', info.resource);
  if (info.subresource) {
    const sub = info.subresource;
    const known = (sub === 'status' && store.def.status) || (sub === 'scale' && store.def.scale);
    if (!known)
      throw new StatusError(
        failureStatus(404, 'NotFound', 'the server could not find the requested resource', {
          kind: `${info.resource}/${sub}`,
        }),
      );
    if (!['get', 'update', 'patch'].includes(info.verb))
      throw methodNotAllowedError(req.method ?? '', `${info.resource}/${sub}`);
    if (sub === 'scale' && store.def.scale) return handleScale(ctx, store.def.scale);
  }
  switch (info.verb) {
    case 'get':
      return handleGet(ctx);
    case 'list':
      return handleList(ctx);
    case 'watch': {
      const release = o.watchLimiter.acquire(req.socket.remoteAddress ?? '');
      return handleWatch(ctx, release);
    }
    case 'create':
      return handleCreate(ctx);
    case 'update':
      return handleUpdate(ctx);
    case 'patch':
      return handlePatch(ctx);
    case 'delete':
      return handleDelete(ctx);
    case 'deletecollection':
      return handleDeleteCollection(ctx);
  }
}
