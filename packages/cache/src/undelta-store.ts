/**
 * A Store that pushes its whole contents to a callback after every change (client-go's `UndeltaStore`), for
 * consumers that want the full state rather than deltas.
 */
import type { KeyFunc } from './keys.js';
import type { Store } from './store.js';
import { IndexedStore } from './thread-safe-store.js';

/** Options of {@link UndeltaStore}. */
export interface UndeltaStoreOptions<T> {
  /** Receives a snapshot of every stored object after each successful write. Required. */
  push: (items: T[]) => void;
  /** Names objects for the default inner store. Default `deletionHandlingMetaNamespaceKeyFunc`. */
  keyFunc?: KeyFunc<T>;
  /** The store to wrap. Default a new `IndexedStore` with `keyFunc` (deep-freezing). */
  store?: Store<T>;
}

/**
 * Wraps a Store and calls `push(list())` exactly once after each successful `add`, `update`, `delete` and
 * `replace`.
 *
 * Contract: a write that throws (a `KeyError`, an index or transform error) does not push; reads
 * (`list`, `listKeys`, `get`, `getByKey`), `resync` and `bookmark` never push. An error thrown by `push`
 * reaches the writer, after the write took effect. The snapshot is a fresh array the callback may keep.
 *
 * @example
 * const store = new UndeltaStore<Pod>({ push: (pods) => render(pods) });
 * store.add(pod); // render([pod])
 */
export class UndeltaStore<T> implements Store<T> {
  readonly #store: Store<T>;
  readonly #push: (items: T[]) => void;

  constructor(options: UndeltaStoreOptions<T>) {
    this.#push = options.push;
    this.#store = options.store ?? new IndexedStore<T>(options.keyFunc ? { keyFunc: options.keyFunc } : {});
  }

  add(obj: T): void {
    this.#store.add(obj);
    this.#pushAll();
  }

  update(obj: T): void {
    this.#store.update(obj);
    this.#pushAll();
  }

  delete(obj: T): void {
    this.#store.delete(obj);
    this.#pushAll();
  }

  replace(list: readonly T[], resourceVersion: string): void {
    this.#store.replace(list, resourceVersion);
    this.#pushAll();
  }

  /** A no-op for the contents; never pushes. */
  resync(): void {
    this.#store.resync();
  }

  /** Forwards a watch bookmark to the inner store; never pushes. */
  bookmark(resourceVersion: string): void {
    this.#store.bookmark?.(resourceVersion);
  }

  lastStoreSyncResourceVersion(): string {
    return this.#store.lastStoreSyncResourceVersion?.() ?? '';
  }

  list(): T[] {
    return this.#store.list();
  }

  listKeys(): string[] {
    return this.#store.listKeys();
  }

  get(obj: T): T | undefined {
    return this.#store.get(obj);
  }

  getByKey(key: string): T | undefined {
    return this.#store.getByKey(key);
  }

  #pushAll(): void {
    this.#push(this.#store.list());
  }
}
