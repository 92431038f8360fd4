import { describe, expect, it } from '@jest/globals';
import { MemoryStorage } from './memory-storage.js';
import { type ContractPod, contractPod, describeStorageContract } from './storage.contract.js';

describeStorageContract('MemoryStorage', () => {
  const storage = new MemoryStorage<ContractPod>({ historySize: 1000 });
  return { storage, compact: async (rev: number) => storage.compact(rev) };
});

describe('MemoryStorage', () => {
  it('compacts by itself when its history overflows', async () => {
    const storage = new MemoryStorage<ContractPod>({ historySize: 3 });
    for (let i = 0; i < 5; i++) await storage.create(`/pods/a/p${i}`, contractPod('a', `p${i}`));
    expect(storage.compactRevision()).toBe(storage.revision - 2);
  });

  it('refuses a key outside its resource prefix', async () => {
    const storage = new MemoryStorage<ContractPod>({ resourcePrefix: '/pods' });
    await expect(storage.create('/secrets/a/x', contractPod('a', 'x'))).rejects.toThrow(/lacks resource prefix/);
  });

  it('refuses an object without a name with a 422', async () => {
    const storage = new MemoryStorage<ContractPod>();
    const pod = contractPod('a', 'x');
    delete pod.metadata.name;
    await expect(storage.create('/pods/a/x', pod)).rejects.toMatchObject({ code: 422 });
    expect(await storage.count('/pods')).toBe(0);
  });
});
