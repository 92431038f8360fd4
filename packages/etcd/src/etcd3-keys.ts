/**
 * Keys in etcd: every storage key lives under one prefix (`/registry` by default), as kube-apiserver's
 * `pathPrefix`. Storage keys are checked by the storage module's `prepareKey` and then joined to the prefix;
 * a key that would land outside the prefix is refused before anything reaches etcd.
 */
import { badRequestError } from '@kubecache/apimachinery';
import { prepareKey } from '@kubecache/storage/internal';

/** Maps storage keys (`/pods/ns/name`) to etcd keys (`/registry/pods/ns/name`) and back. */
export class EtcdKeys {
  /** The prefix without a trailing slash, e.g. `/registry`. */
  readonly prefix: string;

  constructor(prefix: string) {
    const trimmed = prefix.replace(/\/+$/, '');
    if (trimmed !== '' && !trimmed.startsWith('/')) {
      throw new TypeError(`etcd prefix must start with "/" (got "${prefix}")`);
    }
    this.prefix = trimmed;
  }

  /**
   * Validates a storage key and returns it prepared (`recursive` adds the trailing slash). Throws a 400
   * `StatusError` for `.`/`..` segments, empty keys, and keys that do not start with `/` (they would
   * escape the prefix: `/registry` + `pods/x` is `/registrypods/x`).
   */
  prepare(key: string, recursive: boolean): string {
    if (!key.startsWith('/')) {
      throw badRequestError(`invalid key: "${key}" must start with "/" to stay under the prefix "${this.prefix}"`);
    }
    return prepareKey(key, recursive);
  }

  /** The etcd key of a prepared storage key. */
  toEtcd(key: string): Buffer {
    return Buffer.from(this.prefix + key, 'utf8');
  }

  /** The storage key of an etcd key under the prefix. */
  fromEtcd(key: Buffer): string {
    return key.toString('utf8').slice(this.prefix.length);
  }
}

/** The exclusive end of the range of every key starting with `prefix` (etcd's `GetPrefixRangeEnd`). */
export function rangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
