/**
 * GET and LIST: served by the Cacher by its resource-version rules (or by storage when the watch cache is
 * off), as JSON — the list body streamed from each object's cached serialization — or as a Table.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { groupVersion } from '../registry/resource-definition.js';
import { drained, sendJSON } from './http-io.js';
import { parseListOptions } from './list-options.js';
import { collectionKey, objectKey, type RequestContext, statusFor } from './request-context.js';
import { includeObjectOf, toTable, wantsTable } from './table.js';

/** GET one object. */
export async function handleGet(ctx: RequestContext): Promise<void> {
  const { store, info } = ctx;
  const key = objectKey(store, info.namespace, info.name);
  const options = { resourceVersion: ctx.query.get('resourceVersion') ?? '' };
  let obj: KubeObject | undefined;
  try {
    obj = await (store.cacher ?? store.storage).get(key, options);
  } catch (err) {
    throw statusFor(ctx, err, 'get');
  }
  if (wantsTable(ctx.req.headers.accept)) {
    const include = includeObjectOf(ctx.query.get('includeObject'));
    const meta = { resourceVersion: obj?.metadata?.resourceVersion ?? '' };
    sendJSON(
      ctx.res,
      200,
      toTable(store.def, obj ? [obj] : [], meta, { include, headers: true, now: ctx.services.now() }),
    );
    return;
  }
  sendJSON(ctx.res, 200, obj);
}

/** LIST a collection. */
export async function handleList(ctx: RequestContext): Promise<void> {
  const { store, info, res } = ctx;
  const options = parseListOptions(ctx.query, store.def.kind, false).storage;
  const key = collectionKey(store, info.namespace);
  const listKind = { kind: `${store.def.kind}List`, apiVersion: groupVersion(store.def) };
  try {
    if (wantsTable(ctx.req.headers.accept)) {
      const list = await (store.cacher ?? store.storage).getList(key, options);
      const include = includeObjectOf(ctx.query.get('includeObject'));
      sendJSON(
        res,
        200,
        toTable(store.def, list.items, list.metadata, { include, headers: true, now: ctx.services.now() }),
      );
      return;
    }
    if (store.cacher) {
      const chunks = await store.cacher.getListChunks(key, options, listKind);
      await writeChunks(ctx, chunks);
      return;
    }
    const list = await store.storage.getList(key, options);
    sendJSON(res, 200, { ...listKind, metadata: list.metadata, items: list.items });
  } catch (err) {
    throw statusFor(ctx, err, 'list', '');
  }
}

async function writeChunks(ctx: RequestContext, chunks: string[]): Promise<void> {
  const { res } = ctx;
  // Chunked transfer (no Content-Length): sizing 100 MB of strings up front costs a pass over them.
  res.writeHead(200, { 'Content-Type': 'application/json' });
  // Write ~1 MiB at a time (few syscalls, no 100 MB string); wait for drain so a slow reader does not pile
  // up memory.
  let start = 0;
  let size = 0;
  for (let i = 0; i < chunks.length; i++) {
    size += (chunks[i] as string).length;
    if (size < 1_048_576 && i < chunks.length - 1) continue;
    const batch = chunks.slice(start, i + 1).join('');
    [start, size] = [i + 1, 0];
    if (i === chunks.length - 1) return void res.end(batch);
    if (!res.write(batch)) await drained(res);
    if (res.destroyed) return;
  }
  res.end();
}
