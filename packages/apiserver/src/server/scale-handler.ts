/**
 * The `/scale` subresource: an `autoscaling/v1 Scale` view of a scalable object (replicas at the
 * resource's spec/status paths, the selector as a string). GET reads it; PUT and PATCH change only the
 * desired replicas.
 */
import { badRequestError, type KubeObject } from '@kubecache/apimachinery';
import type { ScalePaths } from '../registry/resource-definition.js';
import { readBody, sendJSON } from './http-io.js';
import { decodeObject, type Json } from './object-meta.js';
import { patchFunc } from './patch-types.js';
import { objectKey, type RequestContext, statusFor } from './request-context.js';
import { updateObject } from './write-handlers.js';

function getPath(obj: Json, path: string): Json {
  return path
    .split('.')
    .filter(Boolean)
    .reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

function setPath(obj: Json, path: string, value: unknown): void {
  const keys = path.split('.').filter(Boolean);
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[keys[keys.length - 1] as string] = value;
}

function selectorString(sel: Json): string {
  if (typeof sel === 'string') return sel;
  if (!sel || typeof sel !== 'object') return '';
  const parts = Object.entries<string>(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    if (e.operator === 'In') parts.push(`${e.key} in ${values}`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin ${values}`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** The Scale of `obj`. */
export function scaleOf(obj: KubeObject, paths: ScalePaths) {
  const m = obj.metadata ?? {};
  const selector = paths.labelSelectorPath ? selectorString(getPath(obj, paths.labelSelectorPath)) : '';
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: getPath(obj, paths.specReplicasPath) ?? 0 },
    status: { replicas: getPath(obj, paths.statusReplicasPath) ?? 0, ...(selector && { selector }) },
  };
}

/** GET, PUT or PATCH `/scale`. */
export async function handleScale(ctx: RequestContext, paths: ScalePaths): Promise<void> {
  const { store, info, req } = ctx;
  if (info.verb === 'get') {
    try {
      const obj = await store.storage.get(objectKey(store, info.namespace, info.name));
      return sendJSON(ctx.res, 200, scaleOf(obj as KubeObject, paths));
    } catch (err) {
      throw statusFor(ctx, err, 'get');
    }
  }
  const body = await readBody(req, ctx.services.maxBodyBytes);
  const change: (scale: Json) => Json =
    info.verb === 'update'
      ? (() => {
          const incoming = decodeObject(body);
          return () => incoming;
        })()
      : patchFunc({ ...store.def, strategicMerge: true }, req.headers['content-type'], body);
  const result = await updateObject(ctx, '', (current) => {
    const scale = change(scaleOf(current, paths));
    const replicas = scale?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0)
      throw badRequestError('spec.replicas must be a non-negative integer');
    const rv = scale.metadata?.resourceVersion;
    setPath(current, paths.specReplicasPath, replicas);
    if (rv) current.metadata.resourceVersion = rv;
    return current;
  });
  sendJSON(ctx.res, 200, scaleOf(result, paths));
}
