import { describe, expect, it, jest } from '@jest/globals';
import type { Clock, TimerHandle } from '@kubecache/apimachinery';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { MemoryStorage } from './memory-storage.js';
import { type ContractPod, contractPod, describeStorageContract } from './testing/storage.contract.js';

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

  it('deletes an object whose TTL ran out, with a DELETED event, unless it was updated', async () => {
    const clock = new FakeClock(0);
    const storage = new MemoryStorage<ContractPod>({ clock });
    await storage.create('/pods/a/x', contractPod('a', 'x'), { ttlSeconds: 60 });
    await storage.create('/pods/a/y', contractPod('a', 'y'), { ttlSeconds: 60 });
    await storage.guaranteedUpdate('/pods/a/y', { tryUpdate: (c) => ({ ...c!, spec: { value: 'kept' } }) });
    const rv = String(storage.revision);
    const events: string[] = [];
    storage.watch('/pods', { recursive: true, resourceVersion: rv }).subscribe((e) => events.push(e.type));
    clock.step(59_999);
    expect(await storage.count('/pods')).toBe(2);
    clock.step(1);
    expect(await storage.get('/pods/a/x', { ignoreNotFound: true })).toBeUndefined();
    expect((await storage.get('/pods/a/y'))?.spec.value).toBe('kept');
    expect(events).toEqual(['DELETED']);
  });

  it('releases every pending TTL timer when closed, keeping the objects', async () => {
    const clock = new FakeClock(0);
    const storage = new MemoryStorage<ContractPod>({ clock });
    await storage.create('/pods/a/x', contractPod('a', 'x'), { ttlSeconds: 60 });
    await storage.create('/pods/a/y', contractPod('a', 'y'), { ttlSeconds: 30 });
    expect(clock.pendingTimers()).toBe(2);
    storage.close();
    expect(clock.pendingTimers()).toBe(0);
    clock.step(60_000);
    expect(await storage.count('/pods')).toBe(2);
  });

  it('does not let a pending TTL timer keep the process alive', async () => {
    const unref = jest.fn();
    const fake = new FakeClock(0);
    const clock: Clock = {
      now: () => fake.now(),
      setTimeout: (fn, ms) => ({ id: fake.setTimeout(fn, ms), unref }) as unknown as TimerHandle,
      clearTimeout: (h) => fake.clearTimeout((h as unknown as { id: TimerHandle }).id),
      sleep: (ms, signal) => fake.sleep(ms, signal),
    };
    const storage = new MemoryStorage<ContractPod>({ clock });
    await storage.create('/pods/a/x', contractPod('a', 'x'), { ttlSeconds: 60 });
    expect(unref).toHaveBeenCalledTimes(1);
    storage.close();
    expect(fake.pendingTimers()).toBe(0);
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
