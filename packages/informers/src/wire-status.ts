/**
 * Status objects as they arrive off the wire, made safe to use: a server (or a proxy in front of it) may send
 * a `Status` whose `message` is not a string, whose `causes` is a string, or no Status at all. What reaches
 * the informer is always a well-formed `Status` inside a `StatusError`, never a TypeError later on.
 */
import {
  failureStatus,
  type Status,
  type StatusCause,
  type StatusDetails,
  StatusError,
  type StatusReason,
} from '@kubecache/apimachinery';

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The reason client-go gives a bare HTTP code. */
export function reasonForCode(code: number): StatusReason {
  return REASONS[code] ?? 'Unknown';
}

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value).slice(0, 512);
  } catch {
    return String(value).slice(0, 512);
  }
};

function causesOf(value: unknown): StatusCause[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.map((c): StatusCause => {
    if (typeof c !== 'object' || c === null) return { message: text(c) };
    const { reason, message, field } = c as Record<string, unknown>;
    return { reason: text(reason), message: text(message), field: text(field) };
  });
}

function detailsOf(value: unknown): StatusDetails | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as Record<string, unknown>;
  const details: StatusDetails = {};
  for (const k of ['name', 'group', 'kind', 'uid'] as const) if (d[k] !== undefined) details[k] = text(d[k]);
  const causes = causesOf(d.causes);
  if (causes) details.causes = causes;
  const retry = Number(d.retryAfterSeconds);
  if (Number.isFinite(retry) && retry > 0) details.retryAfterSeconds = Math.floor(retry);
  return details;
}

/**
 * A well-formed `Status` from anything parsed off the wire that claims to be one (`kind: "Status"`), with
 * `fallbackCode` when it has no usable code; `undefined` when `value` is not a Status at all.
 */
export function wireStatus(value: unknown, fallbackCode: number): Status | undefined {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'Status') {
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const code = Number.isInteger(raw.code) && (raw.code as number) > 0 ? (raw.code as number) : fallbackCode;
  const reason = typeof raw.reason === 'string' && raw.reason !== '' ? raw.reason : reasonForCode(code);
  const message = text(raw.message);
  const status = failureStatus(code, reason, message ?? '', detailsOf(raw.details));
  if (message === undefined) delete status.message;
  if (raw.status === 'Success') status.status = 'Success';
  return status;
}

/** What a request was for, so its errors can say so. */
export interface RequestContext {
  /** `list`, `watch`… */
  readonly verb: string;
  /** The resource as client-go prints it, e.g. `deployments.v1.apps`. */
  readonly resource: string;
  /** The request path, without the query. */
  readonly path: string;
}

/** ` (list pods.v1 at /api/v1/pods)`: appended to messages so a failure among twenty informers is findable. */
export function describeRequest(ctx: RequestContext): string {
  return `${ctx.verb} ${ctx.resource} at ${ctx.path}`;
}

/**
 * The `StatusError` of a failed response: the server's Status (made well-formed) when it sent one, else one
 * built from the code and the body text, as client-go does. The message names the request; `Retry-After`
 * is folded into `details.retryAfterSeconds`.
 */
export function responseStatusError(
  code: number,
  body: string,
  retryAfterHeader: string | undefined,
  ctx: RequestContext,
): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const where = describeRequest(ctx);
  const fromServer = wireStatus(parsed, code);
  const status =
    fromServer ??
    failureStatus(code, reasonForCode(code), `${body.trim().slice(0, 512) || `HTTP ${code}`}`, {
      kind: ctx.resource,
    });
  status.message = `${status.message} (${where})`;
  const retryAfter = Number(retryAfterHeader);
  if (Number.isFinite(retryAfter) && retryAfter > 0 && !((status.details?.retryAfterSeconds ?? 0) > 0)) {
    status.details = { ...status.details, retryAfterSeconds: Math.floor(retryAfter) };
  }
  return new StatusError(status);
}
