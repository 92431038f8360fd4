/**
 * Continue tokens for paged lists (the apiserver's `storage/continue.go`): base64url (no padding) of
 * `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<next key without the list prefix>"}`.
 */
import { badRequestError, type StatusError } from '@kubecache/apimachinery';

const TOKEN_VERSION = 'meta.k8s.io/v1';
const INVALID = 'continue key is not valid';

/** A decoded continue token. */
export interface ContinuePosition {
  /** The full storage key to resume at (inclusive). */
  fromKey: string;
  /** The revision to read at: > 0 exactly that revision, -1 the latest (issued after a compaction). */
  resourceVersion: number;
}

/**
 * Encodes the position `key` (a full key under `keyPrefix`) at revision `resourceVersion`.
 *
 * @example
 * encodeContinue('/pods/ns/b\u0000', '/pods/', 7); // 'eyJ2Ijoi...'
 */
export function encodeContinue(key: string, keyPrefix: string, resourceVersion: number): string {
  if (!key.startsWith(keyPrefix)) throw new Error(`continue key ${key} does not start with ${keyPrefix}`);
  const json = JSON.stringify({ v: TOKEN_VERSION, rv: resourceVersion, start: key.slice(keyPrefix.length) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * Decodes a token for a list of `keyPrefix`. Every failure is a 400 `invalid continue token: <reason>`
 * with the apiserver's reasons; a start key that changes under path cleaning (`..`) is refused.
 */
export function decodeContinue(token: string, keyPrefix: string): ContinuePosition {
  const parsed = parseToken(token);
  if (parsed.v !== TOKEN_VERSION) throw invalidToken(`${INVALID}: server does not recognize this encoded version`);
  if (parsed.rv === 0)
    throw invalidToken(`${INVALID}: incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  if (parsed.start === '') throw invalidToken(`${INVALID}: encoded start key empty (version ${TOKEN_VERSION})`);
  const rooted = parsed.start.startsWith('/') ? parsed.start : `/${parsed.start}`;
  if (cleanPath(rooted) !== rooted) throw invalidToken(INVALID);
  return { fromKey: keyPrefix + rooted.slice(1), resourceVersion: parsed.rv };
}

function parseToken(token: string): { v: unknown; rv: number; start: string } {
  if (!/^[A-Za-z0-9_-]*$/.test(token) || token.length % 4 === 1) throw invalidToken(INVALID);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalidToken(INVALID, err);
  }
  const { v, rv, start } = (value ?? {}) as { v?: unknown; rv?: unknown; start?: unknown };
  if (typeof value !== 'object' || value === null) throw invalidToken(INVALID);
  if ((rv !== undefined && !Number.isInteger(rv)) || (start !== undefined && typeof start !== 'string')) {
    throw invalidToken(INVALID);
  }
  return { v, rv: (rv as number | undefined) ?? 0, start: (start as string | undefined) ?? '' };
}

function invalidToken(reason: string, cause?: unknown): StatusError {
  const err = badRequestError(`invalid continue token: ${reason}`);
  if (cause !== undefined) Object.defineProperty(err, 'cause', { value: cause });
  return err;
}

/** Go's `path.Clean` for rooted paths: collapses `//`, `.` and `..`, drops a trailing slash. */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}
