/**
 * The bad-request corpus: malformed, oversized, mistyped and hostile requests over real HTTP. Each gets
 * its Status code (and reason), the server stays up, and storage is unchanged (same revision).
 */
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  accept?: string;
  code: number;
  reason?: string;
}

const CM = '/api/v1/namespaces/default/configmaps';
const json = (o: unknown) => JSON.stringify(o);
const cm = (metadata: object, extra: object = {}) => json({ apiVersion: 'v1', kind: 'ConfigMap', metadata, ...extra });

const CASES: Case[] = [
  { name: 'malformed JSON', method: 'POST', path: CM, body: '{"metadata":', code: 400, reason: 'BadRequest' },
  { name: 'a JSON array body', method: 'POST', path: CM, body: '[]', code: 400, reason: 'BadRequest' },
  {
    name: 'the wrong kind',
    method: 'POST',
    path: CM,
    body: json({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'x' } }),
    code: 400,
  },
  {
    name: 'the wrong apiVersion',
    method: 'POST',
    path: CM,
    body: json({ kind: 'ConfigMap', apiVersion: 'apps/v1', metadata: { name: 'x' } }),
    code: 400,
  },
  { name: 'metadata that is not an object', method: 'POST', path: CM, body: json({ metadata: [1] }), code: 400 },
  {
    name: 'labels that are not strings',
    method: 'POST',
    path: CM,
    body: cm({ name: 'x', labels: { a: 1 } }),
    code: 400,
  },
  {
    name: 'a path-traversal name in the body',
    method: 'POST',
    path: CM,
    body: cm({ name: '../secrets/x' }),
    code: 422,
    reason: 'Invalid',
  },
  { name: 'an upper-case name', method: 'POST', path: CM, body: cm({ name: 'Bad' }), code: 422, reason: 'Invalid' },
  { name: 'no name', method: 'POST', path: CM, body: cm({}), code: 422, reason: 'Invalid' },
  {
    name: 'an invalid label key',
    method: 'POST',
    path: CM,
    body: cm({ name: 'x', labels: { 'a b': 'c' } }),
    code: 422,
  },
  {
    name: 'a body over 3 MiB',
    method: 'POST',
    path: CM,
    body: cm({ name: 'big' }, { data: { k: 'x'.repeat(3 * 1024 * 1024) } }),
    code: 413,
    reason: 'RequestEntityTooLarge',
  },
  {
    name: 'a namespace that does not exist',
    method: 'POST',
    path: '/api/v1/namespaces/nope/configmaps',
    body: cm({ name: 'x' }),
    code: 404,
  },
  {
    name: 'an object that exists',
    method: 'POST',
    path: CM,
    body: cm({ name: 'keep' }),
    code: 409,
    reason: 'AlreadyExists',
  },
  {
    name: 'a body namespace that differs from the URL',
    method: 'POST',
    path: CM,
    body: cm({ name: 'x', namespace: 'kube-system' }),
    code: 400,
  },
  { name: 'a bad label selector', method: 'GET', path: `${CM}?labelSelector=a%3D(b`, code: 400, reason: 'BadRequest' },
  { name: 'an unsupported field selector', method: 'GET', path: `${CM}?fieldSelector=spec.bogus%3D1`, code: 400 },
  { name: 'a non-numeric resourceVersion', method: 'GET', path: `${CM}?resourceVersion=abc`, code: 400 },
  {
    name: 'a non-numeric resourceVersion on a watch',
    method: 'GET',
    path: `${CM}?watch=1&resourceVersion=abc`,
    code: 400,
  },
  {
    name: 'resourceVersionMatch without resourceVersion',
    method: 'GET',
    path: `${CM}?resourceVersionMatch=Exact`,
    code: 422,
    reason: 'Invalid',
  },
  { name: 'sendInitialEvents on a list', method: 'GET', path: `${CM}?sendInitialEvents=true`, code: 422 },
  { name: 'a garbage continue token', method: 'GET', path: `${CM}?limit=1&continue=garbage!`, code: 400 },
  { name: 'a non-numeric limit', method: 'GET', path: `${CM}?limit=ten`, code: 400 },
  { name: 'a non-numeric timeoutSeconds', method: 'GET', path: `${CM}?watch=1&timeoutSeconds=soon`, code: 400 },
  {
    name: 'an Exact list at a compacted revision',
    method: 'GET',
    path: `${CM}?resourceVersion=1&resourceVersionMatch=Exact`,
    code: 410,
    reason: 'Expired',
  },
  { name: 'a path-traversal name in the URL', method: 'GET', path: `${CM}/%2e%2e`, code: 400 },
  { name: 'a path-traversal delete', method: 'DELETE', path: `${CM}/..%2Fsecrets`, code: 400 },
  { name: 'a raw .. segment', method: 'GET', path: `${CM}/../../../secrets`, code: 400 },
  { name: 'an unknown subresource', method: 'GET', path: `${CM}/keep/bogus`, code: 404, reason: 'NotFound' },
  {
    name: 'status of a kind without it',
    method: 'PUT',
    path: `${CM}/keep/status`,
    body: cm({ name: 'keep' }),
    code: 404,
  },
  { name: 'too many path segments', method: 'GET', path: `${CM}/keep/status/more`, code: 404 },
  { name: 'a bad percent-encoding', method: 'GET', path: `${CM}/%zz`, code: 404 },
  { name: 'an unknown core resource', method: 'GET', path: '/api/v1/widgets', code: 404, reason: 'NotFound' },
  { name: 'an unknown group', method: 'GET', path: '/apis/nope.example.com/v1/things', code: 404 },
  {
    name: 'POST to a named path',
    method: 'POST',
    path: `${CM}/keep`,
    body: cm({ name: 'keep' }),
    code: 405,
    reason: 'MethodNotAllowed',
  },
  { name: 'PUT to a collection', method: 'PUT', path: CM, body: cm({ name: 'keep' }), code: 405 },
  { name: 'an unsupported method', method: 'OPTIONS', path: `${CM}/keep`, code: 405 },
  {
    name: 'a name that differs from the URL',
    method: 'PUT',
    path: `${CM}/keep`,
    body: cm({ name: 'other' }),
    code: 400,
  },
  {
    name: 'a stale resourceVersion on update',
    method: 'PUT',
    path: `${CM}/keep`,
    body: cm({ name: 'keep', resourceVersion: '1' }),
    code: 409,
    reason: 'Conflict',
  },
  {
    name: 'an update of a missing object',
    method: 'PUT',
    path: `${CM}/missing`,
    body: cm({ name: 'missing' }),
    code: 404,
  },
  {
    name: 'PATCH as plain JSON',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: '{}',
    contentType: 'application/json',
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  {
    name: 'server-side apply',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: '{}',
    contentType: 'application/apply-patch+yaml',
    code: 415,
  },
  {
    name: 'a malformed merge patch',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: '{"data":',
    contentType: 'application/merge-patch+json',
    code: 400,
  },
  {
    name: 'a JSON patch that is not a list',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: '{}',
    contentType: 'application/json-patch+json',
    code: 400,
  },
  {
    name: 'a JSON patch whose test fails',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: json([
      { op: 'test', path: '/data/k', value: 'no' },
      { op: 'add', path: '/data/z', value: '1' },
    ]),
    contentType: 'application/json-patch+json',
    code: 422,
  },
  {
    name: 'a JSON patch removing a missing path',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: json([{ op: 'remove', path: '/spec/x' }]),
    contentType: 'application/json-patch+json',
    code: 422,
  },
  {
    name: 'a merge patch that changes the kind',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: json({ kind: 'Secret' }),
    contentType: 'application/merge-patch+json',
    code: 400,
  },
  {
    name: 'a merge patch that renames',
    method: 'PATCH',
    path: `${CM}/keep`,
    body: json({ metadata: { name: 'renamed' } }),
    contentType: 'application/merge-patch+json',
    code: 400,
  },
  {
    name: 'a patch of a missing object',
    method: 'PATCH',
    path: `${CM}/missing`,
    body: '{}',
    contentType: 'application/merge-patch+json',
    code: 404,
  },
  {
    name: 'a delete with a wrong uid precondition',
    method: 'DELETE',
    path: `${CM}/keep`,
    body: json({ preconditions: { uid: 'nope' } }),
    code: 409,
    reason: 'Conflict',
  },
  {
    name: 'a malformed DeleteOptions body',
    method: 'DELETE',
    path: `${CM}/keep`,
    body: '{"preconditions":',
    code: 400,
  },
  { name: 'a delete of a missing object', method: 'DELETE', path: `${CM}/missing`, code: 404 },
  { name: 'an XML Accept header', method: 'GET', path: CM, accept: 'application/xml', code: 406 },
  { name: 'a scale of a kind without it', method: 'GET', path: `${CM}/keep/scale`, code: 404 },
  {
    name: 'a negative replica count',
    method: 'PATCH',
    path: '/apis/apps/v1/namespaces/default/deployments/d/scale',
    body: json({ spec: { replicas: -1 } }),
    contentType: 'application/merge-patch+json',
    code: 400,
  },
];

/** A request sent with its path exactly as written (fetch would normalise `..` and `%2e`). */
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string) {
  const { origin } = new URL(url);
  return new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = http.request(
      origin,
      { method, path: url.slice(origin.length), headers: { ...headers, ...length } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(parts).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the bad-request corpus', () => {
  let ts: TestServer;
  let revision: number;
  beforeAll(async () => {
    ts = await startTestServer();
    const post = (path: string, body: object) =>
      fetch(`${ts.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json(body) });
    expect((await post(CM, { metadata: { name: 'keep' }, data: { k: 'v' } })).status).toBe(201);
    const deployment = {
      metadata: { name: 'd' },
      spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } } } },
    };
    expect((await post('/apis/apps/v1/namespaces/default/deployments', deployment)).status).toBe(201);
    await ts.server.compact();
    revision = await ts.server.storage.getCurrentResourceVersion();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it.each(CASES)('answers $name with $code', async (c) => {
    const headers: Record<string, string> = { 'Content-Type': c.contentType ?? 'application/json' };
    if (c.accept) headers.Accept = c.accept;
    const res = await rawRequest(`${ts.url}${c.path}`, c.method, headers, c.body);
    const text = res.body;
    expect([res.status, text.slice(0, 300)]).toEqual([c.code, expect.any(String)]);
    if (res.contentType.startsWith('application/json')) {
      const status = JSON.parse(text);
      expect([status.kind, status.code, status.status]).toEqual(['Status', c.code, 'Failure']);
      if (c.reason) expect(status.reason).toBe(c.reason);
    } else {
      expect(text).toBe('404 page not found\n');
    }
  });

  it('answers a far-future resourceVersion with 504 after waiting for the cache', async () => {
    const res = await fetch(`${ts.url}${CM}?resourceVersion=99999999`);
    expect(res.status).toBe(504);
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('is still up and has not written anything', async () => {
    expect((await fetch(`${ts.url}/healthz`)).status).toBe(200);
    expect(await ts.server.storage.getCurrentResourceVersion()).toBe(revision);
    const keep = (await (await fetch(`${ts.url}${CM}/keep`)).json()) as { data: unknown };
    expect(keep.data).toEqual({ k: 'v' });
  });
});

describe('per-client watch cap', () => {
  it('answers 429 with Retry-After past the cap and admits again once a watch ends', async () => {
    const ts = await startTestServer({ server: { maxWatchesPerClient: 2 } });
    const aborts = [new AbortController(), new AbortController()];
    try {
      for (const a of aborts) expect((await fetch(`${ts.url}${CM}?watch=1`, { signal: a.signal })).status).toBe(200);
      const third = await fetch(`${ts.url}${CM}?watch=1`);
      expect([third.status, third.headers.get('retry-after')]).toEqual([429, '1']);
      aborts[0]?.abort();
      const deadline = Date.now() + 5000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        const r = await fetch(`${ts.url}${CM}?watch=1&timeoutSeconds=1`);
        status = r.status;
        await r.body?.cancel();
      }
      expect(status).toBe(200);
    } finally {
      for (const a of aborts) a.abort();
      await ts.stop();
    }
  });
});
