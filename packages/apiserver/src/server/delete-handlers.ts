/**
 * DELETE of one object and of a collection. Preconditions (uid, resourceVersion) give 409; an object with
 * finalizers only gets its deletionTimestamp and stays until they are removed; a namespace takes what it
 * holds with it. There is no garbage collector, so `propagationPolicy` adds no finalizer and owners'
 * dependents are left alone.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { badRequestError, conflictError } from '@kubecache/apimachinery';
import type { Preconditions } from '@kubecache/storage';
import { groupVersion } from '../registry/resource-definition.js';
import { methodNotAllowedError } from './errors.js';
import { readBody, sendJSON } from './http-io.js';
import { parseListOptions } from './list-options.js';
import { type Json, timestamp } from './object-meta.js';
import { collectionKey, objectKey, type RequestContext, statusFor } from './request-context.js';
import { updateObject } from './write-handlers.js';

interface DeleteOptions {
  preconditions?: Preconditions;
  dryRun: boolean;
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req, ctx.services.maxBodyBytes);
  let o: Json = {};
  if (body.length > 0) {
    try {
      o = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw badRequestError(`error decoding DeleteOptions: ${(err as Error).message}`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw badRequestError('DeleteOptions must be a JSON object');
  }
  const pre = o.preconditions ?? {};
  const preconditions: Preconditions = {
    ...(typeof pre.uid === 'string' && { uid: pre.uid }),
    ...(typeof pre.resourceVersion === 'string' && { resourceVersion: pre.resourceVersion }),
  };
  return {
    ...(Object.keys(preconditions).length > 0 && { preconditions }),
    dryRun: (Array.isArray(o.dryRun) && o.dryRun.length > 0) || ctx.query.getAll('dryRun').length > 0,
  };
}

function successStatus(ctx: RequestContext, obj: KubeObject) {
  const { group, resource } = ctx.store.def;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: obj.metadata?.name, group, kind: resource, uid: obj.metadata?.uid },
  };
}

/** Deletes the object `ctx` names (or starts its graceful deletion); returns what the response carries. */
async function deleteOne(ctx: RequestContext, options: DeleteOptions): Promise<{ obj: KubeObject; final: boolean }> {
  const { store, info } = ctx;
  const key = objectKey(store, info.namespace, info.name);
  let current: Json;
  try {
    current = await store.storage.get(key);
  } catch (err) {
    throw statusFor(ctx, err, 'delete');
  }
  const finalizers: string[] = current.metadata?.finalizers ?? [];
  if (finalizers.length > 0) {
    const obj = await updateObject(
      ctx,
      '',
      (o) => {
        if (options.preconditions?.uid && options.preconditions.uid !== o.metadata.uid)
          throw preconditionFailed(ctx, 'UID', options.preconditions.uid, o.metadata.uid);
        if (
          options.preconditions?.resourceVersion &&
          options.preconditions.resourceVersion !== o.metadata.resourceVersion
        ) {
          throw preconditionFailed(
            ctx,
            'ResourceVersion',
            options.preconditions.resourceVersion,
            o.metadata.resourceVersion,
          );
        }
        delete o.metadata.resourceVersion;
        return o;
      },
      (next, cur) => {
        next.metadata.deletionTimestamp ??= cur.metadata.deletionTimestamp ?? timestamp(ctx.services.now());
        next.metadata.deletionGracePeriodSeconds ??= 0;
      },
    );
    return { obj, final: (obj.metadata?.finalizers?.length ?? 0) === 0 };
  }
  if (options.dryRun) return { obj: current, final: true };
  if (store.def.resource === 'namespaces' && !store.def.crd) await ctx.services.onNamespaceDeleted(info.name);
  try {
    const gone = await store.storage.delete(key, {
      ...(options.preconditions && { preconditions: options.preconditions }),
    });
    if (store.def.resource === 'customresourcedefinitions' && !store.def.crd)
      await ctx.services.onCustomResourceDefinition(gone, true);
    return { obj: gone, final: true };
  } catch (err) {
    throw statusFor(ctx, err, 'delete');
  }
}

function preconditionFailed(ctx: RequestContext, what: string, wanted: string, actual: unknown) {
  const { group, resource } = ctx.store.def;
  const why = `Precondition failed: ${what} in precondition: ${wanted}, ${what} in object meta: ${actual ?? ''}`;
  return conflictError(group, resource, ctx.info.name, why);
}

/** DELETE one object. */
export async function handleDelete(ctx: RequestContext): Promise<void> {
  if (ctx.info.subresource) throw methodNotAllowedError('DELETE', `${ctx.store.def.resource}/${ctx.info.subresource}`);
  const options = await deleteOptions(ctx);
  const { obj, final } = await deleteOne(ctx, options);
  sendJSON(ctx.res, 200, final && !obj.metadata?.deletionTimestamp ? successStatus(ctx, obj) : obj);
}

/** DELETE a collection: every object the selectors match; responds with the list of what was deleted. */
export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const { store, info } = ctx;
  const options = await deleteOptions(ctx);
  const list = parseListOptions(ctx.query, store.def.kind, false);
  let items: KubeObject[];
  try {
    items = (
      await store.storage.getList(collectionKey(store, info.namespace), { ...list.storage, resourceVersion: '' })
    ).items;
  } catch (err) {
    throw statusFor(ctx, err, 'list', '');
  }
  const deleted: KubeObject[] = [];
  for (const item of items) {
    const m = item.metadata ?? {};
    const one: RequestContext = { ...ctx, info: { ...info, namespace: m.namespace ?? '', name: m.name ?? '' } };
    try {
      deleted.push((await deleteOne(one, options)).obj);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  sendJSON(ctx.res, 200, {
    kind: `${store.def.kind}List`,
    apiVersion: groupVersion(store.def),
    metadata: {},
    items: deleted,
  });
}
