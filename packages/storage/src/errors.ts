/**
 * Storage errors (the apiserver's `storage.StorageError`) and their mapping to the Kubernetes `Status`
 * a client sees (`storage/errors/storage.go`), plus the version errors storage and the Cacher raise directly.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import {
  alreadyExistsError,
  conflictError,
  failureStatus,
  internalError,
  notFoundError,
  StatusError,
} from '@kubecache/apimachinery';
import type { Preconditions } from './interfaces.js';

/** Storage error codes; the numbers are the Go constants, which appear in messages. */
export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'ResourceVersionConflicts'
  | 'InvalidObj'
  | 'Unreachable'
  | 'Timeout'
  | 'CorruptObj';

const CODES: Record<StorageErrorCode, [number, string]> = {
  KeyNotFound: [1, 'key not found'],
  KeyExists: [2, 'key exists'],
  ResourceVersionConflicts: [3, 'resource version conflicts'],
  InvalidObj: [4, 'invalid object'],
  Unreachable: [5, 'server unreachable'],
  Timeout: [6, 'request timeout'],
  CorruptObj: [7, 'corrupt object'],
};

/**
 * A failure about a key: missing, taken, changed under us, or a failed precondition. The message has Go's
 * shape, because it ends up verbatim in 409 Conflict messages.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly key: string;
  readonly resourceVersion: number;
  readonly additionalMessage: string;

  constructor(code: StorageErrorCode, key: string, resourceVersion = 0, additionalMessage = '', cause?: unknown) {
    const [n, text] = CODES[code];
    super(
      `StorageError: ${text}, Code: ${n}, Key: ${key}, ResourceVersion: ${resourceVersion}, AdditionalErrorMsg: ${additionalMessage}`,
      { cause },
    );
    this.code = code;
    this.key = key;
    this.resourceVersion = resourceVersion;
    this.additionalMessage = additionalMessage;
  }
}

/** Whether `err` is a {@link StorageError} with `code`. */
export function isStorageError(err: unknown, code: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && err.code === code;
}

/** The operation a storage error came from; it picks the mapping. */
export type StorageOperation = 'get' | 'list' | 'create' | 'update' | 'delete' | 'watch';

/** The resource an error is about, for the Status message and details. */
export interface ErrorTarget {
  /** API group, `''` for core. */
  group: string;
  /** Plural resource, e.g. `pods`. */
  resource: string;
  /** Object name, `''` for collections. */
  name: string;
}

/**
 * Maps any error from storage to a `StatusError` as the apiserver's registry does:
 * NotFound → 404; KeyExists on create → 409 AlreadyExists; Conflict/KeyExists/InvalidObj on update or delete
 * → 409 Conflict "Operation cannot be fulfilled on …"; Unreachable (and Timeout on list) → 500 ServerTimeout
 * with `retryAfterSeconds: 2`; CorruptObj and anything unknown → 500 InternalError. `StatusError`s pass
 * through unchanged.
 */
export function toStatusError(err: unknown, op: StorageOperation, target: ErrorTarget): StatusError {
  if (err instanceof StatusError) return err;
  if (!(err instanceof StorageError)) return internalError(String((err as Error)?.message ?? err), err);
  const { group, resource, name } = target;
  switch (err.code) {
    case 'KeyNotFound':
      return notFoundError(group, resource, name);
    case 'KeyExists':
      if (op === 'create') return alreadyExistsError(group, resource, name);
      return conflictError(group, resource, name, err.message);
    case 'ResourceVersionConflicts':
    case 'InvalidObj':
      if (op === 'update' || op === 'delete') return conflictError(group, resource, name, err.message);
      return internalError(err.message, err);
    case 'Unreachable':
      return serverTimeoutError(group, resource, op, 2);
    case 'Timeout':
      if (op === 'list') return serverTimeoutError(group, resource, op, 2);
      return internalError(err.message, err);
    default:
      return internalError(err.message, err);
  }
}

/** 500 ServerTimeout (`errors.NewServerTimeout`): the operation could not complete; retry later. */
export function serverTimeoutError(group: string, resource: string, op: string, retryAfterSeconds: number) {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError(
    failureStatus(
      500,
      'ServerTimeout',
      `The ${op} operation against ${qualified} could not be completed at this time, please try again.`,
      { name: op, kind: qualified, retryAfterSeconds },
    ),
  );
}

/**
 * 504 "Too large resource version" (`storage.NewTooLargeResourceVersionError`): the request names a version
 * the storage or cache has not reached. `retryAfterSeconds` 0 leaves it out (storage); the Cacher uses 1.
 */
export function tooLargeResourceVersionError(requested: number, current: number, retryAfterSeconds: number) {
  const details: { causes: { reason: string; message: string }[]; retryAfterSeconds?: number } = {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
  };
  if (retryAfterSeconds > 0) details.retryAfterSeconds = retryAfterSeconds;
  return new StatusError(
    failureStatus(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, details),
  );
}

/** Whether `err` is the 504 whose cause is ResourceVersionTooLarge. */
export function isTooLargeResourceVersion(err: unknown): boolean {
  return (
    err instanceof StatusError &&
    err.code === 504 &&
    err.reason === 'Timeout' &&
    (err.status.details?.causes ?? []).some((c) => c.reason === 'ResourceVersionTooLarge')
  );
}

/** 410 message for a list at a compacted revision (etcd3 store). */
export const LIST_TOO_OLD_MESSAGE = 'The resourceVersion for the provided list is too old.';
/** 410 message for a watch from a compacted revision (etcd3 watcher). */
export const WATCH_TOO_OLD_MESSAGE = 'The resourceVersion for the provided watch is too old.';
/** 410 message for a continue token whose revision was compacted; the Status carries a fresh token. */
export const CONTINUE_TOO_OLD_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of ' +
  'the results. Continuing with the provided token results in an inconsistent list - objects that were ' +
  'created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** 410 Expired for a compacted continue token, carrying `metadata.continue` = the token to resume with. */
export function continueExpiredError(newToken: string): StatusError {
  const status = failureStatus(410, 'Expired', CONTINUE_TOO_OLD_MESSAGE);
  status.metadata = { continue: newToken };
  return new StatusError(status);
}

/** 422 Invalid for an object without a name, as the registry's validation reports it. */
export function nameRequiredError(kind: string): StatusError {
  return new StatusError(
    failureStatus(
      422,
      'Invalid',
      `${kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
      {
        kind,
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ],
      },
    ),
  );
}

/** Fails with InvalidObj when `obj` does not match the delete/update preconditions (uid, resourceVersion). */
export function checkPreconditions(key: string, pre: Preconditions | undefined, obj: KubeObject): void {
  if (!pre) return;
  const meta = obj.metadata ?? {};
  if (pre.uid !== undefined && pre.uid !== meta.uid) {
    const msg = `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`;
    throw new StorageError('InvalidObj', key, 0, msg);
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    const msg = `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`;
    throw new StorageError('InvalidObj', key, 0, msg);
  }
}
