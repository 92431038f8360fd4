/**
 * Leader election over a {@link LeaseLock}, with client-go's `leaderelection` semantics:
 *
 * ```
 *  candidate ──tryAcquire ok──> leader ──renew fails for renewDeadline──> lost (callbacks: stopped)
 *     ^   │                        │
 *     └───┘ retry every            └──signal aborts──> (release if releaseOnCancel) ──> stopped
 *           retryPeriod (following a held lease, woken at its expiry) or retryPeriod·(1+rand·1.2)
 * ```
 *
 * - A candidate may take the lease only once the record it last saw has not changed for `leaseDurationMs`,
 *   measured on its own clock from the moment it saw the change (never from the record's timestamps, so clock
 *   skew between replicas does not matter).
 * - Every write carries the resourceVersion it read; a concurrent writer makes it fail (optimistic concurrency).
 * - A leader renews every `retryPeriodMs`; when no renewal has succeeded for `renewDeadlineMs` since the start
 *   of the last successful one, it stops leading at once. Because `renewDeadlineMs < leaseDurationMs`, a leader
 *   cut off from the server stops before any other candidate can take over.
 */
import { type Clock, errorReporter, realClock } from '@kubecache/apimachinery';
import { type LeaderElectionRecord, type LeaseLock, sameRecord, type VersionedRecord } from './lease-lock.js';

/** What the elector tells its owner. Each callback's errors are reported, never thrown into the elector. */
export interface LeaderCallbacks {
  /** Became leader; `signal` aborts the moment leadership ends. */
  onStartedLeading?(signal: AbortSignal): void;
  /** Stopped leading (lease lost, or run ended). Called once when `run` ends, as client-go does. */
  onStoppedLeading?(): void;
  /** The observed leader changed (`''` when the lease was released). */
  onNewLeader?(identity: string): void;
}

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions {
  /** Where the election is held. Required. */
  lock: LeaseLock;
  /** This candidate's unique identity (e.g. `hostname_uuid`). Required, non-empty. */
  identity: string;
  /** Non-leaders wait this long after the last observed change before taking over, ms. Default 15 000. */
  leaseDurationMs?: number;
  /** A leader gives up when renewals fail for this long, ms. Default 10 000. Must be < leaseDurationMs. */
  renewDeadlineMs?: number;
  /** Time between attempts, ms. Default 2 000. Must satisfy renewDeadlineMs > 1.2 × retryPeriodMs. */
  retryPeriodMs?: number;
  /** Release the lease (holder `''`) when `run`'s signal aborts, so a successor need not wait. Default false. */
  releaseOnCancel?: boolean;
  /** Lifecycle callbacks. Default none. */
  callbacks?: LeaderCallbacks;
  /** Time source. Default the real clock. */
  clock?: Clock;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Told about failed attempts and throwing callbacks. Default a log line naming the lock, once a minute. */
  onError?: (err: unknown) => void;
}

/** client-go's `JitterFactor`: candidates wait retryPeriod × (1 + rand × 1.2) between attempts. */
export const LEADER_ELECTION_JITTER = 1.2;

/** The options break one of client-go's rules (e.g. renewDeadline ≥ leaseDuration). */
export class LeaderElectionConfigError extends Error {
  override readonly name = 'LeaderElectionConfigError';
}

/**
 * Runs one candidate in a leader election.
 *
 * @example
 * const elector = new LeaderElector({ lock, identity: 'pod-a', releaseOnCancel: true, callbacks: {
 *   onStartedLeading: (signal) => void runControllers(signal),
 *   onStoppedLeading: () => console.log('stopped leading'),
 * }});
 * await elector.run(signal);
 */
export class LeaderElector {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly #o: LeaderElectorOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #report: (err: unknown) => void;
  #observed: VersionedRecord | undefined;
  #observedTime = 0;
  #reportedLeader: string | undefined;
  /** The last attempt read the lease held by another candidate and still valid. */
  #following = false;
  #running = false;

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    const report = errorReporter(`leader election ${options.lock.describe()}`, { clock: this.#clock });
    this.#report = options.onError ?? ((err) => report(err, options.identity));
    validate(this);
  }

  /** Whether this candidate holds the lease as last observed. */
  isLeader(): boolean {
    return this.#observed?.record.holderIdentity === this.identity;
  }

  /** The holder last observed (`''` if released or unknown). */
  getLeader(): string {
    return this.#observed?.record.holderIdentity ?? '';
  }

  /**
   * Campaigns until it wins, leads until the lease is lost or `signal` aborts, then calls `onStoppedLeading`.
   * Resolves `'lost'` when leadership was lost, `'cancelled'` when the signal ended it. Call it once.
   */
  async run(signal: AbortSignal): Promise<'lost' | 'cancelled'> {
    if (this.#running) throw new Error(`leader elector ${this.identity} is already running`);
    this.#running = true;
    try {
      const acquiredAt = await this.#acquire(signal);
      if (acquiredAt === undefined) return 'cancelled';
      const leading = new AbortController();
      this.#callback(() => this.#o.callbacks?.onStartedLeading?.(leading.signal));
      const outcome = await this.#renew(acquiredAt, signal);
      leading.abort(new Error(`leader election ${this.#o.lock.describe()}: ${outcome}`));
      if (outcome === 'cancelled' && this.#o.releaseOnCancel) await this.release();
      return outcome;
    } finally {
      this.#callback(() => this.#o.callbacks?.onStoppedLeading?.());
    }
  }

  /** Tries until it holds the lease; returns the start time of the winning attempt, or undefined if aborted. */
  async #acquire(signal: AbortSignal): Promise<number | undefined> {
    while (!signal.aborted) {
      const started = this.#clock.now();
      if (await this.#tryAcquireOrRenew(signal)) return started;
      try {
        await this.#clock.sleep(this.#nextCandidateWait(), signal);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /**
   * The wait before the next attempt. Following a valid lease (the last attempt read it held by another):
   * exactly retryPeriod, cut short to wake when it expires. Otherwise (no lease, released, expired yet not
   * taken, an error, a lost race): a jittered retryPeriod, so contending candidates do not write in step.
   *
   * Why followers poll without jitter: a candidate can only count the lease's expiry from the moment it
   * *saw* the last renewal, so every millisecond between a renewal and the poll that sees it is added to the
   * failover. A jittered poll (up to 2.2 × retryPeriod) would add up to 2.2 × retryPeriod; an even one adds
   * at most retryPeriod, which gives failover within leaseDuration + retryPeriod of the last renewal (plus
   * request latency). The polls are reads; jitter only matters for the writes, which happen at expiry.
   */
  #nextCandidateWait(): number {
    const jittered = this.retryPeriodMs * (1 + this.#random() * LEADER_ELECTION_JITTER);
    if (!this.#following || !this.#observed) return jittered;
    // The lease was valid when the attempt started; if it expired while the GET was in flight, try again now
    // rather than a retry period late.
    const untilExpiry = this.#observedTime + this.leaseDurationMs - this.#clock.now();
    return Math.max(0, Math.min(this.retryPeriodMs, untilExpiry));
  }

  /** Renews every retryPeriod until a renewal deadline passes (lost) or the signal aborts (cancelled). */
  async #renew(lastRenewStart: number, signal: AbortSignal): Promise<'lost' | 'cancelled'> {
    let last = lastRenewStart;
    for (;;) {
      try {
        await this.#clock.sleep(this.retryPeriodMs, signal);
      } catch {
        return 'cancelled';
      }
      const renewed = await this.#renewBefore(last + this.renewDeadlineMs, signal);
      if (renewed === undefined) return signal.aborted ? 'cancelled' : 'lost';
      last = renewed;
    }
  }

  /** Retries a renewal until `deadline`; returns the start time of the attempt that succeeded. */
  async #renewBefore(deadline: number, signal: AbortSignal): Promise<number | undefined> {
    while (!signal.aborted && this.#clock.now() < deadline) {
      const started = this.#clock.now();
      const attempt = this.#deadlineSignal(deadline, signal);
      const ok = await this.#tryAcquireOrRenew(attempt.signal).finally(attempt.dispose);
      if (ok && this.#clock.now() < deadline) return started;
      if (signal.aborted || !this.#wasLeaderAfterFailure()) return undefined;
      const wait = Math.min(this.retryPeriodMs, deadline - this.#clock.now());
      if (wait <= 0) return undefined;
      try {
        await this.#clock.sleep(wait, signal);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** After a failed renewal: another holder observed means the lease is gone, no point retrying. */
  #wasLeaderAfterFailure(): boolean {
    const holder = this.#observed?.record.holderIdentity;
    return holder === this.identity || holder === '' || holder === undefined;
  }

  #deadlineSignal(deadline: number, parent: AbortSignal): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    const timer = this.#clock.setTimeout(
      () => controller.abort(new Error('renew deadline passed')),
      deadline - this.#clock.now(),
    );
    return {
      signal: controller.signal,
      dispose: () => {
        this.#clock.clearTimeout(timer);
        parent.removeEventListener('abort', onAbort);
      },
    };
  }

  /** One attempt (client-go's `tryAcquireOrRenew`): true when this candidate holds the lease afterwards. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    this.#following = false;
    const now = this.#clock.now();
    const desired = this.#desiredRecord(now);
    // Fast path: a leader whose lease is still valid writes over the version it holds, without a read.
    if (this.isLeader() && this.#isLeaseValid(now) && this.#observed) {
      const held = this.#observed.record;
      const renewal = { ...desired, acquireTime: held.acquireTime, leaseTransitions: held.leaseTransitions };
      if (
        await this.#write(() => this.#o.lock.update(renewal, this.#observed?.resourceVersion ?? '', signal), signal)
      ) {
        return true;
      }
      if (signal.aborted) return false;
    }
    let current: VersionedRecord | undefined;
    try {
      current = await untilAborted(this.#o.lock.get(signal), signal);
    } catch (err) {
      this.#report(err);
      return false;
    }
    if (!current) return this.#write(() => this.#o.lock.create(desired, signal), signal);
    if (!sameRecord(current.record, this.#observed?.record)) this.#observe(current, this.#clock.now());
    else this.#observed = current;
    const holder = current.record.holderIdentity;
    if (holder !== '' && holder !== this.identity && this.#isLeaseValid(now)) {
      this.#following = true;
      return false;
    }
    if (holder === this.identity) {
      desired.acquireTime = current.record.acquireTime;
      desired.leaseTransitions = current.record.leaseTransitions;
    } else desired.leaseTransitions = current.record.leaseTransitions + 1;
    return this.#write(() => this.#o.lock.update(desired, current.resourceVersion, signal), signal);
  }

  async #write(op: () => Promise<VersionedRecord>, signal: AbortSignal): Promise<boolean> {
    try {
      this.#observe(await untilAborted(op(), signal), this.#clock.now());
      return true;
    } catch (err) {
      this.#report(err);
      return false;
    }
  }

  #desiredRecord(now: number): LeaderElectionRecord {
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
  }

  #isLeaseValid(now: number): boolean {
    return this.#observedTime + this.leaseDurationMs > now;
  }

  #observe(observed: VersionedRecord, at: number): void {
    this.#observed = observed;
    this.#observedTime = at;
    const holder = observed.record.holderIdentity;
    if (holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    this.#callback(() => this.#o.callbacks?.onNewLeader?.(holder));
  }

  /** Clock time (ms) at which the record was last seen to change (or was written by this candidate). */
  observedAt(): number {
    return this.#observedTime;
  }

  /**
   * Gives the lease up (holder `''`, duration 1 s) so a successor can take it at once. A no-op unless this
   * candidate holds it. Call it after `run` has ended (`releaseOnCancel` does that itself).
   */
  async release(): Promise<void> {
    const held = this.#observed;
    if (!held || !this.isLeader()) return;
    const now = this.#clock.now();
    const released: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: held.record.leaseTransitions,
    };
    const attempt = this.#deadlineSignal(now + this.renewDeadlineMs, new AbortController().signal);
    const write = () => this.#o.lock.update(released, held.resourceVersion, attempt.signal);
    await this.#write(write, attempt.signal).finally(attempt.dispose);
  }

  #callback(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#report(err);
    }
  }
}

function validate(e: LeaderElector): void {
  const fail = (msg: string): never => {
    throw new LeaderElectionConfigError(`leader election: ${msg}`);
  };
  if (!e.identity) fail('identity must not be empty');
  if (!(e.leaseDurationMs > 0 && e.renewDeadlineMs > 0 && e.retryPeriodMs > 0)) fail('durations must be > 0');
  if (e.leaseDurationMs <= e.renewDeadlineMs) fail('leaseDurationMs must be greater than renewDeadlineMs');
  if (e.renewDeadlineMs <= LEADER_ELECTION_JITTER * e.retryPeriodMs) {
    fail('renewDeadlineMs must be greater than 1.2 × retryPeriodMs');
  }
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts (a lock may ignore it). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
