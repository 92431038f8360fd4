/**
 * WATCH: a chunked `application/json` stream of one `{"type","object"}` line per event, headers flushed at
 * once; ERROR events carry a Status and end the stream; `timeoutSeconds` (default: a random length in
 * [minRequestTimeout, 2 × minRequestTimeout)) ends it normally. From the Cacher, lines are the shared
 * serialization and a client that does not read is cut off by the Cacher's time budget.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '@kubecache/apimachinery';
import { tooManyRequestsError } from '@kubecache/apimachinery';
import type { Subscription } from 'rxjs';
import { drained } from './http-io.js';
import { parseListOptions } from './list-options.js';
import { collectionKey, type RequestContext, statusFor } from './request-context.js';
import { includeObjectOf, toTable, wantsTable } from './table.js';

/** Counts open watches per client and refuses past a cap. */
export class WatchLimiter {
  readonly #max: number;
  readonly #open = new Map<string, number>();

  /** `max`: concurrent watches per client address. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a slot for `client`; throws 429 when it has `max` already. Returns the release function. */
  acquire(client: string): () => void {
    const n = this.#open.get(client) ?? 0;
    if (n >= this.#max)
      throw tooManyRequestsError(`too many concurrent watches from this client (limit ${this.#max})`, 1);
    this.#open.set(client, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(client) ?? 1) - 1;
      if (left <= 0) this.#open.delete(client);
      else this.#open.set(client, left);
    };
  }
}

type Line = (event: { type: string; object: unknown; line?: () => string }) => string;

function lineEncoder(ctx: RequestContext): Line {
  if (!wantsTable(ctx.req.headers.accept))
    return (e) => e.line?.() ?? `${JSON.stringify({ type: e.type, object: e.object })}\n`;
  const include = includeObjectOf(ctx.query.get('includeObject'));
  let headers = true;
  return (e) => {
    if (e.type === 'ERROR' || e.type === 'BOOKMARK') return `${JSON.stringify({ type: e.type, object: e.object })}\n`;
    const obj = e.object as KubeObject;
    const table = toTable(
      ctx.store.def,
      [obj],
      { resourceVersion: obj.metadata?.resourceVersion ?? '' },
      { include, headers, now: ctx.services.now() },
    );
    headers = false;
    return `${JSON.stringify({ type: e.type, object: table })}\n`;
  };
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
}

/** Serves a watch; `release` is called once the stream is over. */
export async function handleWatch(ctx: RequestContext, release: () => void): Promise<void> {
  try {
    const { store, info } = ctx;
    const parsed = parseListOptions(ctx.query, store.def.kind, true, info.name);
    const min = ctx.services.minRequestTimeoutMs / 1000;
    const timeoutSeconds = parsed.timeoutSeconds || Math.floor(min * (1 + Math.random()));
    const key = collectionKey(store, info.namespace);
    const options = { ...parsed.storage, timeoutSeconds };
    if (store.cacher) await watchCacher(ctx, key, options);
    else await watchStorage(ctx, key, options);
  } finally {
    release();
  }
}

async function watchCacher(
  ctx: RequestContext,
  key: string,
  options: Parameters<NonNullable<RequestContext['store']['cacher']>['watch']>[1],
) {
  const { res } = ctx;
  let watcher: Awaited<ReturnType<NonNullable<RequestContext['store']['cacher']>['watch']>>;
  try {
    watcher = await (ctx.store.cacher as NonNullable<RequestContext['store']['cacher']>).watch(key, options);
  } catch (err) {
    throw statusFor(ctx, err, 'watch', '');
  }
  if (res.destroyed) return void watcher.stop();
  const encode = lineEncoder(ctx);
  startStream(res);
  const stop = () => watcher.stop();
  res.on('close', stop);
  const fault = ctx.services.faults.track(res);
  try {
    for await (const event of watcher) {
      if (res.destroyed) break;
      if (fault.silent()) continue;
      if (!res.write(encode(event))) await drained(res);
    }
  } finally {
    fault.done();
    res.off('close', stop);
    watcher.stop();
    if (!res.destroyed && !fault.silent()) res.end();
  }
}

async function watchStorage(
  ctx: RequestContext,
  key: string,
  options: Parameters<RequestContext['store']['storage']['watch']>[1] & { timeoutSeconds: number },
) {
  const { res } = ctx;
  const encode = lineEncoder(ctx);
  startStream(res);
  const fault = ctx.services.faults.track(res);
  await new Promise<void>((resolve) => {
    let done = false;
    let sub: Subscription | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sub?.unsubscribe();
      fault.done();
      if (!res.destroyed && !fault.silent()) res.end();
      resolve();
    };
    const timer = setTimeout(finish, options.timeoutSeconds * 1000);
    sub = ctx.store.storage.watch(key, options).subscribe({
      next: (e) => {
        if (!res.destroyed && !fault.silent()) res.write(encode(e));
      },
      error: (err) => {
        if (!res.destroyed) res.write(encode({ type: 'ERROR', object: statusFor(ctx, err, 'watch', '').status }));
        finish();
      },
      complete: finish,
    });
    if (done) sub.unsubscribe();
    res.on('close', finish);
  });
}
