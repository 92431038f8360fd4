/**
 * Keys: how a store names an object. The format is client-go's: `namespace/name`, or `name` for
 * cluster-scoped objects.
 */
import type { KubeObject } from '@kubecache/apimachinery';

/** Computes an object's store key; throws {@link KeyError} when it cannot. */
export type KeyFunc<T = unknown> = (obj: T) => string;

/**
 * A key-function failure: the object could not be named. `obj` is the offending input, `cause` the
 * underlying reason.
 */
export class KeyError extends Error {
  override readonly name = 'KeyError';
  readonly obj: unknown;
  constructor(message: string, obj: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.obj = obj;
  }
}

/**
 * A key handed to a store in place of an object (client-go's `ExplicitKey`): the key functions return it
 * unchanged. Used to enqueue by key.
 */
export class ExplicitKey {
  constructor(readonly key: string) {}
}

/**
 * A tombstone: an object was deleted while the watch was down, so the last state the cache had may be stale.
 * Handed to delete handlers in place of the object when a relist finds a known key gone.
 */
export class DeletedFinalStateUnknown<T = KubeObject> {
  constructor(
    /** The store key of the deleted object. */
    readonly key: string,
    /** The last state of the object the cache knew; may be stale. */
    readonly obj: T | undefined,
  ) {}
}

/** `{ namespace, name }` of an object; `namespace` is `''` for cluster-scoped objects. */
export interface ObjectName {
  namespace: string;
  name: string;
}

/** `ns/name`, or `name` when the namespace is empty. */
export function objectNameToString(n: ObjectName): string {
  const { namespace, name } = (n ?? {}) as Partial<Record<keyof ObjectName, unknown>>;
  if (typeof name !== 'string' || (namespace !== undefined && typeof namespace !== 'string')) {
    throw new KeyError(`not an object name: ${describe(n)}`, n);
  }
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * The default key function: `namespace/name`, or `name` for cluster-scoped objects; an {@link ExplicitKey}
 * is returned as is. Throws {@link KeyError} for an object without `metadata` or without `metadata.name`.
 *
 * @example
 * metaNamespaceKeyFunc({ metadata: { namespace: 'default', name: 'web' } }); // 'default/web'
 */
export function metaNamespaceKeyFunc(obj: unknown): string {
  if (obj instanceof ExplicitKey) return obj.key;
  if (obj === null || typeof obj !== 'object') {
    throw new KeyError(`object has no meta: ${describe(obj)}`, obj);
  }
  const meta = (obj as KubeObject).metadata;
  if (meta === null || typeof meta !== 'object') {
    throw new KeyError(`object has no meta: ${describe(obj)}`, obj);
  }
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    throw new KeyError(`object has no name: ${describe(obj)}`, obj);
  }
  const ns = meta.namespace;
  if (ns !== undefined && typeof ns !== 'string') {
    throw new KeyError(`object has a non-string namespace: ${describe(obj)}`, obj);
  }
  return ns ? `${ns}/${name}` : name;
}

/**
 * {@link metaNamespaceKeyFunc}, but a {@link DeletedFinalStateUnknown} gives its own key. Every informer
 * store uses this one.
 */
export function deletionHandlingMetaNamespaceKeyFunc(obj: unknown): string {
  if (obj instanceof DeletedFinalStateUnknown) return obj.key;
  return metaNamespaceKeyFunc(obj);
}

/**
 * Runs `keyFunc` on `obj` the way every store does: a {@link KeyError} passes through, any other throw is
 * wrapped in one (`couldn't create key for object: …`, with the cause), and a result that is not a string
 * is a {@link KeyError} too, so a bad key function can never store an object under a bogus key.
 */
export function keyOf<T>(keyFunc: KeyFunc<T>, obj: T): string {
  let key: unknown;
  try {
    key = keyFunc(obj);
  } catch (err) {
    if (err instanceof KeyError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new KeyError(`couldn't create key for object: ${why}`, obj, { cause: err });
  }
  if (typeof key !== 'string') {
    throw new KeyError(`couldn't create key for object: key function returned ${describe(key)}`, obj);
  }
  return key;
}

/**
 * Splits a key into namespace and name: `'a'` → `['', 'a']`, `'a/b'` → `['a', 'b']`, `'/x'` → `['', 'x']`;
 * anything with more than one `/` throws `unexpected key format: "<key>"`.
 */
export function splitMetaNamespaceKey(key: string): [namespace: string, name: string] {
  if (typeof key !== 'string') throw new KeyError(`a key must be a string: ${describe(key)}`, key);
  const first = key.indexOf('/');
  if (first < 0) return ['', key];
  if (key.indexOf('/', first + 1) >= 0) {
    throw new KeyError(`unexpected key format: ${JSON.stringify(key)}`, key);
  }
  return [key.slice(0, first), key.slice(first + 1)];
}

/** Parses a key into an {@link ObjectName} (same rules as {@link splitMetaNamespaceKey}). */
export function parseObjectName(key: string): ObjectName {
  const [namespace, name] = splitMetaNamespaceKey(key);
  return { namespace, name };
}

function describe(obj: unknown): string {
  try {
    const s = JSON.stringify(obj);
    if (s === undefined) return String(obj);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return String(obj);
  }
}
