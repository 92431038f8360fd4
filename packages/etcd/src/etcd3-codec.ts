/**
 * Values in etcd: objects are stored as JSON without `resourceVersion` (the storage module's
 * `encodeForStorage`) and read back frozen, with `metadata.resourceVersion` set to the key's mod_revision.
 * Writes that are not JSON objects, or that etcd would refuse for size, fail here, before any request.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { deepFreeze, failureStatus, StatusError } from '@kubecache/apimachinery';
import { StorageError, withResourceVersion } from '@kubecache/storage';
import { encodeForStorage } from '@kubecache/storage/internal';
import type { IKeyValue } from 'etcd3';

/** Bytes a request may carry beyond its value (key, lease, compare and framing), kept under the limit. */
const REQUEST_OVERHEAD = 1024;

/**
 * 413 RequestEntityTooLarge: the object is larger than etcd accepts in one request (`--max-request-bytes`,
 * 1.5 MiB by default). Nothing was written. Its `name` stays `StatusError` (HTTP layers map it by `code`);
 * test with `instanceof`.
 */
export class ObjectTooLargeError extends StatusError {
  /** The encoded size, in bytes. */
  readonly bytes: number;
  /** The limit it broke, in bytes. */
  readonly limitBytes: number;

  constructor(key: string, bytes: number, limitBytes: number, cause?: unknown) {
    super(
      failureStatus(
        413,
        'RequestEntityTooLarge',
        `Request entity too large: the object at ${key} is ${bytes} bytes encoded; etcd accepts at most ${limitBytes} bytes per request`,
      ),
      { cause },
    );
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * Encodes `obj` for a write under `key`: JSON of a plain object, without resourceVersion. Throws a
 * `StorageError` InvalidObj when it cannot be encoded as a JSON object (BigInt, cycles, not an object),
 * and {@link ObjectTooLargeError} when it would exceed `maxRequestBytes`.
 */
export function encodeValue(key: string, obj: KubeObject, maxRequestBytes: number): Buffer {
  let json: string | undefined;
  try {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new TypeError('not a JSON object');
    json = encodeForStorage(obj);
  } catch (err) {
    throw new StorageError('InvalidObj', key, 0, `cannot encode object as JSON: ${(err as Error).message}`, err);
  }
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.length + key.length + REQUEST_OVERHEAD > maxRequestBytes) {
    throw new ObjectTooLargeError(key, bytes.length, maxRequestBytes);
  }
  return bytes;
}

/** A decoded key-value: the frozen object and what the store needs to compare and retry. */
export interface StoredObject<T> {
  readonly object: T;
  /** The raw stored bytes (compared to skip no-op updates). */
  readonly value: Buffer;
  readonly modRevision: number;
}

/** Decodes a stored value; a value that is not a JSON object is a `StorageError` CorruptObj. */
export function decodeValue<T extends KubeObject>(key: string, kv: IKeyValue): StoredObject<T> {
  const modRevision = Number(kv.mod_revision);
  let parsed: unknown;
  try {
    parsed = JSON.parse(kv.value.toString('utf8'));
  } catch (err) {
    throw new StorageError('CorruptObj', key, modRevision, `stored value is not JSON: ${(err as Error).message}`, err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StorageError('CorruptObj', key, modRevision, 'stored value is not a JSON object');
  }
  const object = deepFreeze(withResourceVersion(parsed as T, modRevision));
  return { object, value: kv.value, modRevision };
}
