import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  expiredError,
  type KubeObject,
  StatusError,
  tooManyRequestsError,
  type WatchEvent,
} from '@kubecache/apimachinery';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { ExponentialBackoff, IndexedStore, Reflector } from '@kubecache/cache';
import { KubeConfig } from '@kubernetes/client-node';
import { firstValueFrom, toArray } from 'rxjs';
import { RequestTimeoutError } from './http-transport.js';
import { KubeListerWatcher, WatchIdleTimeoutError } from './kube-lister-watcher.js';
import { ScriptedServer } from './testing/scripted-server.js';
import { TEST_CERT, TEST_KEY } from './testing/test-certificate.js';

const pod = (name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'default', name, resourceVersion: rv },
});

/**
 * Lets real I/O and promise continuations run until `done()` holds. Bounded by 10 s of wall-clock time, not
 * a count of turns, so a loaded machine cannot make it give up early; it sleeps on no timer.
 */
async function until(done: () => boolean, clock?: FakeClock): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    clock?.step(0);
  }
  expect(done()).toBe(true);
}

let server: ScriptedServer;
beforeEach(async () => {
  server = await ScriptedServer.start();
});
afterEach(async () => {
  await server.close();
});

function podsLW(options: { namespace?: string; labelSelector?: string } = {}): KubeListerWatcher {
  return new KubeListerWatcher({ kubeConfig: server.kubeConfig(), version: 'v1', resource: 'pods', ...options });
}

describe('KubeListerWatcher', () => {
  it('builds core, group, namespaced and cluster-wide paths', () => {
    const kubeConfig = server.kubeConfig();
    expect(podsLW({ namespace: 'default' }).path).toBe('/api/v1/namespaces/default/pods');
    expect(new KubeListerWatcher({ kubeConfig, group: 'apps', version: 'v1', resource: 'deployments' }).path).toBe(
      '/apis/apps/v1/deployments',
    );
  });

  it('lists one page per request with the list options and the configured selector as query parameters', async () => {
    server.lists.push({ items: [pod('a', '3')], resourceVersion: '7', continue: 'next' });
    const page = await podsLW({ namespace: 'default', labelSelector: 'app=web' }).list({
      resourceVersion: '0',
      limit: 500,
    });
    expect(page.items.map((p) => p.metadata?.name)).toEqual(['a']);
    expect(page.metadata).toEqual({ resourceVersion: '7', continue: 'next' });
    expect(server.requests[0]).toMatchObject({
      path: '/api/v1/namespaces/default/pods',
      query: { resourceVersion: '0', limit: '500', labelSelector: 'app=web' },
      watch: false,
    });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer scripted-token');
  });

  it('rejects a failed list with the server Status and Retry-After', async () => {
    server.lists.push({ status: tooManyRequestsError('slow down', 0).status, retryAfterSeconds: 3 });
    server.lists.push({ status: expiredError('too old').status });
    const lw = podsLW();
    const err = await lw.list({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(429);
    expect((err as StatusError).retryAfterSeconds).toBe(3);
    await expect(lw.list({})).rejects.toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('streams watch events as they arrive and completes when the server ends the stream', async () => {
    server.watches.push((w) => {
      w.event('ADDED', pod('a', '2'));
      w.event('BOOKMARK', { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '3' } });
      w.end();
    });
    const events = await firstValueFrom(
      podsLW().watch({ resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 300 }).pipe(toArray()),
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(server.requests[0]?.query).toEqual({
      watch: 'true',
      resourceVersion: '1',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '300',
    });
  });

  it('turns a malformed line into an ERROR event and keeps streaming', async () => {
    server.watches.push((w) => {
      w.raw('{"type":"ADDED","obj\n');
      w.event('ADDED', pod('a', '2'));
      w.end();
    });
    const events = await firstValueFrom(podsLW().watch({}).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['ERROR', 'ADDED']);
    expect((events[0] as WatchEvent & { type: 'ERROR' }).object.code).toBe(500);
  });

  it('fails a watch that cannot start with a StatusError, and with ECONNREFUSED when nobody listens', async () => {
    server.watches.push({ status: tooManyRequestsError('busy', 1).status, retryAfterSeconds: 1 });
    await expect(firstValueFrom(podsLW().watch({}))).rejects.toMatchObject({ code: 429 });
    const url = server.url;
    await server.close();
    const kubeConfig = server.kubeConfig();
    expect(kubeConfig.getCurrentCluster()?.server).toBe(url);
    const lw = new KubeListerWatcher({ kubeConfig, version: 'v1', resource: 'pods' });
    await expect(firstValueFrom(lw.watch({}))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    server = await ScriptedServer.start();
  });

  it('completes a watch whose connection is cut mid-stream', async () => {
    server.watches.push((w) => {
      w.event('ADDED', pod('a', '2'));
      w.destroy();
    });
    const events = await firstValueFrom(podsLW().watch({}).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('rejects a list aborted while its body is still arriving, and closes the connection', async () => {
    let responded = false;
    let closed = false;
    const stalled = http.createServer((_req, res) => {
      res.on('close', () => {
        closed = true;
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"kind":"PodList","items":[', () => {
        responded = true;
      });
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    try {
      const { port } = stalled.address() as AddressInfo;
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'u' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const lw = new KubeListerWatcher({ kubeConfig, version: 'v1', resource: 'pods' });
      const ac = new AbortController();
      const listed = lw.list({}, ac.signal);
      const outcome = listed.then(
        () => 'resolved',
        () => 'rejected',
      );
      await until(() => responded);
      ac.abort();
      expect(await outcome).toBe('rejected');
      await until(() => closed);
    } finally {
      stalled.closeAllConnections();
      await new Promise<void>((r) => stalled.close(() => r()));
    }
  });

  it('releases the connection on unsubscribe', async () => {
    const subscription = podsLW().watch({}).subscribe();
    await until(() => server.openWatches === 1);
    subscription.unsubscribe();
    await until(() => server.openWatches === 0);
  });
});

/** A plain HTTP server on 127.0.0.1 answering every request with `handler`; closed by the returned function. */
async function rawServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ kubeConfig: KubeConfig; url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const srv = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return {
    kubeConfig,
    url,
    requests,
    close: async () => {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

describe('KubeListerWatcher errors', () => {
  it('says which resource and path a plain-text 404 was for', async () => {
    const s = await rawServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
    });
    try {
      const lw = new KubeListerWatcher({
        kubeConfig: s.kubeConfig,
        group: 'example.com',
        version: 'v1',
        resource: 'widgets',
      });
      const err = await lw.list({}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).status).toMatchObject({ code: 404, reason: 'NotFound' });
      expect((err as Error).message).toBe(
        '404 page not found (list widgets.v1.example.com at /apis/example.com/v1/widgets)',
      );
    } finally {
      await s.close();
    }
  });

  it('does not follow a redirect: the bearer token never reaches the other host', async () => {
    const other = await rawServer((_req, res) => res.end('{}'));
    const s = await rawServer((_req, res) => {
      res.writeHead(302, { Location: `${other.url}/api/v1/pods` });
      res.end();
    });
    try {
      const lw = new KubeListerWatcher({ kubeConfig: s.kubeConfig, version: 'v1', resource: 'pods' });
      await expect(lw.list({})).rejects.toMatchObject({ code: 302 });
      await expect(firstValueFrom(lw.watch({}))).rejects.toMatchObject({ code: 302 });
      expect(other.requests).toEqual([]);
    } finally {
      await s.close();
      await other.close();
    }
  });

  it.each([
    ['null', 'null', /not a JSON list object/],
    ['a truncated list', '{"items":[{"metadata":{}}', /ended before the list did/],
    ['an item that is a string', '{"items":["pod"]}', /item 0 is string/],
  ])('turns a list body that is %s into a 500 StatusError naming the request', async (_name, body, message) => {
    const s = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    try {
      const err = await new KubeListerWatcher({ kubeConfig: s.kubeConfig, version: 'v1', resource: 'pods' })
        .list({})
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).code).toBe(500);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain('list pods.v1 at /api/v1/pods');
    } finally {
      await s.close();
    }
  });

  it('hands list items out in batches while the body is still arriving (listStreaming)', async () => {
    let finish: (() => void) | undefined;
    const s = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const items = Array.from({ length: 300 }, (_, i) => JSON.stringify(pod(`p${i}`, '1')));
      res.write(`{"kind":"PodList","items":[${items.join(',')}`);
      finish = () => res.end('],"metadata":{"resourceVersion":"8"}}');
    });
    try {
      const lw = new KubeListerWatcher({ kubeConfig: s.kubeConfig, version: 'v1', resource: 'pods' });
      const batches: number[] = [];
      const listed = lw.listStreaming({}, (batch) => {
        batches.push(batch.length);
        finish?.();
      });
      const head = await listed;
      expect(batches).toEqual([256, 44]);
      expect(head).toEqual({ kind: 'PodList', apiVersion: undefined, metadata: { resourceVersion: '8' }, items: [] });
    } finally {
      await s.close();
    }
  });

  it('reuses one connection for successive lists and authenticates each request anew', async () => {
    const tokens: string[] = [];
    const sockets = new Set<unknown>();
    const s = await rawServer((req, res) => {
      tokens.push(req.headers.authorization ?? '');
      sockets.add(req.socket);
      res.end('{"kind":"PodList","metadata":{"resourceVersion":"1"},"items":[]}');
    });
    try {
      const lw = new KubeListerWatcher({ kubeConfig: s.kubeConfig, version: 'v1', resource: 'pods' });
      await lw.list({});
      // What an exec or OIDC plugin does when its token expires: the user's credentials change.
      (s.kubeConfig.getCurrentUser() as { token?: string }).token = 'rotated-token';
      await lw.list({});
      expect(tokens).toEqual(['Bearer secret-token', 'Bearer rotated-token']);
      expect(sockets.size).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('drops a silent watch after 45 s by default with a WatchIdleTimeoutError, not before', async () => {
    const clock = new FakeClock(0);
    const lw = new KubeListerWatcher({ kubeConfig: server.kubeConfig(), version: 'v1', resource: 'pods', clock });
    let failure: unknown;
    const subscription = lw.watch({}).subscribe({
      error: (err: unknown) => {
        failure = err;
      },
    });
    try {
      // The response arrived once the response timer (60 s) gave way to the idle timer (45 s).
      await until(() => clock.nextTimerAt() === 45_000);
      clock.step(44_999);
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(failure).toBeUndefined();
      clock.step(1);
      await until(() => failure !== undefined);
      expect(failure).toBeInstanceOf(WatchIdleTimeoutError);
      expect((failure as Error).message).toContain('watch pods.v1 at /api/v1/pods');
      await until(() => server.openWatches === 0);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('lists `items: null` as an empty list', async () => {
    const s = await rawServer((_req, res) =>
      res.end('{"kind":"PodList","metadata":{"resourceVersion":"3"},"items":null}'),
    );
    try {
      const page = await new KubeListerWatcher({ kubeConfig: s.kubeConfig, version: 'v1', resource: 'pods' }).list({});
      expect(page).toEqual({ kind: 'PodList', apiVersion: undefined, metadata: { resourceVersion: '3' }, items: [] });
    } finally {
      await s.close();
    }
  });

  it('turns a Status with a string `causes` and a non-string message into a well-formed StatusError', async () => {
    const s = await rawServer((_req, res) => {
      res.writeHead(422, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          code: 422,
          message: 42,
          details: { causes: 'bad field', retryAfterSeconds: 'soon' },
        }),
      );
    });
    try {
      const err = (await new KubeListerWatcher({ kubeConfig: s.kubeConfig, version: 'v1', resource: 'pods' })
        .list({})
        .catch((e: unknown) => e)) as StatusError;
      expect(err).toBeInstanceOf(StatusError);
      expect(err.status).toMatchObject({ code: 422, reason: 'Invalid', message: '42 (list pods.v1 at /api/v1/pods)' });
      expect(err.status.details).toEqual({ causes: [{ message: 'bad field' }] });
    } finally {
      await s.close();
    }
  });

  it('times out the TLS handshake of a server that accepts and says nothing', async () => {
    const silent = net.createServer(() => {});
    const sockets: net.Socket[] = [];
    silent.on('connection', (c) => sockets.push(c));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [
          { name: 'c', server: `https://127.0.0.1:${(silent.address() as AddressInfo).port}`, skipTLSVerify: true },
        ],
        users: [{ name: 'u' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const lw = new KubeListerWatcher({ kubeConfig, version: 'v1', resource: 'pods', connectTimeoutMs: 200 });
      const err = await lw.list({}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RequestTimeoutError);
      expect((err as RequestTimeoutError).phase).toBe('connect');
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('KubeListerWatcher over TLS', () => {
  it('trusts the cluster CA from the KubeConfig and sends the bearer token', async () => {
    const tlsServer = await ScriptedServer.start({ tls: { key: TEST_KEY, cert: TEST_CERT } });
    try {
      tlsServer.lists.push({ items: [pod('a', '2')], resourceVersion: '2' });
      tlsServer.watches.push((w) => {
        w.event('ADDED', pod('b', '3'));
        w.end();
      });
      const lw = new KubeListerWatcher({ kubeConfig: tlsServer.kubeConfig(), version: 'v1', resource: 'pods' });
      expect((await lw.list({})).items).toHaveLength(1);
      const events = await firstValueFrom(lw.watch({ resourceVersion: '2' }).pipe(toArray()));
      expect(events.map((e) => e.type)).toEqual(['ADDED']);
      expect(tlsServer.requests.map((r) => r.headers.authorization)).toEqual([
        'Bearer scripted-token',
        'Bearer scripted-token',
      ]);
    } finally {
      await tlsServer.close();
    }
  });

  it('rejects a server whose certificate the KubeConfig does not trust', async () => {
    const tlsServer = await ScriptedServer.start({ tls: { key: TEST_KEY, cert: TEST_CERT } });
    try {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'c', server: tlsServer.url, skipTLSVerify: false }],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const lw = new KubeListerWatcher({ kubeConfig, version: 'v1', resource: 'pods' });
      await expect(lw.list({})).rejects.toThrow();
      expect(tlsServer.requests).toHaveLength(0);
    } finally {
      await tlsServer.close();
    }
  });
});

describe('Reflector over KubeListerWatcher', () => {
  function reflect() {
    const clock = new FakeClock(0);
    const store = new IndexedStore<KubeObject>({ freeze: false });
    const errors: Error[] = [];
    const reflector = new Reflector({
      listerWatcher: podsLW(),
      store,
      clock,
      backoff: new ExponentialBackoff({ clock, initialMs: 0, jitter: 0 }),
      onError: (e) => errors.push(e),
    });
    const controller = new AbortController();
    const done = reflector.run(controller.signal);
    const names = (): string[] =>
      store
        .list()
        .map((o) => o.metadata?.name ?? '')
        .sort();
    const stop = (): Promise<void> => {
      controller.abort();
      return done;
    };
    return { clock, store, errors, names, stop };
  }

  it('lists in pages, then watches from the list RV', async () => {
    server.lists.push({ items: [pod('a', '2')], resourceVersion: '5', continue: 'c1' });
    server.lists.push({ items: [pod('b', '4')], resourceVersion: '6' });
    server.watches.push((w) => w.event('ADDED', pod('c', '7')));
    const t = reflect();
    await until(() => t.names().length === 3, t.clock);
    expect(t.names()).toEqual(['a', 'b', 'c']);
    expect(server.requests.map((r) => [r.watch, r.query.resourceVersion, r.query.continue])).toEqual([
      [false, '0', undefined],
      [false, undefined, 'c1'],
      [true, '5', undefined],
    ]);
    await t.stop();
  });

  it('recovers from a malformed line: the reflector relists and watches again', async () => {
    server.lists.push({ items: [pod('a', '2')], resourceVersion: '5' });
    server.lists.push({ items: [pod('a', '2'), pod('b', '6')], resourceVersion: '6' });
    server.watches.push((w) => w.raw('not json\n'));
    server.watches.push((w) => w.event('ADDED', pod('c', '7')));
    const t = reflect();
    await until(() => t.names().length === 3, t.clock);
    expect(t.errors.some((e) => e.message.startsWith('unable to decode an event from the watch stream'))).toBe(true);
    expect(server.requests.filter((r) => !r.watch).map((r) => r.query.resourceVersion)).toEqual(['0', '5']);
    await t.stop();
  });

  it('applies nothing after an ERROR event that arrives in the same chunk as other events', async () => {
    server.lists.push({ items: [pod('a', '2')], resourceVersion: '5' });
    server.lists.push({ items: [pod('a', '2'), pod('c', '6')], resourceVersion: '9' });
    const line = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;
    // One write, one chunk: the decoder parses all three lines before the first event is applied.
    server.watches.push((w) =>
      w.raw(
        line('ADDED', pod('c', '6')) +
          line('ERROR', expiredError('too old resource version: 6 (8)').status) +
          line('ADDED', pod('d', '7')),
      ),
    );
    const t = reflect();
    await until(() => server.requests.filter((r) => r.watch).length === 2, t.clock);
    // The relist resumes from c's version: d, after the ERROR, was never applied.
    expect(server.requests.map((r) => [r.watch, r.query.resourceVersion])).toEqual([
      [false, '0'],
      [true, '5'],
      [false, '6'],
      [true, '9'],
    ]);
    expect(t.names()).toEqual(['a', 'c']);
    await t.stop();
  });

  it('relists after a 410 ERROR event on the watch', async () => {
    server.lists.push({ items: [pod('a', '2')], resourceVersion: '5' });
    server.lists.push({ items: [pod('b', '9')], resourceVersion: '9' });
    server.watches.push((w) => w.error(expiredError('too old resource version: 5 (8)').status));
    const t = reflect();
    await until(() => server.requests.filter((r) => r.watch).length === 2, t.clock);
    expect(t.names()).toEqual(['b']);
    expect(server.requests.map((r) => [r.watch, r.query.resourceVersion])).toEqual([
      [false, '0'],
      [true, '5'],
      [false, '5'],
      [true, '9'],
    ]);
    await t.stop();
  });
});
