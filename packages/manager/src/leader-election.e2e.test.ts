/**
 * Leader election end to end: three manager processes campaign for one Lease on the embedded API server over
 * HTTP. Per seed (which fixes the replicas' jitter and when the test strikes): exactly one leads; SIGKILL of
 * its process hands over in time; the new leader, cut off from the server, stops its controllers before the
 * last replica starts; leadership intervals never overlap. Timings are shortened (lease 1.5 s, renew deadline
 * 1 s, retry 0.2 s); `npm test` runs 3 seeds, `npm run test:manager-deep` 20 (KUBECACHE_MANAGER_SEEDS).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer } from '@kubecache/apiserver';
import type { ChildCommand, ChildReport } from './e2e-child-test-kit.js';

const LEASE_MS = 1_500;
const RENEW_MS = 1_000;
const RETRY_MS = 200;
const SEEDS = Number(process.env.KUBECACHE_MANAGER_SEEDS ?? 3);
/**
 * The failover bound, leaseDuration + retryPeriod, and where it is measured from.
 *
 * A candidate cannot know when the leader last renewed (clocks of different machines are not compared); it
 * counts leaseDuration from the moment it *saw* the Lease change, as client-go does. So failover splits into:
 *  1. observation lag: last renewal written → the winner's poll that sees it. A candidate following a held
 *     lease polls every retryPeriod (not jittered: a jittered poll, up to 2.2 × retryPeriod, is what made
 *     earlier runs overshoot), so this is at most retryPeriod plus the latency of the GETs around it and
 *     timer lateness (on a loaded 2-core machine, up to ~180 ms of those were seen).
 *  2. expiry wait: that observation → the winner's acquiring attempt. The elector wakes at the expiry it
 *     computed, so this is leaseDuration plus timer lateness; never less (that would be unsafe).
 *  3. the acquiring GET + PUT and the controllers starting.
 * Asserted exactly, without allowance: 2 lies in [leaseDuration, leaseDuration + retryPeriod] — the issue's
 * bound, measured from the last renewal the winner observed (client-go's reference point). End to end from
 * the SIGKILL, 1 + 2 + 3 is within leaseDuration + retryPeriod only up to the latencies of 1 and 3 (the kill
 * may come right after a renewal that the winner then sees a full retryPeriod later); that is bounded with
 * an allowance for HTTP and scheduling on a loaded 2-core machine (END_TO_END_SLACK_MS) and reported.
 */
const FAILOVER_BOUND_MS = LEASE_MS + RETRY_MS;
const END_TO_END_SLACK_MS = 300;
const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.resolve(here, '../dist/e2e-child-test-kit.js');

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Long-lived replica processes (one Node start-up each, not one per seed) and everything they reported. */
class Replicas {
  readonly reports: ChildReport[] = [];
  readonly children = new Map<string, ChildProcess>();
  readonly #waiters = new Set<() => void>();
  #spawned = 0;

  constructor(readonly kubeconfigFile: string) {
    for (let i = 0; i < 3; i++) this.spawn();
  }

  spawn(): void {
    const id = `replica-${++this.#spawned}`;
    const args = [this.kubeconfigFile, id, String(LEASE_MS), String(RENEW_MS), String(RETRY_MS)];
    const child = fork(CHILD, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    child.on('message', (m) => {
      this.reports.push(m as ChildReport);
      this.#wake();
    });
    child.on('exit', () => this.#wake());
    this.children.set(id, child);
  }

  send(id: string, command: ChildCommand): void {
    this.children.get(id)?.send(command);
  }

  /** SIGKILLs a replica and starts a fresh one in its place (for the next seed). */
  kill(id: string): void {
    this.children.get(id)?.kill('SIGKILL');
    this.children.delete(id);
    this.spawn();
  }

  /** Waits until `pred` gives a value, or fails after `ms` with the reports so far. */
  async until<T>(pred: () => T | undefined, ms: number, what: string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.reports)}`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, 50);
        this.#waiters.add(done);
      });
    }
  }

  of(lease: string, ev: ChildReport['ev'], id?: string): ChildReport[] {
    return this.reports.filter((r) => r.lease === lease && r.ev === ev && (id === undefined || r.id === id));
  }

  /** Leadership intervals of one campaign; `ends` closes those whose process was killed. */
  intervals(lease: string, ends: Map<string, number>): { id: string; from: number; to: number }[] {
    return this.of(lease, 'controllers-started').map((s) => {
      const stop = this.of(lease, 'controllers-stopped', s.id).find((r) => r.at >= s.at);
      return { id: s.id, from: s.at, to: stop?.at ?? ends.get(s.id) ?? Number.POSITIVE_INFINITY };
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 8_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.disconnect();
          }),
      ),
    );
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}

function assertNoOverlap(intervals: { id: string; from: number; to: number }[]): void {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as (typeof sorted)[number];
    const next = sorted[i] as (typeof sorted)[number];
    if (prev.to > next.from) throw new Error(`leaders overlap: ${JSON.stringify(prev)} and ${JSON.stringify(next)}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();

describe('leader election across processes (embedded API server over HTTP)', () => {
  let server: Server;
  let dir: string;
  let replicas: Replicas;
  const measured: { failoverMs: number; fromRenewalMs: number; expiryWaitMs: number; lagMs: number; gapMs: number }[] =
    [];

  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(path.join(tmpdir(), 'kubecache-manager-'));
    const kubeconfigFile = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfigFile, server.kubeconfigYaml);
    replicas = new Replicas(kubeconfigFile);
  });

  afterAll(async () => {
    await replicas?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (measured.length > 0) {
      const stats = (k: keyof (typeof measured)[number]) => {
        const v = measured.map((m) => m[k]).sort((a, b) => a - b);
        const mid =
          v.length % 2
            ? (v[(v.length - 1) / 2] as number)
            : ((v[v.length / 2 - 1] as number) + (v[v.length / 2] as number)) / 2;
        return `min ${v[0]} / median ${mid} / max ${v.at(-1)} ms`;
      };
      console.log(
        [
          `leader election, ${measured.length} seeds (leaseDuration ${LEASE_MS} ms, retryPeriod ${RETRY_MS} ms):`,
          `  last observed renewal → acquiring attempt: ${stats('expiryWaitMs')} (bound ${FAILOVER_BOUND_MS} ms)`,
          `  last renewal written → winner saw it: ${stats('lagMs')}`,
          `  last renewal written → new leader's controllers: ${stats('fromRenewalMs')}`,
          `  SIGKILL → new leader's controllers: ${stats('failoverMs')} (bound ${FAILOVER_BOUND_MS} + ${END_TO_END_SLACK_MS} ms)`,
          `  cut-off leader stopped → next started: ${stats('gapMs')}`,
        ].join('\n'),
      );
    }
  });

  it.each(Array.from({ length: SEEDS }, (_, i) => i + 1))(
    'seed %i: one leader of three; SIGKILL hands over in time; a cut-off leader stops before the next starts',
    async (seed) => {
      const lease = `election-${seed}`;
      const ids = [...replicas.children.keys()];
      await replicas.until(
        () => (ids.every((id) => replicas.reports.some((r) => r.id === id && r.ev === 'ready')) ? true : undefined),
        20_000,
        'the replicas to start',
      );
      for (const [n, id] of ids.entries()) replicas.send(id, { cmd: 'campaign', lease, seed: seed * 10 + n });
      const started = () => replicas.of(lease, 'controllers-started');

      // 1. Exactly one of three leads, and stays the only one for a lease period and then some.
      const first = await replicas.until(() => started()[0], 15_000, 'a first leader');
      await sleep(LEASE_MS + (seed % 5) * RETRY_MS);
      expect(started()).toHaveLength(1);

      // 2. SIGKILL the leader's process: another leads within the bound.
      const killedAt = Date.now();
      replicas.kill(first.id);
      const second = await replicas.until(() => started()[1], 10_000, 'a leader after SIGKILL');
      const failoverMs = second.at - killedAt;
      expect(second.id).not.toBe(first.id);
      const acquired = replicas.of(lease, 'acquired', second.id)[0] as ChildReport;
      const lastRenewal = replicas.of(lease, 'renewed', first.id).at(-1) as ChildReport;
      const observedAt = acquired.observedAt as number;
      const expiryWaitMs = (acquired.attemptAt as number) - observedAt;
      expect(expiryWaitMs).toBeGreaterThanOrEqual(LEASE_MS); // never before the lease it saw has expired
      expect(expiryWaitMs).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
      expect(failoverMs).toBeLessThanOrEqual(FAILOVER_BOUND_MS + END_TO_END_SLACK_MS);

      // 3. Cut the new leader off from the server: it stops its controllers before the last one starts.
      await sleep((seed % 7) * RETRY_MS);
      replicas.send(second.id, { cmd: 'pause' });
      const stopped = await replicas.until(
        () => replicas.of(lease, 'controllers-stopped', second.id)[0],
        10_000,
        'the cut-off leader to stop',
      );
      const third = await replicas.until(() => started()[2], 10_000, 'a leader after the cut');
      console.log(
        `seed ${seed}: ${first.id} last renewed ${iso(lastRenewal.at)}, killed ${iso(killedAt)}; ` +
          `${second.id} saw that renewal ${iso(observedAt)}, acquired ${iso(acquired.attemptAt as number)}, ` +
          `started ${iso(second.at)}, cut off, stopped ${iso(stopped.at)}; ${third.id} started ${iso(third.at)}`,
      );
      measured.push({
        failoverMs,
        fromRenewalMs: second.at - lastRenewal.at,
        expiryWaitMs,
        lagMs: observedAt - lastRenewal.at,
        gapMs: third.at - stopped.at,
      });
      expect(new Set([first.id, second.id, third.id]).size).toBe(3);
      expect(stopped.at).toBeLessThan(third.at);
      assertNoOverlap(replicas.intervals(lease, new Map([[first.id, killedAt]])));
      await replicas.until(() => replicas.of(lease, 'lost', second.id)[0], 5_000, 'the cut-off manager to give up');

      // End the campaign on every live replica before the next seed.
      for (const id of ids) if (id !== first.id) replicas.send(id, { cmd: 'stop' });
      await replicas.until(
        () => (replicas.of(lease, 'exit', third.id).length > 0 ? true : undefined),
        8_000,
        'the last leader to shut down',
      );
    },
  );
});
