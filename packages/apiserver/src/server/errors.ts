/**
 * The HTTP-level `Status` errors the handlers raise (the apiserver's `errors.New*` helpers not already in
 * apimachinery): 401, 405, 406, 413, 415, 422 with field causes.
 */
import { failureStatus, type StatusCause, StatusError } from '@kubecache/apimachinery';

/** 401 Unauthorized. */
export function unauthorizedError(): StatusError {
  return new StatusError(failureStatus(401, 'Unauthorized', 'Unauthorized'));
}

/** 405 MethodNotAllowed. */
export function methodNotAllowedError(method: string, what: string): StatusError {
  return new StatusError(
    failureStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {
      causes: [{ message: `${method} is not supported on ${what}` }],
    }),
  );
}

/** 406 NotAcceptable. */
export function notAcceptableError(accept: string): StatusError {
  return new StatusError(
    failureStatus(
      406,
      'NotAcceptable',
      `only the following media types are accepted: application/json (not ${accept})`,
    ),
  );
}

/** 413 RequestEntityTooLarge. */
export function tooLargeError(limit: number): StatusError {
  return new StatusError(failureStatus(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`));
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaTypeError(contentType: string, supported: readonly string[]): StatusError {
  return new StatusError(
    failureStatus(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`,
      { causes: [{ reason: 'UnsupportedMediaType', message: contentType || '<none>' }] },
    ),
  );
}

/** 422 Invalid for `kind` `name`, one cause per field. */
export function invalidError(group: string, kind: string, name: string, causes: StatusCause[]): StatusError {
  const detail = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new StatusError(
    failureStatus(422, 'Invalid', `${kind} "${name}" is invalid: ${detail}`, { name, group, kind, causes }),
  );
}

/** 403 Forbidden (a namespace that is terminating). */
export function forbiddenError(message: string, cause?: StatusCause): StatusError {
  return new StatusError(failureStatus(403, 'Forbidden', message, cause ? { causes: [cause] } : undefined));
}
