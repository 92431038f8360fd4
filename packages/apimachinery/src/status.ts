/**
 * Kubernetes `Status` objects and the error that carries one. API failures reach users exactly as the
 * apiserver sends them: code, reason, message and details.
 */

/** `metav1.StatusCause`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `metav1.StatusDetails`. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The reasons kubecache produces or acts on (`metav1.StatusReason`); others pass through as strings. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServerTimeout'
  | 'ServiceUnavailable'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | (string & {});

/** `metav1.Status`, the body of every API error. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** Whether `value` has the shape of a `Status` object. */
export function isStatus(value: unknown): value is Status {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'Status' &&
    typeof (value as { code?: unknown }).code === 'number'
  );
}

/** Builds a failure `Status`; empty `details` are left out, as the apiserver does. */
export function failureStatus(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details && Object.keys(details).length > 0) status.details = details;
  return status;
}

/**
 * An API error: carries the Kubernetes {@link Status}. Thrown by storage, the Cacher and the HTTP clients;
 * `code` and `reason` are what callers branch on.
 */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly status: Status;

  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? `${status.reason ?? 'Failure'} (${status.code})`, options);
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason | undefined {
    return this.status.reason;
  }

  /** Seconds the server asked the client to wait, if any. */
  get retryAfterSeconds(): number | undefined {
    return this.status.details?.retryAfterSeconds;
  }
}

/** Whether `err` is a {@link StatusError} with HTTP code `code`. */
export function isStatusCode(err: unknown, code: number): err is StatusError {
  return err instanceof StatusError && err.code === code;
}

/** 410: the requested resource version is gone (`Expired` or `Gone`); the client must relist. */
export function isResourceExpired(err: unknown): boolean {
  return isStatusCode(err, 410);
}

/** 404 NotFound for `resource` (`group` may be empty) named `name`. */
export function notFoundError(group: string, resource: string, name: string): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError(
    failureStatus(404, 'NotFound', `${qualified} "${name}" not found`, { name, group, kind: resource }),
  );
}

/** 409 AlreadyExists. */
export function alreadyExistsError(group: string, resource: string, name: string): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError(
    failureStatus(409, 'AlreadyExists', `${qualified} "${name}" already exists`, { name, group, kind: resource }),
  );
}

/** 409 Conflict, with the apiserver's wording for an optimistic-concurrency failure. */
export function conflictError(group: string, resource: string, name: string, why: string): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError(
    failureStatus(409, 'Conflict', `Operation cannot be fulfilled on ${qualified} "${name}": ${why}`, {
      name,
      group,
      kind: resource,
    }),
  );
}

/** 410 Expired: the resource version was compacted or is older than the cache's window. */
export function expiredError(message: string): StatusError {
  return new StatusError(failureStatus(410, 'Expired', message));
}

/** 400 BadRequest. */
export function badRequestError(message: string): StatusError {
  return new StatusError(failureStatus(400, 'BadRequest', message));
}

/** 500 InternalError. */
export function internalError(message: string, cause?: unknown): StatusError {
  return new StatusError(
    failureStatus(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
    { cause },
  );
}

/** 429 TooManyRequests with `Retry-After` seconds. */
export function tooManyRequestsError(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(failureStatus(429, 'TooManyRequests', message, { retryAfterSeconds }));
}

/** 504 Timeout with `Retry-After` seconds (the Cacher's "too large resource version"). */
export function timeoutError(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(failureStatus(504, 'Timeout', message, { retryAfterSeconds }));
}
