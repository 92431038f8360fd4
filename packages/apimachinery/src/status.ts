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

  /**
   * `status` is what a server sent, so it is checked: a Status with a field of the wrong type keeps every
   * usable part (a non-string message is stringified, causes that are not a list of objects are dropped,
   * a code that is not an HTTP status becomes 500); anything that is not an object becomes a 500.
   */
  constructor(status: Status, options?: { cause?: unknown }) {
    const checked = wellFormedStatus(status);
    super(checked.message ?? `${checked.reason ?? 'Failure'} (${checked.code})`, options);
    this.status = checked;
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

/** `status` itself when well formed, else a copy keeping its usable parts (see {@link StatusError}). */
function wellFormedStatus(status: unknown): Status {
  if (typeof status !== 'object' || status === null) {
    return failureStatus(500, 'InternalError', `invalid Status from the server: ${String(status)}`);
  }
  const s = status as Partial<Record<keyof Status, unknown>>;
  const codeOk = typeof s.code === 'number' && Number.isInteger(s.code) && s.code >= 100 && s.code <= 599;
  const details = s.details as Partial<Record<keyof StatusDetails, unknown>> | undefined;
  const detailsOk =
    details === undefined ||
    (typeof details === 'object' &&
      details !== null &&
      (details.causes === undefined ||
        (Array.isArray(details.causes) && details.causes.every((c) => typeof c === 'object' && c !== null))) &&
      (details.retryAfterSeconds === undefined || typeof details.retryAfterSeconds === 'number'));
  const fieldsOk =
    (s.message === undefined || typeof s.message === 'string') &&
    (s.reason === undefined || typeof s.reason === 'string');
  if (codeOk && detailsOk && fieldsOk && s.kind === 'Status') return status as Status;
  const out: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: typeof s.metadata === 'object' && s.metadata !== null ? (s.metadata as Status['metadata']) : {},
    status: s.status === 'Success' ? 'Success' : 'Failure',
    code: codeOk ? (s.code as number) : 500,
  };
  if (s.message !== undefined) out.message = typeof s.message === 'string' ? s.message : safeJSON(s.message);
  if (typeof s.reason === 'string') out.reason = s.reason;
  if (typeof details === 'object' && details !== null) out.details = wellFormedDetails(details);
  return out;
}

function wellFormedDetails(d: Partial<Record<keyof StatusDetails, unknown>>): StatusDetails {
  const out: StatusDetails = {};
  for (const key of ['name', 'group', 'kind', 'uid'] as const) if (typeof d[key] === 'string') out[key] = d[key];
  if (typeof d.retryAfterSeconds === 'number') out.retryAfterSeconds = d.retryAfterSeconds;
  if (Array.isArray(d.causes)) {
    out.causes = d.causes.filter((c): c is StatusCause => typeof c === 'object' && c !== null);
  }
  return out;
}

function safeJSON(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
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
