/**
 * The watch protocol over HTTP as a client sees it: chunked JSON lines, a watch-list stream ended by the
 * initial-events-end bookmark, an ERROR event with a 410 Status for a compacted resourceVersion, label
 * selector conversion (an object relabelled out of the selector arrives as DELETED), and timeoutSeconds
 * ending the stream normally.
 */
import * as http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { waitFor } from './wait.js';

interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  lines: {
    type: string;
    object: { code?: number; reason?: string; metadata?: { name?: string; annotations?: Record<string, string> } };
  }[];
  ended: boolean;
  close(): void;
}

function watch(url: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      const s: Stream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        lines: [],
        ended: false,
        close: () => req.destroy(),
      };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          s.lines.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
      });
      res.on('end', () => {
        s.ended = true;
      });
      res.on('error', () => undefined);
      resolve(s);
    });
    req.on('error', reject);
  });
}

const CM = '/api/v1/namespaces/default/configmaps';
let ts: TestServer;
beforeEach(async () => {
  ts = await startTestServer();
});
afterEach(async () => {
  await ts.stop();
});

async function create(name: string, labels: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${ts.url}${CM}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ metadata: { name, labels } }),
  });
  const obj = (await res.json()) as { metadata: { resourceVersion: string } };
  return obj.metadata.resourceVersion;
}

describe('watch over HTTP', () => {
  it('streams initial events then the initial-events-end bookmark for sendInitialEvents', async () => {
    await create('a');
    await create('b');
    const s = await watch(
      `${ts.url}${CM}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    try {
      expect([s.status, s.headers['content-type'], s.headers['transfer-encoding']]).toEqual([
        200,
        'application/json',
        'chunked',
      ]);
      await waitFor(
        () => s.lines.length >= 3,
        () => JSON.stringify(s.lines),
      );
      expect(s.lines.map((l) => `${l.type} ${l.object.metadata?.name ?? ''}`)).toEqual([
        'ADDED a',
        'ADDED b',
        'BOOKMARK ',
      ]);
      expect(s.lines[2]?.object.metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
      await create('c');
      await waitFor(
        () => s.lines.length === 4,
        () => JSON.stringify(s.lines),
      );
      expect(s.lines[3]?.type).toBe('ADDED');
    } finally {
      s.close();
    }
  });

  it('answers a compacted resourceVersion with 200 and one ERROR event carrying 410 Expired, then ends', async () => {
    const rv = await create('a');
    await create('b');
    await ts.server.compact();
    const s = await watch(`${ts.url}${CM}?watch=1&resourceVersion=${rv}`);
    await waitFor(
      () => s.ended,
      () => JSON.stringify(s.lines),
    );
    expect(s.status).toBe(200);
    expect(s.lines.map((l) => [l.type, l.object.code, l.object.reason])).toEqual([['ERROR', 410, 'Expired']]);
  });

  it('turns a relabel out of the selector into DELETED and ends at timeoutSeconds', async () => {
    const rv = await create('a', { app: 'web' });
    const s = await watch(`${ts.url}${CM}?watch=1&resourceVersion=${rv}&labelSelector=app%3Dweb&timeoutSeconds=2`);
    const patch = (labels: object) =>
      fetch(`${ts.url}${CM}/a`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { labels } }),
      });
    await patch({ app: 'db' });
    await patch({ app: 'web' });
    await waitFor(
      () => s.ended,
      () => JSON.stringify(s.lines),
      5000,
    );
    expect(s.lines.map((l) => `${l.type} ${l.object.metadata?.name}`)).toEqual(['DELETED a', 'ADDED a']);
  });
});
