import { describe, expect, it } from '@jest/globals';
import { MemoryStorage } from '@kubecache/storage';
import { createStorageBackend, StorageConfigError } from './storage-backend.js';
import { storageWithCacher } from './storage-with-cacher.js';

describe('createStorageBackend', () => {
  it('makes one memory storage by default', async () => {
    const backend = await createStorageBackend();
    expect(backend.type).toBe('memory');
    expect(backend.storage).toBeInstanceOf(MemoryStorage);
    await backend.close();
  });

  it('refuses etcd2 and an etcd3 config without servers with a clear error', async () => {
    await expect(createStorageBackend({ type: 'etcd2' })).rejects.toThrow(
      new StorageConfigError('storage type "etcd2" is no longer supported; use "etcd3" (or "memory")'),
    );
    await expect(createStorageBackend({ type: 'etcd3' })).rejects.toThrow(/needs serverList/);
  });
});

describe('storageWithCacher', () => {
  it('serves reads from a started Cacher over the storage and tears both down', async () => {
    const storage = new MemoryStorage();
    await storage.create('/pods/ns/a', { metadata: { name: 'a', namespace: 'ns' } });
    const { cacher, destroy } = await storageWithCacher(storage, { resourcePrefix: '/pods', capacity: 10 });
    await cacher.waitUntilReady();
    const list = await cacher.getList('/pods', { recursive: true, resourceVersion: '0' });
    expect(list.items.map((o) => o.metadata?.name)).toEqual(['a']);
    await destroy();
    expect(cacher.ready.state).toBe('Stopped');
    expect(storage.watcherCount).toBe(0);
  });

  it('creates the storage from a backend config when given one', async () => {
    const { cacher, storage, destroy } = await storageWithCacher({ type: 'memory' }, { resourcePrefix: '/configmaps' });
    const created = await storage.create('/configmaps/ns/x', { metadata: { name: 'x', namespace: 'ns' } });
    await cacher.waitUntilReady();
    const got = await cacher.get('/configmaps/ns/x', { resourceVersion: created.metadata?.resourceVersion ?? '' });
    expect(got?.metadata?.name).toBe('x');
    await destroy();
  });
});
