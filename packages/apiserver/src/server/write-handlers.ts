/**
 * CREATE, UPDATE and PATCH of an object or its `/status`: decode and check the body, let the server set
 * the fields it owns, then write through storage (optimistic concurrency: a stale resourceVersion is
 * 409 Conflict). An update that removes the last finalizer of a terminating object completes its deletion.
 */
import {
  badRequestError,
  conflictError,
  failureStatus,
  type KubeObject,
  notFoundError,
  StatusError,
} from '@kubecache/apimachinery';
import { forbiddenError, methodNotAllowedError } from './errors.js';
import { readBody, sendJSON } from './http-io.js';
import { checkTypeMeta, decodeObject, type Json, mergeUpdate, stampCreate, validateMeta } from './object-meta.js';
import { patchFunc } from './patch-types.js';
import { objectKey, type RequestContext, statusFor } from './request-context.js';
import { prepareSpecial } from './special-resources.js';

const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

function dryRun(ctx: RequestContext): boolean {
  return ctx.query.getAll('dryRun').length > 0;
}

/** 404 for the namespace, 403 while it terminates. */
export async function checkNamespace(ctx: RequestContext, ns: string): Promise<void> {
  const nsStore = ctx.services.registry.lookup('', 'v1', 'namespaces');
  const obj = (await nsStore?.storage.get(`/namespaces/${ns}`, { ignoreNotFound: true })) as Json;
  if (!obj) throw notFoundError('', 'namespaces', ns);
  if (obj.metadata?.deletionTimestamp || obj.status?.phase === 'Terminating') {
    throw forbiddenError(
      `${ctx.store.def.resource} "${ctx.info.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      {
        reason: 'NamespaceTerminating',
        message: `namespace ${ns} is being terminated`,
        field: 'metadata.namespace',
      },
    );
  }
}

/** POST to a collection. */
export async function handleCreate(ctx: RequestContext): Promise<void> {
  const { store, info } = ctx;
  if (info.subresource) throw methodNotAllowedError('POST', `${store.def.resource}/${info.subresource}`);
  const obj = decodeObject(await readBody(ctx.req, ctx.services.maxBodyBytes));
  checkTypeMeta(store.def, obj);
  const m = obj.metadata;
  if (store.def.namespaced) {
    if (!info.namespace)
      throw new StatusError(failureStatus(404, 'NotFound', 'the server could not find the requested resource'));
    if (m.namespace && m.namespace !== info.namespace) {
      throw badRequestError('the namespace of the provided object does not match the namespace sent on the request');
    }
    m.namespace = info.namespace;
  } else delete m.namespace;
  stampCreate(obj, ctx.services.now());
  validateMeta(store.def, obj);
  prepareSpecial(store.def, obj, undefined);
  if (store.def.namespaced) await checkNamespace(ctx, info.namespace);
  if (dryRun(ctx)) return sendJSON(ctx.res, 201, obj);
  let created: KubeObject;
  try {
    created = await store.storage.create(objectKey(store, info.namespace, m.name), obj);
  } catch (err) {
    throw statusFor(ctx, err, 'create', m.name);
  }
  if (store.def.crd === undefined && store.def.resource === 'customresourcedefinitions') {
    await ctx.services.onCustomResourceDefinition(created, false);
  }
  sendJSON(ctx.res, 201, created);
}

/**
 * Read-modify-write of the object a request names: `change` computes the new object from a copy of the
 * current one; server fields are then restored and `adjust` may set them (delete sets deletionTimestamp).
 * Resolves to the stored result.
 */
export async function updateObject(
  ctx: RequestContext,
  subresource: string,
  change: (current: Json) => Json,
  adjust?: (next: Json, current: Json) => void,
): Promise<KubeObject> {
  const { store, info } = ctx;
  const key = objectKey(store, info.namespace, info.name);
  const { group, resource } = store.def;
  let result: KubeObject;
  let dry: KubeObject | undefined;
  try {
    result = await store.storage.guaranteedUpdate(key, {
      tryUpdate: (current) => {
        if (!current) throw notFoundError(group, resource, info.name);
        const incoming = change(structuredClone(current));
        const rv = incoming?.metadata?.resourceVersion;
        if (rv && rv !== current.metadata?.resourceVersion) throw conflictError(group, resource, info.name, MODIFIED);
        const next = mergeUpdate(store.def, current, incoming, subresource);
        adjust?.(next, current);
        validateMeta(store.def, next);
        checkFinalizers(ctx, current, next);
        prepareSpecial(store.def, next, current);
        if (dryRun(ctx)) {
          dry = next;
          throw new DryRun();
        }
        return next;
      },
    });
  } catch (err) {
    if (err instanceof DryRun && dry) return dry;
    throw statusFor(ctx, err, 'update');
  }
  return finishIfReleased(ctx, result);
}

class DryRun extends Error {
  override readonly name = 'DryRun';
}

function checkFinalizers(ctx: RequestContext, current: Json, next: Json): void {
  if (!current.metadata?.deletionTimestamp) return;
  const before = new Set<string>(current.metadata.finalizers ?? []);
  if ((next.metadata.finalizers ?? []).some((f: string) => !before.has(f))) {
    throw new StatusError(
      failureStatus(
        422,
        'Invalid',
        `${ctx.store.def.kind} "${ctx.info.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted`,
        {
          name: ctx.info.name,
          group: ctx.store.def.group,
          kind: ctx.store.def.kind,
          causes: [
            {
              reason: 'FieldValueForbidden',
              message: 'Forbidden: no new finalizers can be added if the object is being deleted',
              field: 'metadata.finalizers',
            },
          ],
        },
      ),
    );
  }
}

/** Deletes a terminating object whose finalizers are all gone; returns its final state. */
export async function finishIfReleased(ctx: RequestContext, obj: KubeObject): Promise<KubeObject> {
  const m = obj.metadata;
  if (!m?.deletionTimestamp || (m.finalizers?.length ?? 0) > 0) return obj;
  const { store, info } = ctx;
  if (store.def.resource === 'namespaces' && !store.def.crd) await ctx.services.onNamespaceDeleted(info.name);
  try {
    const gone = await store.storage.delete(objectKey(store, info.namespace, info.name), {
      preconditions: { uid: m.uid as string },
    });
    if (store.def.resource === 'customresourcedefinitions' && !store.def.crd)
      await ctx.services.onCustomResourceDefinition(gone, true);
    return gone;
  } catch (err) {
    throw statusFor(ctx, err, 'delete');
  }
}

/** PUT an object or its `/status`. */
export async function handleUpdate(ctx: RequestContext): Promise<void> {
  const { store, info } = ctx;
  const incoming = decodeObject(await readBody(ctx.req, ctx.services.maxBodyBytes));
  checkTypeMeta(store.def, incoming);
  const m = incoming.metadata;
  if (m.name && m.name !== info.name) {
    throw badRequestError(`the name of the object (${m.name}) does not match the name on the URL (${info.name})`);
  }
  if (store.def.namespaced && m.namespace && m.namespace !== info.namespace) {
    throw badRequestError('the namespace of the provided object does not match the namespace sent on the request');
  }
  const result = await updateObject(ctx, info.subresource, () => incoming);
  sendJSON(ctx.res, 200, await postWrite(ctx, result));
}

/** PATCH an object or its `/status`. */
export async function handlePatch(ctx: RequestContext): Promise<void> {
  const { store, info } = ctx;
  const apply = patchFunc(
    store.def,
    ctx.req.headers['content-type'],
    await readBody(ctx.req, ctx.services.maxBodyBytes),
  );
  const result = await updateObject(ctx, info.subresource, (current) => {
    const patched = apply(current);
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
      throw badRequestError('the patched object must be a JSON object');
    }
    checkTypeMeta(store.def, patched);
    if (patched.metadata.name !== current.metadata.name)
      throw badRequestError('the name of the object cannot be changed by a patch');
    return patched;
  });
  sendJSON(ctx.res, 200, await postWrite(ctx, result));
}

async function postWrite(ctx: RequestContext, result: KubeObject): Promise<KubeObject> {
  const m = result.metadata;
  const gone = m?.deletionTimestamp !== undefined && (m.finalizers?.length ?? 0) === 0;
  if (ctx.store.def.resource === 'customresourcedefinitions' && !ctx.store.def.crd && !dryRun(ctx) && !gone) {
    await ctx.services.onCustomResourceDefinition(result, false);
  }
  return result;
}
