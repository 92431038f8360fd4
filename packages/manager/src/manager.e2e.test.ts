/**
 * The manager against the embedded API server over real HTTP (client-node for Leases and Events, our
 * informers for list/watch): exact metrics after a scripted workload, /readyz following cache sync and an
 * informer in backoff, and 100 identical Events folded into one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer } from '@kubecache/apiserver';
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { Manager } from './manager.js';
import { parsePromText, sampleValue } from './testing/prom-text.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function configMap(name: string, label: string): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { e2e: label } } };
}

describe('Manager against the embedded API server', () => {
  let server: Server;
  let core: CoreV1Api;

  beforeAll(async () => {
    server = await startTestServer();
    core = server.kubeConfig.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('/metrics shows exact adds, retries, reconcile results, lists and requests after a scripted workload', async () => {
    const mgr = new Manager({
      kubeConfig: server.kubeConfig,
      metricsPort: 0,
      logger: quiet,
      leaderElection: { name: 'metrics-e2e', leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 500 },
    });
    const cms = mgr.informerFor({
      version: 'v1',
      resource: 'configmaps',
      namespace: 'default',
      labelSelector: 'e2e=metrics',
    });
    const attempts = new Map<string, number>();
    const ctrl = mgr.addController({
      name: 'configmaps',
      reconcile: async (key) => {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (key === 'default/flaky' && n === 1) throw new Error('first attempt fails');
        if (key === 'default/later' && n === 1) return { requeueAfterMs: 50 };
      },
      onError: () => {},
    });
    cms.addEventHandler({ onAdd: (cm) => ctrl.enqueue(`${cm.metadata?.namespace}/${cm.metadata?.name}`) });
    const { metrics } = await mgr.listen();
    const abort = new AbortController();
    const run = mgr.start(abort.signal);
    try {
      await eventually(() => cms.hasSynced(), 10_000, 'sync');
      for (const name of ['ok', 'flaky', 'later']) {
        await core.createNamespacedConfigMap({ namespace: 'default', body: configMap(name, 'metrics') });
      }
      await eventually(
        () =>
          attempts.get('default/ok') === 1 &&
          attempts.get('default/flaky') === 2 &&
          attempts.get('default/later') === 2,
        10_000,
        'the scripted reconciles',
      );
      await new Promise((r) => setTimeout(r, 100)); // the last reconcile's metrics are recorded after it returns
      const samples = parsePromText(await (await fetch(`${metrics}/metrics`)).text());
      const v = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels);
      const q = { name: 'configmaps' };
      const c = { controller: 'configmaps' };
      expect({
        adds: v('workqueue_adds_total', q),
        retries: v('workqueue_retries_total', q),
        depth: v('workqueue_depth', q),
        success: v('controller_runtime_reconcile_total', { ...c, result: 'success' }),
        error: v('controller_runtime_reconcile_total', { ...c, result: 'error' }),
        requeueAfter: v('controller_runtime_reconcile_total', { ...c, result: 'requeue_after' }),
        requeue: v('controller_runtime_reconcile_total', { ...c, result: 'requeue' }),
        errors: v('controller_runtime_reconcile_errors_total', c),
        reconciles: v('controller_runtime_reconcile_time_seconds_count', c),
        lists: v('reflector_lists_total', { name: 'v1/configmaps@default' }),
        relists: v('reflector_relists_total', { name: 'v1/configmaps@default' }),
        watches: v('reflector_watches_total', { name: 'v1/configmaps@default' }),
        get200: v('rest_client_requests_total', { code: '200', method: 'GET' }),
        leaseGet404: v('rest_client_requests_total', { code: '404', method: 'GET' }),
        leaseCreated: v('rest_client_requests_total', { code: '201', method: 'POST' }),
        leader: v('leader_election_master_status', { name: 'metrics-e2e' }),
      }).toEqual({
        adds: 5, // three keys, one rate-limited retry, one requeueAfter
        retries: 2,
        depth: 0,
        success: 3,
        error: 1,
        requeueAfter: 1,
        requeue: 0,
        errors: 1,
        reconciles: 5,
        lists: 1,
        relists: undefined,
        watches: 1,
        get200: 2, // the list and the watch
        leaseGet404: 1, // the first campaign finds no Lease…
        leaseCreated: 1, // …and creates it
        leader: 1,
      });
      // Renewals (PUT) come every retry period; their count depends on time, so wait for one.
      await eventually(
        async () => {
          const now = parsePromText(await (await fetch(`${metrics}/metrics`)).text());
          return sampleValue(now, 'rest_client_requests_total', { code: '200', method: 'PUT' });
        },
        5_000,
        'a lease renewal counted as PUT 200',
      );
      const rv = v('reflector_last_resource_version', { name: 'v1/configmaps@default' });
      expect(rv).toBeGreaterThan(0);
    } finally {
      abort.abort();
      await run;
    }
  });

  it('/readyz is ready after sync and not ready while an informer has been failing past the threshold', async () => {
    const own = await startTestServer();
    const mgr = new Manager({
      kubeConfig: own.kubeConfig,
      healthPort: 0,
      readinessBackoffThresholdMs: 300,
      logger: quiet,
      informerOptions: { onError: () => {} },
    });
    mgr.informerFor({ version: 'v1', resource: 'configmaps', namespace: 'default' });
    const { health } = await mgr.listen();
    const readyz = async () => (await fetch(`${health}/readyz?verbose`)).status;
    expect(await readyz()).toBe(503);
    const abort = new AbortController();
    const run = mgr.start(abort.signal);
    let stopped = false;
    try {
      await eventually(async () => (await readyz()) === 200, 10_000, '/readyz 200 after sync');
      await own.stop();
      stopped = true;
      const downAt = Date.now();
      await eventually(async () => (await readyz()) === 503, 10_000, '/readyz 503 with the server gone');
      expect(Date.now() - downAt).toBeGreaterThanOrEqual(300);
      const text = await (await fetch(`${health}/readyz?verbose`)).text();
      expect(text).toMatch(/\[-\]informers failed: informers failing for more than 300 ms: v1\/configmaps@default/);
      expect((await fetch(`${health}/healthz`)).status).toBe(200);
    } finally {
      abort.abort();
      await run;
      if (!stopped) await own.stop();
    }
  });

  it('100 identical events on one object become one Event with count 100', async () => {
    const mgr = new Manager({ kubeConfig: server.kubeConfig, logger: quiet });
    const recorder = mgr.eventRecorderFor('e2e-recorder');
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('noisy', 'events') });
    for (let i = 0; i < 100; i++) recorder.event(cm as never, 'Warning', 'Noisy', 'the same thing happened again');
    await recorder.flush();
    const list = await core.listNamespacedEvent({ namespace: 'default' });
    const mine = list.items.filter((e) => e.involvedObject.name === 'noisy' && e.reason === 'Noisy');
    expect(mine.map((e) => [e.count, e.message, e.type, e.source?.component])).toEqual([
      [100, 'the same thing happened again', 'Warning', 'e2e-recorder'],
    ]);
    recorder.stop();
  });
});
