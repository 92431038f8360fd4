import { FakeClock } from '@kubecache/apimachinery/testing';
import { ExpirationCache, TTLPolicy } from './expiration-cache.js';
import { type ContractObject, describeStoreContract } from './store.contract.js';
import { IndexedStore } from './thread-safe-store.js';
import { UndeltaStore } from './undelta-store.js';

describeStoreContract('IndexedStore', () => new IndexedStore<ContractObject>(), {
  deepFrozen: true,
  tracksResourceVersion: true,
});

describeStoreContract(
  'IndexedStore with a transform and indexes',
  () =>
    new IndexedStore<ContractObject>({
      transform: (o) => ({ ...o, metadata: { ...o.metadata } }),
      indexers: { byValue: (o) => [o.value] },
    }),
  { deepFrozen: true, tracksResourceVersion: true },
);

describeStoreContract('IndexedStore without freezing', () => new IndexedStore<ContractObject>({ freeze: false }), {
  tracksResourceVersion: true,
});

describeStoreContract('UndeltaStore', () => new UndeltaStore<ContractObject>({ push: () => {} }), {
  deepFrozen: true,
  tracksResourceVersion: true,
});

describeStoreContract(
  'ExpirationCache (TTL, nothing expired yet)',
  () => {
    const clock = new FakeClock(1_000);
    return new ExpirationCache<ContractObject>({ policy: new TTLPolicy({ ttlMs: 30_000, clock }), clock });
  },
  { deepFrozen: true },
);
