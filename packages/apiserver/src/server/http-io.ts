/**
 * Reading requests and writing responses: bounded bodies, JSON and Status responses with the headers the
 * apiserver sends (Retry-After for throttling errors).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { internalError, type Status, StatusError } from '@kubecache/apimachinery';
import { tooLargeError } from './errors.js';

/** Request bodies larger than this get 413 (etcd's default request limit, as kube-apiserver), in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body; rejects with 413 past `limit` bytes (and stops reading). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      reject(tooLargeError(limit));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        parts.length = 0;
        req.removeAllListeners('data');
        req.resume();
        reject(tooLargeError(limit));
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Writes `body` as JSON with `code`. */
export function sendJSON(res: ServerResponse, code: number, body: unknown): void {
  sendRaw(res, code, JSON.stringify(body));
}

/** Writes a JSON string with `code`. */
export function sendRaw(res: ServerResponse, code: number, json: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

/** The Status an error becomes: its own for a StatusError, else a 500 InternalError. */
export function statusOf(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  return internalError(String((err as Error)?.message ?? err)).status;
}

/** Writes the Status of `err`, with `Retry-After` when it asks for one. */
export function sendError(res: ServerResponse, err: unknown): void {
  const status = statusOf(err);
  const retry = status.details?.retryAfterSeconds;
  if (retry && retry > 0 && !res.headersSent) res.setHeader('Retry-After', String(retry));
  sendJSON(res, status.code, status);
}

/** Writes kube's plain-text 404 for paths outside any known group. */
export function sendPageNotFound(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
}

/** Resolves when `res` can take more data again, or has closed. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
