/**
 * Types that say what a cached object really is. Objects from a ListerWatcher are parsed JSON (timestamps are
 * strings, not `Date`s) and stores freeze them (they are read-only all the way down). `Wire<T>` maps a
 * client-node model to its JSON form; `Immutable<T>` makes it deep read-only; `produce` derives a changed copy.
 */
import { type Draft, produce as immerProduce } from 'immer';

/** Leaf types kept as they are by {@link Wire} and {@link Immutable}. */
type Primitive = string | number | boolean | bigint | symbol | undefined | null;

/**
 * The JSON form of a model type: `Date` becomes `string` (RFC 3339, as the API serves it), recursively.
 * Use it to type informers and listers with client-node's models: `informerFor<Wire<V1Pod>>(…)`.
 *
 * @example
 * const pod: Wire<V1Pod> = JSON.parse(body);
 * Date.parse(pod.metadata?.creationTimestamp ?? '');
 */
export type Wire<T> = T extends Date
  ? string
  : T extends Primitive
    ? T
    : T extends (...args: never[]) => unknown
      ? T
      : T extends readonly (infer E)[]
        ? Wire<E>[]
        : { [K in keyof T]: Wire<T[K]> };

/**
 * Deep read-only: what a store hands out (objects are frozen unless freezing is turned off). Derive a
 * modified copy with {@link produce}.
 */
export type Immutable<T> = unknown extends T
  ? T
  : T extends Primitive
    ? T
    : T extends (...args: never[]) => unknown
      ? T
      : T extends ReadonlyMap<infer K, infer V>
        ? ReadonlyMap<Immutable<K>, Immutable<V>>
        : T extends ReadonlySet<infer V>
          ? ReadonlySet<Immutable<V>>
          : T extends readonly (infer E)[]
            ? readonly Immutable<E>[]
            : { readonly [K in keyof T]: Immutable<T[K]> };

/**
 * immer's `produce` for cached objects: `recipe` edits a mutable draft of `base`; the result is a new frozen
 * object sharing the unchanged parts with `base` (or `base` itself when nothing changed). `base` is never
 * modified.
 *
 * @example
 * const next = produce(pod, (d) => {
 *   d.metadata!.labels = { ...d.metadata!.labels, zone: 'a' };
 * });
 */
export function produce<T>(base: Immutable<T>, recipe: (draft: Draft<T>) => void): Immutable<T> {
  return immerProduce(base as T, recipe) as Immutable<T>;
}
