/**
 * The resource a leader election is held on, behind a small interface (client-go's `resourcelock.Interface`),
 * so the election logic runs against an in-memory lock in unit tests and against a `coordination.k8s.io/v1`
 * Lease over HTTP in production ({@link KubeLeaseLock}).
 */

/** What the lock records about the current leader (client-go's `LeaderElectionRecord`). Times are ms. */
export interface LeaderElectionRecord {
  /** Identity of the holder; `''` once released. */
  holderIdentity: string;
  /** How long candidates wait after the last observed change before taking over, in whole seconds. */
  leaseDurationSeconds: number;
  /** When the current holder acquired the lease (ms since the epoch). */
  acquireTime: number | undefined;
  /** When the current holder last renewed it (ms since the epoch). */
  renewTime: number | undefined;
  /** How many times the lease changed hands. */
  leaseTransitions: number;
}

/** A record as read from (or written to) the server, with the version that guards the next write. */
export interface VersionedRecord {
  readonly record: LeaderElectionRecord;
  /** The opaque resourceVersion to send with the next update (optimistic concurrency). */
  readonly resourceVersion: string;
}

/**
 * Reads and writes the election record. `update` must fail when `resourceVersion` is no longer current
 * (409 Conflict on a Lease): that is what makes two candidates unable to both win.
 */
export interface LeaseLock {
  /** `namespace/name`, for log lines. */
  describe(): string;
  /** The current record, or `undefined` when the lock object does not exist. */
  get(signal: AbortSignal): Promise<VersionedRecord | undefined>;
  /** Creates the lock object; rejects if it already exists. */
  create(record: LeaderElectionRecord, signal: AbortSignal): Promise<VersionedRecord>;
  /** Replaces the record if `resourceVersion` is still current; rejects otherwise. */
  update(record: LeaderElectionRecord, resourceVersion: string, signal: AbortSignal): Promise<VersionedRecord>;
}

/** Two records are the same observation when every field matches. */
export function sameRecord(a: LeaderElectionRecord | undefined, b: LeaderElectionRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** The lock object already exists (create) or changed since it was read (update). */
export class LeaseConflictError extends Error {
  override readonly name = 'LeaseConflictError';
}

/**
 * A lock held in memory, shared by the electors of one test: the same optimistic-concurrency contract as a
 * Lease, with calls that can be made to hang (a partition) or fail.
 *
 * @example
 * const lock = new MemoryLeaseLock();
 * const a = new LeaderElector({ lock, identity: 'a', clock, callbacks });
 */
export class MemoryLeaseLock implements LeaseLock {
  #stored: VersionedRecord | undefined;
  #version = 0;
  /** Calls made so far, by kind (tests assert on the traffic). */
  readonly calls = { get: 0, create: 0, update: 0 };

  describe(): string {
    return 'memory/lease';
  }

  /** The stored record (tests). */
  current(): VersionedRecord | undefined {
    return this.#stored;
  }

  async get(signal: AbortSignal): Promise<VersionedRecord | undefined> {
    this.calls.get++;
    signal.throwIfAborted();
    return this.#stored;
  }

  async create(record: LeaderElectionRecord, signal: AbortSignal): Promise<VersionedRecord> {
    this.calls.create++;
    signal.throwIfAborted();
    if (this.#stored) throw new LeaseConflictError(`lease ${this.describe()} already exists`);
    return this.#store(record);
  }

  async update(record: LeaderElectionRecord, resourceVersion: string, signal: AbortSignal): Promise<VersionedRecord> {
    this.calls.update++;
    signal.throwIfAborted();
    if (!this.#stored || this.#stored.resourceVersion !== resourceVersion) {
      throw new LeaseConflictError(`lease ${this.describe()} changed since resourceVersion ${resourceVersion}`);
    }
    return this.#store(record);
  }

  #store(record: LeaderElectionRecord): VersionedRecord {
    this.#stored = { record: { ...record }, resourceVersion: String(++this.#version) };
    return this.#stored;
  }
}
