/**
 * What every resource handler gets: the resource's store, the parsed request, the query, the raw
 * request/response, and the server-wide services (clock, body limit, namespace lookups, CRD hooks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '@kubecache/apimachinery';
import { type ErrorTarget, type StorageOperation, toStatusError } from '@kubecache/storage';
import type { ResourceRegistry, ResourceStore } from '../registry/resource-registry.js';
import type { FaultInjector } from './fault-injector.js';
import type { RequestInfo } from './request-info.js';

/** Server-wide services the handlers use. */
export interface ServerServices {
  readonly registry: ResourceRegistry;
  /** Wall-clock now, in ms. */
  now(): number;
  /** Request body limit, in bytes. */
  readonly maxBodyBytes: number;
  /** Default watch length when the client gives no timeoutSeconds, in ms. */
  readonly minRequestTimeoutMs: number;
  /** Called after a CRD was written or deleted (it changes what is served). */
  onCustomResourceDefinition(crd: KubeObject, deleted: boolean): Promise<void>;
  /** Injected failures (tests). */
  readonly faults: FaultInjector;
  /** Called before a namespace is finally removed: deletes what it holds. */
  onNamespaceDeleted(name: string): Promise<void>;
}

/** One resource request being served. */
export interface RequestContext {
  readonly store: ResourceStore;
  readonly info: RequestInfo;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly services: ServerServices;
}

/** The storage key of object `name` in `namespace` (`/<prefix>/<ns>/<name>` or `/<prefix>/<name>`). */
export function objectKey(store: ResourceStore, namespace: string, name: string): string {
  return store.def.namespaced ? `${store.prefix}/${namespace}/${name}` : `${store.prefix}/${name}`;
}

/** The storage key of the collection a request lists: the namespace's, or the whole resource's. */
export function collectionKey(store: ResourceStore, namespace: string): string {
  return store.def.namespaced && namespace ? `${store.prefix}/${namespace}` : store.prefix;
}

/** Maps a storage failure to the Status the client sees, naming this request's resource. */
export function statusFor(ctx: RequestContext, err: unknown, op: StorageOperation, name = ctx.info.name) {
  const target: ErrorTarget = { group: ctx.store.def.group, resource: ctx.store.def.resource, name };
  return toStatusError(err, op, target);
}
