/**
 * Typed watch events, as the Kubernetes watch protocol sends them: one JSON object per line,
 * `{"type": "ADDED", "object": {...}}`. An `ERROR` event carries a {@link Status} instead of an object.
 */
import type { KubeObject } from './object.js';
import type { Status } from './status.js';

/** The kinds of watch events (`watch.EventType`). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** An event that carries an object: a change, or a bookmark (an object with only `metadata.resourceVersion`). */
export interface WatchObjectEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  readonly object: T;
}

/** An `ERROR` event: the server ended the watch with a `Status` (410 Expired, 500 InternalError, …). */
export interface WatchErrorEvent {
  readonly type: 'ERROR';
  readonly object: Status;
}

/**
 * One watch event. Narrow on `type`: `ERROR` carries a {@link Status}, every other type carries a `T`.
 *
 * @example
 * function describe(event: WatchEvent<KubeObject>): string {
 *   return event.type === 'ERROR' ? `error ${event.object.code}` : `${event.type} ${event.object.metadata?.name}`;
 * }
 */
export type WatchEvent<T = KubeObject> = WatchObjectEvent<T> | WatchErrorEvent;

/** The bookmark annotation that ends the initial events of a watch-list (`sendInitialEvents=true`) stream. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/** Whether `type` is one of the five watch event types. */
export function isWatchEventType(type: unknown): type is WatchEventType {
  return type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' || type === 'BOOKMARK' || type === 'ERROR';
}

/** Whether a bookmark object marks the end of the initial events (annotation `k8s.io/initial-events-end: "true"`). */
export function isInitialEventsEndBookmark(obj: KubeObject): boolean {
  return (obj as KubeObject | null | undefined)?.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === 'true';
}
