import type * as http from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { PodsServer, StallingProxy } from './hostile-test-kit.js';
import {
  ClusterAgents,
  DEFAULT_REQUEST_TIMEOUTS,
  RequestTimeoutError,
  type RequestTimeouts,
  sendGet,
} from './http-transport.js';
import { KubeListerWatcher } from './kube-lister-watcher.js';

const context = { verb: 'list', resource: 'pods.v1', path: '/api/v1/pods' };

describe('the keep-alive transport', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  async function setUp(): Promise<{
    server: PodsServer;
    proxy: StallingProxy;
    agents: ClusterAgents;
    kubeConfig: KubeConfig;
    list: (timeouts?: RequestTimeouts) => Promise<http.IncomingMessage>;
    watch: (timeouts?: RequestTimeouts) => Promise<http.IncomingMessage>;
  }> {
    const server = await PodsServer.start();
    closing.push(() => server.close());
    const proxy = await StallingProxy.start(server.port);
    closing.push(() => proxy.close());
    const agents = new ClusterAgents();
    closing.push(async () => agents.destroy());
    const kubeConfig = server.kubeConfig(proxy.port);
    const get =
      (kind: 'list' | 'watch', pathAndQuery: string) =>
      (timeouts: RequestTimeouts = {}): Promise<http.IncomingMessage> =>
        sendGet({
          kubeConfig,
          agents,
          pathAndQuery,
          kind,
          context: { ...context, verb: kind },
          timeouts: { ...DEFAULT_REQUEST_TIMEOUTS, ...timeouts },
        });
    const list = get('list', '/api/v1/pods');
    return { server, proxy, agents, kubeConfig, list, watch: get('watch', '/api/v1/pods?watch=true') };
  }

  async function drain(res: http.IncomingMessage): Promise<void> {
    for await (const _ of res) {
      // read to the end so the connection goes back to the pool
    }
  }

  it('closes the idle pooled connections once one of them times out, so the retry opens a fresh one', async () => {
    const { proxy, list } = await setUp();
    // Three connections in the pool: three lists at once, read to the end.
    await Promise.all((await Promise.all([list(), list(), list()])).map(drain));
    // Every pooled connection goes dead without closing (a NAT forgot them); new connections still work.
    proxy.stall();
    const failures: unknown[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await drain(await list({ responseTimeoutMs: 200 }));
        break;
      } catch (err) {
        failures.push(err);
      }
    }
    // One list waits out the timeout on a dead connection; the next one does not meet the other two.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(RequestTimeoutError);
    expect((failures[0] as RequestTimeoutError).phase).toBe('response');
  });

  it('closes the idle pooled connections when a watch goes silent, so the relist opens a fresh one', async () => {
    const { proxy, list, watch } = await setUp();
    await Promise.all((await Promise.all([list(), list()])).map(drain));
    const silent = await watch({ watchIdleTimeoutMs: 200 });
    // The watch and both idle connections go dead without closing.
    proxy.stall();
    const watchError = await drain(silent).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(watchError).toBeInstanceOf(RequestTimeoutError);
    expect((watchError as RequestTimeoutError).phase).toBe('watch-idle');
    // The relist does not meet a dead pooled connection: it is answered, well within its timeout.
    await drain(await list({ responseTimeoutMs: 5_000 }));
  });

  it('sends the list after a failed one on a new connection, past idle ones that died unseen', async () => {
    const { server, proxy, agents, kubeConfig } = await setUp();
    const pods = new KubeListerWatcher({
      kubeConfig,
      agents,
      version: 'v1',
      resource: 'pods',
      responseTimeoutMs: 5_000,
    });
    await Promise.all([pods.list({}), pods.list({}), pods.list({})]);
    // The server refuses one list with a 500; meanwhile every pooled connection dies without closing.
    let refused = 0;
    server.hostile = ({ watch, res }) => {
      if (watch || refused > 0) return false;
      refused++;
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: 'etcd' }));
      return true;
    };
    await expect(pods.list({})).rejects.toMatchObject({ code: 500 });
    proxy.stall();
    // The retry is answered at once instead of waiting 5 s on a dead pooled connection.
    await expect(pods.list({})).resolves.toMatchObject({ metadata: { resourceVersion: expect.any(String) } });
    expect(refused).toBe(1);
  });
});
