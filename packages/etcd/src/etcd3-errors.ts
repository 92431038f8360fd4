/**
 * Errors from etcd, mapped to what the storage contract promises: connection failures are `StorageError`
 * Unreachable (500 ServerTimeout at the HTTP layer) with a message that names the endpoints; compaction
 * and future revisions are recognised so the caller can answer 410 or 504; etcd's own size limit is a
 * 413 like the one raised before sending.
 */
import { StorageError } from '@kubecache/storage';
import { ObjectTooLargeError } from './etcd3-codec.js';

/** gRPC status codes that mean "could not talk to a healthy cluster". */
const UNREACHABLE_CODES = new Set([1, 4, 14]); // CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE

/** Whether a Range/Watch error says the revision was compacted. */
export function isCompactedError(err: unknown): boolean {
  return /required revision has been compacted/.test(String((err as Error)?.message ?? ''));
}

/** Whether a Range error says the revision is in the future. */
export function isFutureRevisionError(err: unknown): boolean {
  return /required revision is a future revision/.test(String((err as Error)?.message ?? ''));
}

/** Whether an error is gRPC's own cap on received message size (4 MiB by default in grpc-js). */
export function isMessageTooLargeError(err: unknown): boolean {
  const e = err as { code?: number; message?: string } | undefined;
  return e?.code === 8 || /Received message larger than max|RESOURCE_EXHAUSTED/i.test(String(e?.message ?? ''));
}

/**
 * Maps an error from an etcd call about `key` to the storage contract. `endpoints` goes into the message
 * so a misconfigured `serverList` or TLS setup is obvious.
 */
export function mapEtcdError(err: unknown, key: string, endpoints: readonly string[], maxRequestBytes: number): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  if (err instanceof StorageError || isCompactedError(err) || isFutureRevisionError(err)) return err;
  if (/request is too large/.test(err.message)) return new ObjectTooLargeError(key, -1, maxRequestBytes, err);
  const code = (err as { code?: number }).code;
  const name = err.constructor?.name ?? '';
  if (
    (code !== undefined && UNREACHABLE_CODES.has(code)) ||
    /GRPCUnavailable|GRPCDeadlineExceeded|GRPCCancelled|BrokenCircuit/.test(name) ||
    /no leader|leader changed|timed out|No connection established|connect|ECONNREFUSED|TLS|certificate|handshake/i.test(
      err.message,
    )
  ) {
    return new StorageError('Unreachable', key, 0, `etcd at ${endpoints.join(', ')}: ${err.message}`, err);
  }
  return err;
}
