/**
 * The event-handler contract (client-go's `ResourceEventHandler`, `controller.go`), typed: deletes arrive
 * as a discriminated union, so a handler cannot forget the tombstone case (the classic `DeletedFinalStateUnknown`
 * type-assertion crash).
 */
import { DeletedFinalStateUnknown, deletionHandlingMetaNamespaceKeyFunc, type KeyFunc } from '@kubecache/cache';

/**
 * What a delete handler receives:
 * - `{ kind: 'object', key, obj }`: the last state the cache knew, from a watch DELETED event;
 * - `{ kind: 'tombstone', key, obj? }`: the delete was inferred from a relist (the watch missed it); `obj`
 *   is the last known, possibly stale, state, when there was one.
 */
export type DeletedObject<T> =
  | { readonly kind: 'object'; readonly key: string; readonly obj: T }
  | { readonly kind: 'tombstone'; readonly key: string; readonly obj: T | undefined };

/** A handler result: nothing, or a promise the listener waits for before delivering the next event. */
export type HandlerResult = void | Promise<void>;

/**
 * Callbacks for one consumer of an informer. All are optional. Each handler gets its events one at a time,
 * in order, even when it is async; handlers must not mutate the objects (they are frozen).
 *
 * - `onAdd(obj, isInInitialList)`: a new object; `isInInitialList` is true for the objects of the initial
 *   list (and the synthetic adds a late-joining handler receives).
 * - `onUpdate(oldObj, newObj)`: a change, or a resync/relist of an unchanged object (same resource version).
 * - `onDelete(deleted)`: see {@link DeletedObject}.
 *
 * @example
 * informer.addEventHandler({
 *   name: 'pods-controller',
 *   onAdd: (pod) => queue.add(keyOf(pod)),
 *   onDelete: (d) => queue.add(d.key),
 * });
 */
export interface ResourceEventHandler<T> {
  /** Name used in error reports and metrics. Default `handler-<n>`. */
  readonly name?: string;
  onAdd?(obj: T, isInInitialList: boolean): HandlerResult;
  onUpdate?(oldObj: T, newObj: T): HandlerResult;
  onDelete?(deleted: DeletedObject<T>): HandlerResult;
  /** A catch-all alternative: when present it receives every event and the three callbacks are unused. */
  onEvent?(event: InformerEvent<T>): HandlerResult;
}

/**
 * One notification as handlers and `events$` see it. `isSync` marks an update whose resource version did
 * not change (a resync, or a relist of an unchanged object).
 */
export type InformerEvent<T> =
  | { readonly type: 'add'; readonly obj: T; readonly isInInitialList: boolean }
  | { readonly type: 'update'; readonly oldObj: T; readonly newObj: T; readonly isSync: boolean }
  | { readonly type: 'delete'; readonly deleted: DeletedObject<T> };

/** Builds the {@link DeletedObject} for a store object or a `DeletedFinalStateUnknown`. */
export function toDeletedObject<T>(obj: T | DeletedFinalStateUnknown<T>, key: string): DeletedObject<T> {
  if (obj instanceof DeletedFinalStateUnknown) return { kind: 'tombstone', key: obj.key, obj: obj.obj };
  return { kind: 'object', key, obj };
}

/** Calls the handler's callback for `event` and returns what it returned. May throw. */
export function dispatchEvent<T>(handler: ResourceEventHandler<T>, event: InformerEvent<T>): HandlerResult {
  if (handler.onEvent) return handler.onEvent(event);
  switch (event.type) {
    case 'add':
      return handler.onAdd?.(event.obj, event.isInInitialList);
    case 'update':
      return handler.onUpdate?.(event.oldObj, event.newObj);
    case 'delete':
      return handler.onDelete?.(event.deleted);
  }
}

/**
 * client-go's `FilteringResourceEventHandler`: passes on only objects that match `filter`. An update that
 * makes an object match becomes an add (`isInInitialList` false); one that makes it stop matching becomes a
 * delete of the old object (keyed with `keyFunc`). A tombstone without an object is passed on (it still names
 * a key). The wrapped handler may use the three callbacks or `onEvent` (which also sees `isSync`).
 */
export function filteringHandler<T>(
  filter: (obj: T) => boolean,
  handler: ResourceEventHandler<T>,
  keyFunc: KeyFunc<T> = deletionHandlingMetaNamespaceKeyFunc,
): ResourceEventHandler<T> {
  const onEvent = (event: InformerEvent<T>): HandlerResult => {
    const passed = filterEvent(filter, keyFunc, event);
    return passed === undefined ? undefined : dispatchEvent(handler, passed);
  };
  return {
    name: handler.name,
    onEvent,
    onAdd: (obj, isInInitialList) => onEvent({ type: 'add', obj, isInInitialList }),
    onUpdate: (oldObj, newObj) => onEvent({ type: 'update', oldObj, newObj, isSync: sameVersion(oldObj, newObj) }),
    onDelete: (deleted) => onEvent({ type: 'delete', deleted }),
  };
}

/** EH-3: what a filtering handler passes on for `event`, or `undefined` for nothing. */
function filterEvent<T>(
  filter: (obj: T) => boolean,
  keyFunc: KeyFunc<T>,
  event: InformerEvent<T>,
): InformerEvent<T> | undefined {
  switch (event.type) {
    case 'add':
      return filter(event.obj) ? event : undefined;
    case 'delete':
      return event.deleted.obj === undefined || filter(event.deleted.obj) ? event : undefined;
    case 'update': {
      const was = filter(event.oldObj);
      const is = filter(event.newObj);
      if (was && is) return event;
      if (is) return { type: 'add', obj: event.newObj, isInInitialList: false };
      if (was) return { type: 'delete', deleted: { kind: 'object', key: keyFunc(event.oldObj), obj: event.oldObj } };
      return undefined;
    }
  }
}

/** Whether `a` and `b` carry the same resource version (an update that changed nothing: a sync). @internal */
export function sameVersion(a: unknown, b: unknown): boolean {
  const rv = (o: unknown): string | undefined =>
    (o as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  return rv(a) === rv(b);
}
