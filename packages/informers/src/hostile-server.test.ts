/**
 * The informer over real HTTP against servers that misbehave, all on 127.0.0.1. Each scenario: the server
 * misbehaves first, the informer reports a clear error in `health()` (never a crash), then the server
 * behaves and the informer's store converges to the server's pods. Timeouts are shortened through options
 * so each scenario takes well under a few seconds; the one that streams more than 512 MiB is the slowest.
 */
import type * as http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type KubeObject, StatusError } from '@kubecache/apimachinery';
import { ExponentialBackoff, ListPagingError, WatchInactivityError } from '@kubecache/cache';
import { type HostileHandler, PodsServer, podNamed, StallingProxy } from './hostile-test-kit.js';
import { RequestTimeoutError } from './http-transport.js';
import { KubeListerWatcher, type KubeListerWatcherOptions } from './kube-lister-watcher.js';
import { SharedIndexInformer, type SharedIndexInformerOptions } from './shared-informer.js';
import { WatchLineTooLongError } from './watch-line-decoder.js';

const MiB = 1024 * 1024;

/** Waits (real I/O, bounded by wall-clock time, no timer of its own) until `done()` holds. */
async function until(done: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

/** A one-shot hostile handler: takes over the first request that matches, then lets the server behave. */
function once(
  match: (watch: boolean) => boolean,
  act: (res: http.ServerResponse, query: Record<string, string>) => void,
): HostileHandler {
  let used = false;
  return ({ watch, res, query }) => {
    if (used || !match(watch)) return false;
    used = true;
    act(res, query);
    return true;
  };
}

let server: PodsServer;
const running: { stop(): Promise<void> }[] = [];

beforeEach(async () => {
  server = await PodsServer.start();
  server.put('a', 'b', 'c');
});

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  await server.close();
});

function start(
  lwOptions: Partial<KubeListerWatcherOptions> = {},
  informerOptions: Partial<SharedIndexInformerOptions<KubeObject>> = {},
  kubeConfig = server.kubeConfig(),
) {
  const errors: Error[] = [];
  const informer = new SharedIndexInformer<KubeObject>({
    name: 'pods',
    listerWatcher: new KubeListerWatcher({
      kubeConfig,
      version: 'v1',
      resource: 'pods',
      responseTimeoutMs: 2_000,
      bodyIdleTimeoutMs: 2_000,
      ...lwOptions,
    }),
    backoff: new ExponentialBackoff({ initialMs: 20, capMs: 100, jitter: 0 }),
    onError: (err) => errors.push(err),
    freeze: false,
    ...informerOptions,
  });
  const abort = new AbortController();
  const run = informer.run(abort.signal);
  const handle = {
    informer,
    errors,
    names: () =>
      informer
        .getStore()
        .list()
        .map((p) => p.metadata?.name ?? '')
        .sort(),
    stop: async () => {
      abort.abort();
      await run;
    },
  };
  running.push(handle);
  return handle;
}

describe('the informer against hostile servers', () => {
  it('streams a list body over 512 MiB (one unpaged response) without holding it as a string', async () => {
    server.put('d');
    const chunk = Buffer.alloc(MiB, 0x20);
    server.hostile = once(
      (watch) => !watch,
      (res) => {
        const items = server.names().map((n) => JSON.stringify(podNamed(n, server.resourceVersion)));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(
          `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${server.resourceVersion}"},"items":[`,
        );
        let left = 520;
        const pump = (): void => {
          while (left > 0) {
            left--;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end(`${items.join(',')}]}`);
        };
        pump();
      },
    );
    const t = start();
    await until(() => t.informer.hasSynced(), 60_000);
    expect(t.names()).toEqual(['a', 'b', 'c', 'd']);
    expect(t.informer.health().lastError).toBeUndefined();
  }, 90_000);

  // 155k real pods of 3.6 KB in one response, as kube-apiserver serves resourceVersion=0: about 1.5 GB of
  // heap for the decoded list, so it runs with `npm run test:hostile` (KUBECACHE_HOSTILE_FULL=1), not in
  // `npm test`; the test above streams as many bytes with few items.
  // Not registered at all otherwise, so the count of `npm test` holds no skipped test.
  const heavy = process.env.KUBECACHE_HOSTILE_FULL ? [it] : [];
  for (const run of heavy)
    run(
      'syncs 155k pods of 3.6 KB from one unpaged list body over 512 MiB',
      async () => {
        const count = 155_000;
        let written = 0;
        const tail = Buffer.from(
          `","namespace":"default","resourceVersion":"5","uid":"u","annotations":{"note":"${'x'.repeat(3_500)}"}},"spec":{}}`,
        );
        server.hostile = once(
          (watch) => !watch,
          (res) => {
            res.writeHead(200, { 'Content-Type': 'application/json' });
            res.write('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[');
            let i = 0;
            const pump = (): void => {
              while (i < count) {
                const head = Buffer.from(`${i === 0 ? '' : ','}{"metadata":{"name":"p-${i}`);
                i++;
                written += head.length + tail.length;
                res.write(head);
                if (!res.write(tail)) {
                  res.once('drain', pump);
                  return;
                }
              }
              res.end(']}');
            };
            pump();
          },
        );
        const t = start({}, { freeze: false });
        await until(() => t.informer.hasSynced(), 120_000);
        expect(t.informer.getStore().list()).toHaveLength(count);
        expect(written).toBeGreaterThan(512 * MiB);
      },
      180_000,
    );

  it('drops a watch whose line passes 128 MiB (a 200 MB line), relists and converges', async () => {
    const filler = Buffer.alloc(MiB, 0x78);
    server.hostile = once(
      (watch) => watch,
      (res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"type":"ADDED","object":{"metadata":{"name":"huge","annotations":{"x":"');
        let left = 200;
        const pump = (): void => {
          while (left > 0 && !res.destroyed) {
            left--;
            if (!res.write(filler)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        res.on('error', () => {});
        pump();
      },
    );
    const t = start();
    await until(() => t.informer.health().lastError instanceof WatchLineTooLongError);
    server.put('d');
    await until(() => t.names().join() === 'a,b,c,d');
    expect(t.informer.health().lastError?.message).toContain('watch pods.v1 at /api/v1/pods');
  }, 30_000);

  it('times out a list that never answers, then converges', async () => {
    const hung: http.ServerResponse[] = [];
    server.hostile = once(
      (watch) => !watch,
      (res) => hung.push(res),
    );
    const t = start({ responseTimeoutMs: 300 });
    await until(() => t.informer.hasSynced());
    const err = t.informer.health().lastError;
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect((err as RequestTimeoutError).phase).toBe('response');
    expect(err?.message).toBe('list pods.v1 at /api/v1/pods: no response within 300 ms');
    expect(t.names()).toEqual(['a', 'b', 'c']);
  });

  it('aborts a list that drips one byte a second, then converges', async () => {
    const timers: NodeJS.Timeout[] = [];
    server.hostile = once(
      (watch) => !watch,
      (res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const body = '{"kind":"PodList","items":[';
        let i = 0;
        const drip = setInterval(() => {
          if (res.destroyed) clearInterval(drip);
          else res.write(body[i++ % body.length] ?? ' ');
        }, 1000);
        timers.push(drip);
        res.write('{');
      },
    );
    const t = start({ bodyIdleTimeoutMs: 1_500 });
    await until(() => t.informer.hasSynced());
    for (const timer of timers) clearInterval(timer);
    const err = t.informer.health().lastError;
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect((err as RequestTimeoutError).phase).toBe('body');
    expect(t.names()).toEqual(['a', 'b', 'c']);
  });

  it('drops a watch left half-open by a proxy that stops forwarding, and converges', async () => {
    const proxy = await StallingProxy.start(server.port);
    running.push({ stop: () => proxy.close() });
    const t = start({ watchIdleTimeoutMs: 500 }, {}, server.kubeConfig(proxy.port));
    await until(() => t.informer.hasSynced() && server.requests >= 2);
    proxy.stall();
    server.put('d');
    server.remove('a');
    server.compact();
    await until(() => t.informer.health().lastError instanceof WatchInactivityError);
    await until(() => t.names().join() === 'b,c,d');
    expect(t.informer.health().lastError?.message).toContain('watch pods.v1 at /api/v1/pods');
  });

  it('fails a list whose continue token repeats, then converges', async () => {
    let repeats = 0;
    server.hostile = ({ watch, res, query }) => {
      if (watch || repeats >= 3) return false;
      if (query.continue) repeats++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const page = {
        kind: 'PodList',
        metadata: { resourceVersion: '1', continue: 'again' },
        items: [podNamed('x', 1)],
      };
      res.end(JSON.stringify(page));
      return true;
    };
    const t = start({}, { pageSize: 1 });
    await until(() => t.informer.health().lastError instanceof ListPagingError);
    await until(() => t.names().join() === 'a,b,c');
  });

  it.each([100_000, 2_200_000])(
    'obeys a watch Retry-After of %i s only up to maxRetryAfterMs, then converges',
    async (seconds) => {
      server.hostile = once(
        (watch) => watch,
        (res) => {
          const status = {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            code: 429,
            reason: 'TooManyRequests',
            message: 'slow down',
          };
          res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(seconds) });
          res.end(JSON.stringify(status));
        },
      );
      const t = start({}, { maxRetryAfterMs: 300 });
      await until(() => t.informer.health().lastError instanceof StatusError);
      const err = t.informer.health().lastError as StatusError;
      expect(err.code).toBe(429);
      expect(err.retryAfterSeconds).toBe(seconds);
      server.put('d');
      await until(() => t.names().join() === 'a,b,c,d', 5_000);
    },
  );
});

describe('connection reuse', () => {
  it('serves 10 informers × (paged list + watch + 3 re-watches) over a handful of connections', async () => {
    server.put('d', 'e');
    const watchesPerInformer = new Map<string, number>();
    server.hostile = ({ watch, res, query }) => {
      if (!watch) return false;
      const who = query.labelSelector ?? '';
      const n = (watchesPerInformer.get(who) ?? 0) + 1;
      watchesPerInformer.set(who, n);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const bookmark = {
        type: 'BOOKMARK',
        object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(server.resourceVersion) } },
      };
      res.write(`${JSON.stringify(bookmark)}\n`);
      if (n <= 3) setTimeout(() => res.end(), 20);
      return true;
    };
    const informers = Array.from({ length: 10 }, (_, i) =>
      start({ labelSelector: `informer=${i}` }, { pageSize: 2, name: `pods-${i}` }),
    );
    await until(() => [...watchesPerInformer.values()].filter((n) => n >= 4).length === 10);
    for (const t of informers) expect(t.names()).toEqual(['a', 'b', 'c', 'd', 'e']);
    // 10 × (3 pages + 4 watches) = 70 requests; one connection per concurrently open request at most.
    expect(server.requests).toBeGreaterThanOrEqual(70);
    expect(server.connections).toBeLessThanOrEqual(20);
  });
});
