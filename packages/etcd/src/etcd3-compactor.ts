/**
 * The compactor (the apiserver's `etcd3/compact.go`): every interval, a compare-and-swap on the key
 * `compact_rev_key` elects one compactor among all API servers sharing the cluster (its Version is a
 * logical clock), and the winner compacts etcd at the revision it saw on the previous tick. History is so
 * kept for one to two intervals, and a watch that falls further behind gets 410 and relists.
 */
import type { Clock, TimerHandle } from '@kubecache/apimachinery';
import type { Etcd3 } from 'etcd3';

/** The key API servers coordinate compaction on (outside every prefix, as in Kubernetes). */
export const COMPACT_REV_KEY = 'compact_rev_key';

/** Options of {@link Compactor}. */
export interface CompactorOptions {
  client: Etcd3;
  /** Time between ticks, in ms. */
  intervalMs: number;
  clock: Clock;
  /** Compacts etcd at a revision (the storage's `compact`, which records it). */
  compact: (revision: number) => Promise<void>;
  /** Receives failures; the compactor keeps ticking. */
  onError: (err: Error) => void;
}

/** Periodic, cluster-wide coordinated compaction. */
export class Compactor {
  readonly #o: CompactorOptions;
  #timer: TimerHandle | undefined;
  #stopped = false;
  /** Version of compact_rev_key we last saw (the logical clock). */
  #version = 0;
  /** The revision seen at the previous tick: what the next tick compacts. */
  #revision = 0;

  constructor(options: CompactorOptions) {
    this.#o = options;
  }

  /** Starts ticking. */
  start(): void {
    this.#schedule();
  }

  /** Stops ticking; a tick in flight finishes on its own. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One round: win the CAS, then compact at the previous round's revision. Exposed for tests. */
  async tick(): Promise<void> {
    const key = Buffer.from(COMPACT_REV_KEY);
    const res = await this.#o.client.kv.txn({
      compare: [{ key, target: 'Version', result: 'Equal', version: this.#version }],
      success: [{ request_put: { key, value: Buffer.from(String(this.#revision)) } }],
      failure: [{ request_range: { key } }],
    });
    const current = Number(res.header.revision);
    if (!res.succeeded) {
      // Another compactor ticked; follow its clock and try again next round.
      this.#version = Number(res.responses[0]?.response_range?.kvs[0]?.version ?? 0);
      this.#revision = current;
      return;
    }
    this.#version += 1;
    const target = this.#revision;
    this.#revision = current;
    if (target > 0) await this.#o.compact(target);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.tick()
        .catch((err: unknown) => this.#o.onError(err instanceof Error ? err : new Error(String(err))))
        .finally(() => this.#schedule());
    }, this.#o.intervalMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
