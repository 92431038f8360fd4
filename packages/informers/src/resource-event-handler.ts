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
 * delete of the old object (keyed with `keyFunc`). A tombstone without an object is passed on (it still names a key).
 */
export function filteringHandler<T>(
  filter: (obj: T) => boolean,
  handler: ResourceEventHandler<T>,
  keyFunc: KeyFunc<T> = deletionHandlingMetaNamespaceKeyFunc,
): ResourceEventHandler<T> {
  return {
    name: handler.name,
    onAdd: (obj, initial) => (filter(obj) ? handler.onAdd?.(obj, initial) : undefined),
    onUpdate: (oldObj, newObj) => {
      const was = filter(oldObj);
      const is = filter(newObj);
      if (was && is) return handler.onUpdate?.(oldObj, newObj);
      if (is) return handler.onAdd?.(newObj, false);
      if (was) return handler.onDelete?.({ kind: 'object', key: keyFunc(oldObj), obj: oldObj });
      return undefined;
    },
    onDelete: (d) => (d.obj === undefined || filter(d.obj) ? handler.onDelete?.(d) : undefined),
  };
}
