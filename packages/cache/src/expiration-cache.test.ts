import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { ExpirationCache, type TimestampedEntry, TTLPolicy } from './expiration-cache.js';
import { KeyError } from './keys.js';
import { FakeExpirationPolicy } from './testing/fake-expiration-policy.js';

interface Obj extends KubeObject {
  value: string;
}

const obj = (name: string, value = ''): Obj => ({ metadata: { name }, value });

/** A cache with the fake policy, recording expired keys as client-go's delete channel does. */
function fakeExpirationStore(neverExpire: string[] = []) {
  const expired: string[] = [];
  const policy = new FakeExpirationPolicy<Obj>({ neverExpire });
  const cache = new ExpirationCache<Obj>({ policy, clock: new FakeClock(), onExpire: (key) => expired.push(key) });
  return { cache, policy, expired };
}

describe('ExpirationCache', () => {
  describe('with the fake expiration policy', () => {
    it('does not return an expired entry and reports its key (TestTTLExpirationBasic)', () => {
      const { cache, expired } = fakeExpirationStore();
      cache.add(obj('foo', 'bar'));
      expect(cache.get(obj('foo'))).toBeUndefined();
      expect(expired).toEqual(['foo']);
      expect(cache.listKeys()).toEqual([]);
    });

    it('serves a re-added item once its key never expires (TestReAddExpiredItem)', () => {
      const { cache, policy, expired } = fakeExpirationStore();
      cache.add(obj('foo', 'bar'));
      expect(cache.getByKey('foo')).toBeUndefined();
      cache.add(obj('foo', 'baz'));
      policy.neverExpire.add('foo');
      expect(cache.getByKey('foo')?.value).toBe('baz');
      expect(expired).toEqual(['foo']);
    });

    it('lists only the entries that have not expired (TestTTLList)', () => {
      const { cache, expired } = fakeExpirationStore(['foo1']);
      for (const name of ['foo', 'foo1', 'foo2']) cache.add(obj(name, name));
      expect(cache.list().map((o) => o.value)).toEqual(['foo1']);
      expect(expired.sort()).toEqual(['foo', 'foo2']);
    });

    it('lists expired keys from listKeys until a read drops them', () => {
      const { cache } = fakeExpirationStore();
      cache.add(obj('a'));
      cache.add(obj('b'));
      expect(cache.listKeys().sort()).toEqual(['a', 'b']);
      cache.getByKey('a');
      expect(cache.listKeys()).toEqual(['b']);
    });

    it('uses the retrieve key function when given one', () => {
      const policy = new FakeExpirationPolicy<Obj>({
        neverExpire: ['keep'],
        retrieveKeyFunc: (entry) => entry.obj.value,
      });
      const cache = new ExpirationCache<Obj>({ policy });
      cache.add(obj('a', 'keep'));
      cache.add(obj('b', 'drop'));
      expect(cache.list().map((o) => o.metadata?.name)).toEqual(['a']);
    });
  });

  describe('TTLPolicy (TestTTLPolicy)', () => {
    const ttl = 30_000;
    const clock = new FakeClock(1_000_000);
    const entry = (timestamp: number): TimestampedEntry<Obj> => ({ obj: obj('x'), timestamp, key: 'x' });
    it.each([
      ['exactly ttl old', ttl, 1_000_000 - ttl, false],
      ['written now', ttl, 1_000_000, false],
      ['1 ms older than ttl', ttl, 1_000_000 - ttl - 1, true],
      ['any age with ttl 0', 0, 0, false],
      ['any age with ttl -1', -1, 0, false],
    ])('treats an entry %s as expired=%s', (_case, policyTtl, timestamp, want) => {
      expect(new TTLPolicy<Obj>({ ttlMs: policyTtl, clock }).isExpired(entry(timestamp))).toBe(want);
    });
  });

  describe('with a TTL and a fake clock', () => {
    function ttlCache() {
      const clock = new FakeClock(0);
      return { clock, cache: new ExpirationCache<Obj>({ ttlMs: 1_000, clock }) };
    }

    it('keeps an entry until strictly more than the TTL has passed', () => {
      const { clock, cache } = ttlCache();
      cache.add(obj('a', '1'));
      clock.step(1_000);
      expect(cache.getByKey('a')?.value).toBe('1');
      clock.step(1);
      expect(cache.getByKey('a')).toBeUndefined();
    });

    it('restarts the lifetime on update', () => {
      const { clock, cache } = ttlCache();
      cache.add(obj('a', '1'));
      clock.step(800);
      cache.update(obj('a', '2'));
      clock.step(800);
      expect(cache.getByKey('a')?.value).toBe('2');
    });

    it('stamps every replaced item with the same time', () => {
      const { clock, cache } = ttlCache();
      cache.add(obj('old'));
      clock.step(500);
      cache.replace([obj('a'), obj('b')], '1');
      expect(cache.listKeys().sort()).toEqual(['a', 'b']);
      clock.step(1_001);
      expect(cache.list()).toEqual([]);
    });

    it('never expires with the default TTL of 0', () => {
      const clock = new FakeClock(0);
      const cache = new ExpirationCache<Obj>({ clock });
      cache.add(obj('a'));
      clock.step(10 ** 12);
      expect(cache.getByKey('a')).toEqual(obj('a'));
    });
  });

  describe('writes', () => {
    it('removes an entry at once on delete', () => {
      const cache = new ExpirationCache<Obj>({ ttlMs: 1_000, clock: new FakeClock() });
      cache.add(obj('a'));
      cache.delete(obj('a'));
      expect(cache.listKeys()).toEqual([]);
    });

    it('changes nothing when a replace item has no name', () => {
      const cache = new ExpirationCache<Obj>({ clock: new FakeClock() });
      cache.add(obj('a'));
      expect(() => cache.replace([obj('b'), { value: 'x' }], '1')).toThrow(KeyError);
      expect(cache.listKeys()).toEqual(['a']);
    });

    it('wraps a key function that throws a plain error into a KeyError', () => {
      const cache = new ExpirationCache<Obj>({
        keyFunc: () => {
          throw new Error('nope');
        },
      });
      expect(() => cache.add(obj('a'))).toThrow(KeyError);
    });
  });
});

describe('ExpirationCache resource-version tracking (review)', () => {
  it('records the version of replace and bookmark, as its inner thread-safe store does', () => {
    const cache = new ExpirationCache<Obj>({ ttlMs: 0 });
    expect(cache.lastStoreSyncResourceVersion()).toBe('');
    cache.replace([obj('a', '1')], '10');
    expect(cache.lastStoreSyncResourceVersion()).toBe('10');
    cache.bookmark('12');
    expect(cache.lastStoreSyncResourceVersion()).toBe('12');
  });

  it('keeps the version when a replace fails on a bad key', () => {
    const cache = new ExpirationCache<Obj>({ ttlMs: 0 });
    cache.replace([obj('a', '1')], '10');
    expect(() => cache.replace([{ value: 'x' } as Obj], '11')).toThrow(KeyError);
    expect(cache.lastStoreSyncResourceVersion()).toBe('10');
    expect(cache.listKeys()).toEqual(['a']);
  });
});

describe('ExpirationCache divergences found by differential testing', () => {
  it("#6 ExpirationCache delete records the deleted object's resource version", () => {
    const cache = new ExpirationCache<Obj>({ ttlMs: 0 });
    cache.add({ metadata: { name: 'a', resourceVersion: '5' }, value: '' });
    expect(cache.lastStoreSyncResourceVersion()).toBe('');
    cache.delete({ metadata: { name: 'a', resourceVersion: '7' }, value: '' });
    expect(cache.lastStoreSyncResourceVersion()).toBe('7');
  });
});
