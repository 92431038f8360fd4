import { afterAll, beforeAll } from '@jest/globals';
import { type ContractPod, describeStorageContract } from '@kubecache/storage/testing';
import { Etcd3Storage } from './etcd3-storage.js';
import { describeWithEtcd } from './testing/etcd-gate.js';
import { startEtcd, type TestEtcd } from './testing/start-etcd.js';

describeWithEtcd('Etcd3Storage on etcd 3.4', () => {
  let etcd: TestEtcd;
  let n = 0;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd?.stop());

  // Each test gets its own prefix in one etcd; compaction is global, which the contract allows.
  describeStorageContract('Etcd3Storage', () => {
    const storage = new Etcd3Storage<ContractPod>({
      serverList: etcd.endpoints,
      prefix: `/contract-${n++}`,
      compactionIntervalMs: 0,
    });
    return { storage, compact: (rev: number) => storage.compact(rev), close: () => storage.close() };
  });
});
