import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { failureStatus, type KubeObject, StatusError } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { ExponentialBackoff, RetryBudget } from '@kubecache/cache';
import { FakeControllerSource } from '@kubecache/cache/testing';
import { KubeConfig } from '@kubernetes/client-node';
import { isCertificateError } from './informer-health.js';
import { KubeListerWatcher } from './kube-lister-watcher.js';
import { SharedIndexInformer } from './shared-informer.js';
import { ScriptedServer } from './testing/scripted-server.js';
import { TEST_CERT, TEST_KEY } from './testing/test-certificate.js';

function kubeConfigFor(server: string, caData?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData, skipTLSVerify: false }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

let tlsServer: ScriptedServer | undefined;
afterEach(async () => {
  await tlsServer?.close();
  tlsServer = undefined;
  jest.restoreAllMocks();
});

describe('SharedIndexInformer configuration errors', () => {
  it.each([
    ['a CA that does not sign the certificate', (url: string) => kubeConfigFor(url)],
    [
      'a server name the certificate does not cover',
      (url: string) => kubeConfigFor(url.replace('127.0.0.1', 'localhost'), Buffer.from(TEST_CERT).toString('base64')),
    ],
  ])('#13 fails waitForCacheSync fast on %s', async (_what, kubeConfigOf) => {
    tlsServer = await ScriptedServer.start({ tls: { key: TEST_KEY, cert: TEST_CERT } });
    const errors: Error[] = [];
    const informer = new SharedIndexInformer<KubeObject>({
      listerWatcher: new KubeListerWatcher({
        kubeConfig: kubeConfigOf(tlsServer.url),
        version: 'v1',
        resource: 'pods',
      }),
      onError: (e) => void errors.push(e),
    });
    const ac = new AbortController();
    const run = informer.run(ac.signal);
    const patience = AbortSignal.timeout(20_000);
    let failure: unknown;
    try {
      await informer.waitForCacheSync(patience);
    } catch (err) {
      failure = err;
    }
    ac.abort();
    await run;
    expect(patience.aborted).toBe(false);
    expect(isCertificateError(failure)).toBe(true);
    expect(errors).toContain(failure);
    expect(tlsServer.requests).toHaveLength(0);
  });

  it('#13 logs every retried list/watch error by default, once per distinct error per minute', async () => {
    const lines: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const clock = new FakeClock(0);
    const source = new FakeControllerSource<KubeObject>();
    const informer = new SharedIndexInformer<KubeObject>({
      name: 'pods',
      listerWatcher: source,
      clock,
      backoff: new ExponentialBackoff({ clock, random: () => 0 }),
      retryBudget: new RetryBudget({ clock, random: () => 0 }),
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    source.failNextList(refused);
    source.failNextList(refused);
    source.failNextList(new StatusError(failureStatus(500, 'InternalError', 'etcd down')));
    const ac = new AbortController();
    const run = informer.run(ac.signal);
    await flushMicrotasks();
    await clock.stepAsync(800);
    await clock.stepAsync(1600);
    await clock.stepAsync(3200);
    expect(informer.hasSynced()).toBe(true);
    expect(lines).toEqual([
      '[kubecache informer pods] connect ECONNREFUSED 127.0.0.1:6443',
      '[kubecache informer pods] StatusError: etcd down',
    ]);
    ac.abort();
    await run;
  });
});
