/**
 * Events inside the Cacher, and the serialize-once wrapper shared by all watchers (the apiserver's
 * `watchCacheEvent` and `cachingObject`).
 */

import type { KubeObject, Status, WatchErrorEvent, WatchObjectEvent } from '@kubecache/apimachinery';
import { deepFreeze } from '@kubecache/apimachinery';
import type { ObjectAttrs } from '@kubecache/storage';
import { withResourceVersion } from '@kubecache/storage';

/** Serializes one outgoing watch event to its wire line (JSON + "\n"). */
export type EventEncoder = (event: { type: string; object: unknown }) => string;

/** The default encoder: one compact JSON object per line, as the apiserver writes watch streams. */
export const jsonLineEncoder: EventEncoder = (event) =>
  `${JSON.stringify({ type: event.type, object: event.object })}\n`;

/** An outgoing watch event whose wire bytes are computed once, on first use, and shared. */
export type CacheWatchEvent<T> = (WatchObjectEvent<T> | WatchErrorEvent) & {
  /** The event as one wire line (JSON + "\n"), serialized at most once. */
  line(): string;
};

/** The one class behind {@link CacheWatchEvent}. */
export class SerializedEvent<O> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: O;
  readonly #encoder: EventEncoder;
  #line: string | undefined;

  constructor(type: SerializedEvent<O>['type'], object: O, encoder: EventEncoder) {
    this.type = type;
    this.object = object;
    this.#encoder = encoder;
  }

  line(): string {
    this.#line ??= this.#encoder({ type: this.type, object: this.object });
    return this.#line;
  }
}

/** An outgoing object event. */
export function objectEvent<T>(
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK',
  object: T,
  encoder: EventEncoder,
): CacheWatchEvent<T> {
  return new SerializedEvent(type, object, encoder) as unknown as CacheWatchEvent<T>;
}

/** An outgoing ERROR event carrying `status`. */
export function errorEvent<T>(status: Status, encoder: EventEncoder): CacheWatchEvent<T> {
  return new SerializedEvent('ERROR', status, encoder) as unknown as CacheWatchEvent<T>;
}

/**
 * One change in the watch cache: the object with its precomputed attributes, the previous state, the key
 * and the resource version. Outgoing events are created lazily, once per type, so every watcher that gets
 * the same conversion shares one object and one serialization.
 */
export class WatchCacheEvent<T extends KubeObject> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  /** The new state; for DELETED the last state, stamped with the deletion RV. */
  readonly object: T;
  readonly attrs: ObjectAttrs | undefined;
  readonly prevObject: T | undefined;
  readonly prevAttrs: ObjectAttrs | undefined;
  readonly resourceVersion: number;
  /** Clock time the cache received it, in ms (history resizing). */
  readonly recordTime: number;
  #out: Partial<Record<'ADDED' | 'MODIFIED' | 'DELETED', CacheWatchEvent<T>>> = {};

  constructor(init: Omit<WatchCacheEvent<T>, 'outgoing'>) {
    this.type = init.type;
    this.key = init.key;
    this.object = init.object;
    this.attrs = init.attrs;
    this.prevObject = init.prevObject;
    this.prevAttrs = init.prevAttrs;
    this.resourceVersion = init.resourceVersion;
    this.recordTime = init.recordTime;
  }

  /** The shared outgoing event of `type`: DELETED carries the previous state stamped with this RV. */
  outgoing(type: 'ADDED' | 'MODIFIED' | 'DELETED', encoder: EventEncoder): CacheWatchEvent<T> {
    let out = this.#out[type];
    if (out === undefined) {
      out = objectEvent(type, type === 'DELETED' ? this.#deletedObject() : this.object, encoder);
      this.#out[type] = out;
    }
    return out;
  }

  #deletedObject(): T {
    if (this.type === 'DELETED' || this.prevObject === undefined) return this.object;
    return deepFreeze(withResourceVersion(this.prevObject, this.resourceVersion));
  }
}
