/**
 * Bearer-token authentication (kube-apiserver's `--token-auth-file`, reduced to the token column): a
 * request must carry `Authorization: Bearer <token>` with a known token, else 401. Tokens are compared in
 * constant time and never logged.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

/**
 * Reads tokens from a kube token file: one `token,user,uid[,"groups"]` line each (only the token is used),
 * or bare tokens; blank lines and `#` comments are skipped.
 */
export function readTokenFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(',')[0]?.trim() ?? '')
    .filter((token) => token !== '');
}

/** Checks requests against a fixed set of tokens. */
export class TokenAuthenticator {
  readonly #tokens: Buffer[];

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('TokenAuthenticator needs at least one token');
    this.#tokens = tokens.map((t) => Buffer.from(t, 'utf8'));
  }

  /** Whether `req` carries a known bearer token. */
  authenticate(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    const given = Buffer.from(match[1] as string, 'utf8');
    let ok = false;
    for (const t of this.#tokens) if (t.length === given.length && timingSafeEqual(t, given)) ok = true;
    return ok;
  }
}
