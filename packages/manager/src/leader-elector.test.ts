import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { LeaderElectionConfigError, LeaderElector, type LeaderElectorOptions } from './leader-elector.js';
import type { LeaderElectionRecord, VersionedRecord } from './lease-lock.js';
import { MemoryLeaseLock } from './lease-lock.js';

/** A lock whose calls hang while `paused` (a partition between one candidate and the server). */
class PausableLock extends MemoryLeaseLock {
  constructor(readonly shared: MemoryLeaseLock) {
    super();
  }
  paused = false;
  #hang<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    if (!this.paused) return fn();
    return new Promise<T>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  }
  override get(signal: AbortSignal): Promise<VersionedRecord | undefined> {
    return this.#hang(signal, () => this.shared.get(signal));
  }
  override create(record: LeaderElectionRecord, signal: AbortSignal): Promise<VersionedRecord> {
    return this.#hang(signal, () => this.shared.create(record, signal));
  }
  override update(record: LeaderElectionRecord, rv: string, signal: AbortSignal): Promise<VersionedRecord> {
    return this.#hang(signal, () => this.shared.update(record, rv, signal));
  }
}

interface Candidate {
  elector: LeaderElector;
  log: string[];
  abort: AbortController;
  run: Promise<'lost' | 'cancelled'>;
  leading: AbortSignal | undefined;
}

function candidate(
  clock: FakeClock,
  lock: MemoryLeaseLock,
  identity: string,
  extra: Partial<LeaderElectorOptions> = {},
): Candidate {
  const log: string[] = [];
  const c = { log, abort: new AbortController(), leading: undefined } as unknown as Candidate;
  c.elector = new LeaderElector({
    lock,
    identity,
    clock,
    random: () => 0.5,
    onError: () => {},
    callbacks: {
      onStartedLeading: (signal) => {
        c.leading = signal;
        log.push(`started@${clock.now()}`);
      },
      onStoppedLeading: () => log.push(`stopped@${clock.now()}`),
      onNewLeader: (id) => log.push(`leader=${id}`),
    },
    ...extra,
  });
  c.run = c.elector.run(c.abort.signal);
  return c;
}

describe('LeaderElector', () => {
  it('rejects options that break client-go rules', () => {
    const lock = new MemoryLeaseLock();
    expect(() => new LeaderElector({ lock, identity: '' })).toThrow(LeaderElectionConfigError);
    expect(() => new LeaderElector({ lock, identity: 'a', leaseDurationMs: 10_000 })).toThrow(/greater than renew/);
    expect(() => new LeaderElector({ lock, identity: 'a', renewDeadlineMs: 2_000 })).toThrow(/1.2/);
  });

  it('creates the lease when none exists and reports itself as the new leader', async () => {
    const clock = new FakeClock(1_000);
    const lock = new MemoryLeaseLock();
    const a = candidate(clock, lock, 'a');
    await clock.stepAsync(0);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.log).toEqual(['leader=a', 'started@1000']);
    expect(lock.current()?.record).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: 1_000,
      renewTime: 1_000,
      leaseTransitions: 0,
    });
    a.abort.abort();
    await expect(a.run).resolves.toBe('cancelled');
  });

  it('renews every retryPeriod without re-reading the lease and keeps acquireTime', async () => {
    const clock = new FakeClock(0);
    const lock = new MemoryLeaseLock();
    const a = candidate(clock, lock, 'a');
    await clock.stepAsync(0);
    const gets = lock.calls.get;
    for (let i = 0; i < 5; i++) await clock.stepAsync(2_000);
    expect(lock.current()?.record.renewTime).toBe(10_000);
    expect(lock.current()?.record.acquireTime).toBe(0);
    expect(lock.calls.get).toBe(gets);
    a.abort.abort();
    await a.run;
  });

  it('exactly one of three candidates leads, and the others see it as leader', async () => {
    const clock = new FakeClock(0);
    const lock = new MemoryLeaseLock();
    const cs = ['a', 'b', 'c'].map((id) => candidate(clock, lock, id));
    for (let i = 0; i < 20; i++) await clock.stepAsync(1_000);
    expect(cs.filter((c) => c.elector.isLeader())).toHaveLength(1);
    expect(cs.map((c) => c.elector.getLeader())).toEqual(['a', 'a', 'a']);
    for (const c of cs) c.abort.abort();
    await Promise.all(cs.map((c) => c.run));
  });

  it('a candidate takes over only after leaseDuration without change, then bumps leaseTransitions', async () => {
    const clock = new FakeClock(0);
    const lock = new MemoryLeaseLock();
    const a = candidate(clock, lock, 'a');
    await clock.stepAsync(0);
    const b = candidate(clock, lock, 'b');
    await clock.stepAsync(0);
    a.abort.abort(); // stops without releasing: the record stays as a last wrote it
    await a.run;
    let takeover: number | undefined;
    for (let t = 0; t < 20_000 && takeover === undefined; t += 100) {
      await clock.stepAsync(100);
      if (b.elector.isLeader()) takeover = clock.now();
    }
    expect(takeover).toBeGreaterThanOrEqual(15_000);
    expect(takeover).toBeLessThanOrEqual(15_000 + 2_000);
    expect(lock.current()?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.abort.abort();
    await b.run;
  });

  it('a follower sees every renewal within one retryPeriod, so it takes over within leaseDuration + retryPeriod of the last one', async () => {
    const clock = new FakeClock(0);
    const lock = new MemoryLeaseLock();
    const a = candidate(clock, lock, 'a');
    await clock.stepAsync(0);
    // random() = 0.99: a jittered wait would be 2000 × (1 + 0.99 × 1.2) = 4376 ms.
    const b = candidate(clock, lock, 'b', { random: () => 0.99 });
    await clock.stepAsync(0);
    const observedAt: number[] = [];
    let lastSeen = b.elector.observedAt();
    for (let t = 0; t < 9_000; t += 10) {
      await clock.stepAsync(10);
      if (b.elector.observedAt() === lastSeen) continue;
      lastSeen = b.elector.observedAt();
      observedAt.push(lastSeen);
    }
    // a renews at 2000, 4000, 6000, 8000; b polls every 2000 ms and sees each renewal at its next poll.
    const gaps = observedAt.slice(1).map((t, i) => t - (observedAt[i] as number));
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    for (const g of gaps) expect(g).toBe(2_000);
    const lastRenewal = lock.current()?.record.renewTime as number;
    a.abort.abort(); // killed: no release
    await a.run;
    let takeover: number | undefined;
    for (let t = 0; t < 20_000 && takeover === undefined; t += 10) {
      await clock.stepAsync(10);
      if (b.elector.isLeader()) takeover = clock.now();
    }
    expect(takeover).toBeDefined();
    expect((takeover as number) - lastRenewal).toBeGreaterThanOrEqual(15_000);
    expect((takeover as number) - lastRenewal).toBeLessThanOrEqual(15_000 + 2_000);
    b.abort.abort();
    await b.run;
  });

  it('a candidate whose poll straddles the expiry tries again at once, not a jittered retry period later', async () => {
    const clock = new FakeClock(0);
    const shared = new MemoryLeaseLock();
    const a = candidate(clock, shared, 'a');
    await clock.stepAsync(0);
    a.abort.abort(); // gone without releasing: the record stays as a wrote it
    await a.run;
    // b's reads take 150 ms: it sees the record at 150 (expiry 15 150) and polls at 2150·k, so the poll
    // started at 15 050 returns after the expiry.
    const slow = new PausableLock(shared);
    slow.get = async (signal) => {
      await clock.sleep(150, signal);
      return shared.get(signal);
    };
    const b = candidate(clock, slow, 'b', { random: () => 0.99 }); // a jittered wait would be 4376 ms
    let takeover: number | undefined;
    for (let t = 0; t < 25_000 && takeover === undefined; t += 10) {
      await clock.stepAsync(10);
      if (b.elector.isLeader()) takeover = clock.now();
    }
    expect(takeover).toBeDefined();
    expect(takeover as number).toBeGreaterThanOrEqual(150 + 15_000);
    expect(takeover as number).toBeLessThanOrEqual(150 + 15_000 + 2_000);
    b.abort.abort();
    await b.run;
  });

  it('releaseOnCancel empties the holder so a successor takes over at its next attempt', async () => {
    const clock = new FakeClock(0);
    const lock = new MemoryLeaseLock();
    const a = candidate(clock, lock, 'a', { releaseOnCancel: true });
    await clock.stepAsync(0);
    const b = candidate(clock, lock, 'b');
    await clock.stepAsync(0);
    a.abort.abort();
    await a.run;
    expect(lock.current()?.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await clock.stepAsync(3_200); // one jittered retry period: 2000 × (1 + 0.5 × 1.2)
    expect(b.elector.isLeader()).toBe(true);
    expect(b.log).toContain('leader=');
    b.abort.abort();
    await b.run;
  });

  it('a partitioned leader stops leading at renewDeadline, before any candidate can take over', async () => {
    const clock = new FakeClock(0);
    const shared = new MemoryLeaseLock();
    const lockA = new PausableLock(shared);
    const a = candidate(clock, lockA, 'a');
    await clock.stepAsync(0);
    const b = candidate(clock, shared, 'b');
    await clock.stepAsync(4_000);
    lockA.paused = true;
    const pausedAt = clock.now();
    let aborted: number | undefined;
    let bLeads: number | undefined;
    for (let t = 0; t < 30_000; t += 50) {
      await clock.stepAsync(50);
      if (aborted === undefined && a.leading?.aborted) aborted = clock.now();
      if (bLeads === undefined && b.elector.isLeader()) bLeads = clock.now();
    }
    await expect(a.run).resolves.toBe('lost');
    expect(aborted).toBeDefined();
    expect(bLeads).toBeDefined();
    expect(aborted as number).toBeLessThanOrEqual(pausedAt + 10_000);
    expect(aborted as number).toBeLessThan(bLeads as number);
    expect(a.log.at(-1)).toMatch(/^stopped@/);
    b.abort.abort();
    await b.run;
  });

  it('loses at once when a renewal finds another holder', async () => {
    const clock = new FakeClock(0);
    const lock = new MemoryLeaseLock();
    const a = candidate(clock, lock, 'a');
    await clock.stepAsync(0);
    const current = lock.current() as VersionedRecord;
    await lock.update({ ...current.record, holderIdentity: 'intruder' }, current.resourceVersion, AbortSignal.any([]));
    await clock.stepAsync(2_000);
    await expect(a.run).resolves.toBe('lost');
    expect(a.leading?.aborted).toBe(true);
    expect(a.log).toContain('leader=intruder');
  });

  it('a throwing callback is reported, and the election goes on', async () => {
    const clock = new FakeClock(0);
    const lock = new MemoryLeaseLock();
    const errors: unknown[] = [];
    const abort = new AbortController();
    const e = new LeaderElector({
      lock,
      identity: 'a',
      clock,
      onError: (err) => errors.push(err),
      callbacks: {
        onStartedLeading: () => {
          throw new Error('boom');
        },
      },
    });
    const run = e.run(abort.signal);
    await clock.stepAsync(2_000);
    expect(e.isLeader()).toBe(true);
    expect(String(errors[0])).toMatch(/boom/);
    abort.abort();
    await run;
  });

  it('a candidate that cannot reach the server retries every jittered retryPeriod, not in a tight loop', async () => {
    const clock = new FakeClock(0);
    const shared = new MemoryLeaseLock();
    const a = candidate(clock, shared, 'a');
    await clock.stepAsync(0);
    const lockB = new PausableLock(shared);
    const b = candidate(clock, lockB, 'b');
    await clock.stepAsync(0);
    a.abort.abort();
    await a.run;
    let gets = 0;
    lockB.get = async () => {
      gets++;
      throw new Error('ECONNREFUSED');
    };
    await clock.stepAsync(30_000);
    // 30 s at 2 s × (1 + 0.5 × 1.2) = 3.2 s per attempt: 9 attempts, give or take the first.
    expect(gets).toBeGreaterThanOrEqual(8);
    expect(gets).toBeLessThanOrEqual(10);
    b.abort.abort();
    await b.run;
  });
});
