/**
 * One manager replica in its own process, for the leader-election end-to-end tests: it campaigns for a Lease
 * on the API server named by a kubeconfig file, runs a controller only while leading, and reports each step
 * to the parent over IPC with a wall-clock timestamp. `pause` (from the parent) makes every Lease request hang,
 * as if the network to the API server were cut; `resume` ends that. SIGTERM shuts it down cleanly.
 *
 * argv: <kubeconfig file> <identity> <lease name> <seed> <leaseDurationMs> <renewDeadlineMs> <retryPeriodMs>
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeLeaseLock } from './kube-clients.js';
import type { LeaderElectionRecord, LeaseLock, VersionedRecord } from './lease-lock.js';
import { Manager } from './manager.js';

/** What the child reports. */
export interface ChildReport {
  ev: 'ready' | 'controllers-started' | 'controllers-stopped' | 'lost' | 'exit';
  id: string;
  at: number;
  detail?: string;
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

/** A lock whose requests hang while paused (until resumed or their signal aborts). */
class PausableLock implements LeaseLock {
  paused = false;
  readonly #waiters = new Set<() => void>();
  constructor(readonly inner: LeaseLock) {}
  describe(): string {
    return this.inner.describe();
  }
  resume(): void {
    this.paused = false;
    for (const w of this.#waiters) w();
    this.#waiters.clear();
  }
  async #gate(signal: AbortSignal): Promise<void> {
    if (!this.paused) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
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
    return this.inner.update(record, rv, signal);
  }
}

async function main(argv: string[]): Promise<void> {
  const [file, id, leaseName, seed, ld, rd, rp] = argv;
  if (!file || !id || !leaseName) throw new Error('usage: <kubeconfig> <identity> <lease> <seed> <ld> <rd> <rp>');
  const report = (ev: ChildReport['ev'], detail?: string): Promise<void> =>
    new Promise((resolve) => {
      if (!process.send) return resolve();
      process.send({ ev, id, at: Date.now(), detail } satisfies ChildReport, () => resolve());
    });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(file);
  const lock = new PausableLock(new KubeLeaseLock({ kubeConfig, namespace: 'default', name: leaseName }));
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const manager = new Manager({
    kubeConfig,
    logger: quiet,
    leaderElection: {
      name: leaseName,
      identity: id,
      lock,
      leaseDurationMs: Number(ld),
      renewDeadlineMs: Number(rd),
      retryPeriodMs: Number(rp),
      random: seededRandom(Number(seed)),
    },
    gracefulShutdownTimeoutMs: 5_000,
  });
  manager.informerFor({ version: 'v1', resource: 'configmaps', namespace: 'default' });
  manager.add({
    name: 'probe',
    run: async (signal) => {
      void report('controllers-started');
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      void report('controllers-stopped');
    },
  });
  const abort = new AbortController();
  process.on('SIGTERM', () => abort.abort());
  process.on('message', (m) => {
    if (m === 'pause') lock.paused = true;
    if (m === 'resume') lock.resume();
  });
  void report('ready');
  let code = 0;
  try {
    await manager.start(abort.signal);
    await report('exit');
  } catch (err) {
    code = err instanceof Error && err.name === 'LeaderElectionLostError' ? 3 : 1;
    await report(code === 3 ? 'lost' : 'exit', String(err));
  }
  // Exit now: the runtime would otherwise wait for idle keep-alive sockets of client-node's requests.
  process.exit(code);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
