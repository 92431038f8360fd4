import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { isStorageError } from '@kubecache/storage';
import { type ContractPod, contractPod } from '@kubecache/storage/testing';
import { firstValueFrom } from 'rxjs';
import { EtcdConfigError } from './etcd3-client.js';
import { Etcd3Storage, type Etcd3StorageOptions } from './etcd3-storage.js';
import { describeWithEtcd } from './testing/etcd-gate.js';
import { startEtcd, type TestEtcd } from './testing/start-etcd.js';

describeWithEtcd('Etcd3Storage over TLS with client certificates', () => {
  let etcd: TestEtcd;
  beforeAll(async () => {
    etcd = await startEtcd({ tls: true });
  });
  afterAll(() => etcd?.stop());

  async function withStorage(
    options: Partial<Etcd3StorageOptions<ContractPod>>,
    fn: (s: Etcd3Storage<ContractPod>) => Promise<void>,
  ) {
    const storage = new Etcd3Storage<ContractPod>({
      serverList: etcd.endpoints,
      compactionIntervalMs: 0,
      dialTimeoutMs: 2000,
      requestTimeoutMs: 2000,
      ...options,
    });
    try {
      await fn(storage);
    } finally {
      await storage.close();
    }
  }

  it('writes, reads and watches with the CA and a client certificate', () => {
    const tls = etcd.tls!;
    return withStorage({ caFile: tls.ca, certFile: tls.clientCert, keyFile: tls.clientKey }, async (s) => {
      const created = await s.create('/pods/a/x', contractPod('a', 'x'));
      const event = firstValueFrom(
        s.watch('/pods', { recursive: true, resourceVersion: created.metadata.resourceVersion! }),
      );
      await s.delete('/pods/a/x');
      expect((await event).type).toBe('DELETED');
      expect(etcd.endpoints[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    });
  });

  it('fails with a clear Unreachable error when the CA does not match the server', () => {
    const tls = etcd.tls!;
    return withStorage({ caFile: tls.otherCa, certFile: tls.clientCert, keyFile: tls.clientKey }, async (s) => {
      const err = await s.get('/pods/a/x', { ignoreNotFound: true }).catch((e: unknown) => e);
      expect(isStorageError(err, 'Unreachable')).toBe(true);
      expect((err as Error).message).toContain(etcd.endpoints[0]);
      expect((err as Error).message).toMatch(/unable to verify the first certificate/);
    });
  });

  it('fails with a clear Unreachable error without a client certificate', () => {
    const tls = etcd.tls!;
    return withStorage({ caFile: tls.ca }, async (s) => {
      const err = await s.create('/pods/a/y', contractPod('a', 'y')).catch((e: unknown) => e);
      expect(isStorageError(err, 'Unreachable')).toBe(true);
      expect((err as Error).message).toContain(etcd.endpoints[0]);
      expect((err as Error).message).toMatch(/bad certificate/);
    });
  });

  it('refuses TLS files with http:// endpoints, and a certificate without its key, at construction', () => {
    const tls = etcd.tls!;
    const http = etcd.endpoints.map((e) => e.replace('https:', 'http:'));
    expect(() => new Etcd3Storage({ serverList: http, caFile: tls.ca })).toThrow(EtcdConfigError);
    expect(() => new Etcd3Storage({ serverList: etcd.endpoints, caFile: tls.ca, certFile: tls.clientCert })).toThrow(
      /certFile and keyFile must be given together/,
    );
    expect(() => new Etcd3Storage({ serverList: etcd.endpoints, caFile: '/nonexistent/ca.pem' })).toThrow(
      /cannot read caFile \/nonexistent\/ca.pem/,
    );
  });
});
