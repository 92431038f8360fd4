/**
 * A manager replica in its own process, for the leader-election end-to-end tests. For each `campaign` message
 * it runs a Manager campaigning for that Lease on the API server named by a kubeconfig file (ending the
 * previous campaign first), runs a controller only while leading, and reports each step to the parent over
 * IPC with a wall-clock timestamp. `pause` makes every Lease request of the current campaign hang, as if the
 * network to the API server were cut; `stop` ends the campaign; disconnecting ends the process. One process
 * serves many campaigns, so the tests pay Node's start-up once per replica, not once per seed.
 *
 * argv: <kubeconfig file> <identity> <leaseDurationMs> <renewDeadlineMs> <retryPeriodMs>
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeLeaseLock } from './kube-clients.js';
import type { LeaderElectionRecord, LeaseLock, VersionedRecord } from './lease-lock.js';
import { Manager } from './manager.js';

/** What the child reports. */
export interface ChildReport {
  ev: 'ready' | 'renewed' | 'acquired' | 'controllers-started' | 'controllers-stopped' | 'lost' | 'exit';
  id: string;
  /** The campaign's Lease (`''` for `ready`). */
  lease: string;
  /** When it happened (for `renewed` and `acquired`: when the server's answer arrived). */
  at: number;
  detail?: string;
  /**
   * `acquired` only: when this candidate last saw the Lease change (the elector's `observedAt()`, from which it
   * counts leaseDuration before taking over) and when the winning attempt started (the record's acquireTime).
   */
  observedAt?: number;
  attemptAt?: number;
}

/** A deterministic PRNG (mulberry32) so a seed fixes every replica's jitter. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A lock whose requests hang once paused, until their signal aborts (a cut network, for good). It reports this
 * replica's successful renewals and its acquisition (with the elector's observation time) to the parent.
 */
class PausableLock implements LeaseLock {
  paused = false;
  /** The elector's last observation time, read when an acquiring write is sent. */
  observedAt: () => number = () => Number.NaN;
  constructor(
    readonly inner: LeaseLock,
    readonly report: (ev: 'renewed' | 'acquired', extra: Partial<ChildReport>) => void,
  ) {}
  describe(): string {
    return this.inner.describe();
  }
  async #gate(signal: AbortSignal): Promise<void> {
    if (!this.paused) return;
    await new Promise<void>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
  async get(signal: AbortSignal): Promise<VersionedRecord | undefined> {
    await this.#gate(signal);
    return this.inner.get(signal);
  }
  async create(record: LeaderElectionRecord, signal: AbortSignal): Promise<VersionedRecord> {
    await this.#gate(signal);
    return this.inner.create(record, signal);
  }
  async update(record: LeaderElectionRecord, rv: string, signal: AbortSignal): Promise<VersionedRecord> {
    await this.#gate(signal);
    // An acquisition writes acquireTime = renewTime = the attempt's start; a renewal keeps acquireTime.
    const acquiring = record.holderIdentity !== '' && record.acquireTime === record.renewTime;
    const observedAt = this.observedAt();
    const written = await this.inner.update(record, rv, signal);
    if (record.holderIdentity === '') return written;
    if (acquiring) this.report('acquired', { observedAt, attemptAt: record.acquireTime });
    else this.report('renewed', {});
    return written;
  }
}

/** A campaign the parent asks for: one Lease, one seed. */
export interface Campaign {
  cmd: 'campaign';
  lease: string;
  seed: number;
}

/** The parent's other commands: cut the current campaign off from the server, or stop it. */
export type ChildCommand = Campaign | { cmd: 'pause' } | { cmd: 'stop' };

function main(argv: string[]): void {
  const [file, id, ld, rd, rp] = argv;
  if (!file || !id)
    throw new Error('usage: <kubeconfig> <identity> <leaseDurationMs> <renewDeadlineMs> <retryPeriodMs>');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(file);
  let current: { lease: string; lock: PausableLock; abort: AbortController; done: Promise<void> } | undefined;
  const report = (lease: string, ev: ChildReport['ev'], detail?: string, extra: Partial<ChildReport> = {}): void => {
    process.send?.({ ev, id, lease, at: Date.now(), detail, ...extra } satisfies ChildReport);
  };
  const campaign = (c: Campaign): void => {
    const lock = new PausableLock(new KubeLeaseLock({ kubeConfig, namespace: 'default', name: c.lease }), (ev, x) =>
      report(c.lease, ev, undefined, x),
    );
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const manager = new Manager({
      kubeConfig,
      logger: quiet,
      leaderElection: {
        name: c.lease,
        identity: id,
        lock,
        leaseDurationMs: Number(ld),
        renewDeadlineMs: Number(rd),
        retryPeriodMs: Number(rp),
        random: seededRandom(c.seed),
      },
      gracefulShutdownTimeoutMs: 5_000,
    });
    const elector = manager.elector;
    if (elector) lock.observedAt = () => elector.observedAt();
    manager.informerFor({ version: 'v1', resource: 'configmaps', namespace: 'default' });
    manager.add({
      name: 'probe',
      run: async (signal) => {
        report(c.lease, 'controllers-started');
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        report(c.lease, 'controllers-stopped');
      },
    });
    const abort = new AbortController();
    const done = manager.start(abort.signal).then(
      () => report(c.lease, 'exit'),
      (err: unknown) => {
        const lost = err instanceof Error && err.name === 'LeaderElectionLostError';
        report(c.lease, lost ? 'lost' : 'exit', String(err));
      },
    );
    current = { lease: c.lease, lock, abort, done };
  };
  process.on('message', (m: ChildCommand) => {
    if (m.cmd === 'campaign') {
      const previous = current;
      previous?.abort.abort();
      void (previous?.done ?? Promise.resolve()).then(() => campaign(m));
    } else if (m.cmd === 'pause' && current) current.lock.paused = true;
    else if (m.cmd === 'stop' && current) current.abort.abort();
  });
  process.on('disconnect', () => {
    current?.abort.abort();
    void (current?.done ?? Promise.resolve()).then(() => process.exit(0));
  });
  process.send?.({ ev: 'ready', id, lease: '', at: Date.now() } satisfies ChildReport);
}

main(process.argv.slice(2));
