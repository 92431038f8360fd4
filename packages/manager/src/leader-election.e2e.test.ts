/**
 * Leader election end to end: three manager processes campaign for one Lease on the embedded API server over
 * HTTP. Each seed fixes the replicas' jitter and when the test strikes. Timings are shortened
 * (lease 1.5 s, renew deadline 1 s, retry 0.2 s) to keep each run to a few seconds; `npm test` runs 3 seeds,
 * `npm run test:manager-deep` runs 20 (KUBECACHE_MANAGER_SEEDS).
 */

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer } from '@kubecache/apiserver';
import type { ChildReport } from './e2e-child-test-kit.js';

const LEASE_MS = 1_500;
const RENEW_MS = 1_000;
const RETRY_MS = 200;
const SEEDS = Number(process.env.KUBECACHE_MANAGER_SEEDS ?? 3);
/** Scheduling and HTTP allowance on a loaded 2-core machine. */
const SLACK_MS = 300;
const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.resolve(here, '../dist/e2e-child-test-kit.js');

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Three replicas and everything they reported. */
class Replicas {
  readonly reports: ChildReport[] = [];
  readonly children = new Map<string, ChildProcess>();
  readonly #waiters = new Set<() => void>();

  constructor(kubeconfigFile: string, lease: string, seed: number) {
    for (const n of [1, 2, 3]) {
      const id = `replica-${n}`;
      const child = fork(
        CHILD,
        [kubeconfigFile, id, lease, String(seed * 10 + n), String(LEASE_MS), String(RENEW_MS), String(RETRY_MS)],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] },
      );
      child.on('message', (m) => {
        this.reports.push(m as ChildReport);
        for (const w of this.#waiters) w();
      });
      child.on('exit', () => {
        for (const w of this.#waiters) w();
      });
      this.children.set(id, child);
    }
  }

  /** Waits until `pred` holds over the reports, or fails after `ms`. */
  async until<T>(pred: () => T | undefined, ms: number, what: string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.reports)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.add(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.#waiters.clear();
    }
  }

  started(): ChildReport[] {
    return this.reports.filter((r) => r.ev === 'controllers-started');
  }

  /** Leadership intervals [start, end) per replica; `ends` gives ends not reported (killed processes). */
  intervals(ends: Map<string, number>): { id: string; from: number; to: number }[] {
    return this.started().map((s) => {
      const stop = this.reports.find((r) => r.id === s.id && r.ev === 'controllers-stopped' && r.at >= s.at);
      return { id: s.id, from: s.at, to: stop?.at ?? ends.get(s.id) ?? Number.POSITIVE_INFINITY };
    });
  }

  async stop(): Promise<void> {
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
            c.kill('SIGTERM');
          }),
      ),
    );
  }
}

function assertNoOverlap(intervals: { id: string; from: number; to: number }[]): void {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as (typeof sorted)[number];
    const next = sorted[i] as (typeof sorted)[number];
    if (prev.to > next.from) {
      throw new Error(`leaders overlap: ${JSON.stringify(prev)} and ${JSON.stringify(next)}`);
    }
  }
}

describe('leader election across processes (embedded API server over HTTP)', () => {
  let server: Server;
  let dir: string;
  let kubeconfigFile: string;
  const measured: { seed: number; failoverMs: number; gapMs: number }[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(path.join(tmpdir(), 'kubecache-manager-'));
    kubeconfigFile = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfigFile, server.kubeconfigYaml);
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (measured.length > 0) {
      const f = measured.map((m) => m.failoverMs).filter((v) => v >= 0);
      const g = measured.map((m) => m.gapMs).filter((v) => v >= 0);
      console.log(
        `leader election, ${SEEDS} seeds: failover after SIGKILL ${Math.min(...f)}–${Math.max(...f)} ms ` +
          `(bound ${LEASE_MS + 2.2 * RETRY_MS + SLACK_MS} ms); partition gap stop→start ${Math.min(...g)}–${Math.max(...g)} ms`,
      );
    }
  });

  const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);

  it.each(seeds)(
    'seed %i: one leader; SIGKILL of its process hands over within leaseDuration + jittered retry',
    async (seed) => {
      const replicas = new Replicas(kubeconfigFile, `kill-${seed}`, seed);
      try {
        const first = await replicas.until(() => replicas.started()[0], 10_000, 'a first leader');
        // Let the election settle for a few lease periods: nobody else may start.
        await new Promise((r) => setTimeout(r, LEASE_MS + (seed % 5) * RETRY_MS));
        expect(replicas.started()).toHaveLength(1);
        const killedAt = Date.now();
        replicas.children.get(first.id)?.kill('SIGKILL');
        const next = await replicas.until(() => replicas.started()[1], 10_000, 'a new leader');
        expect(next.id).not.toBe(first.id);
        const failoverMs = next.at - killedAt;
        measured.push({ seed, failoverMs, gapMs: -1 });
        expect(failoverMs).toBeLessThanOrEqual(LEASE_MS + 2.2 * RETRY_MS + SLACK_MS);
        await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
        expect(replicas.started()).toHaveLength(2);
        assertNoOverlap(replicas.intervals(new Map([[first.id, killedAt]])));
      } finally {
        await replicas.stop();
      }
    },
  );

  it.each(seeds)(
    'seed %i: a leader cut off from the server stops its controllers before another starts',
    async (seed) => {
      const replicas = new Replicas(kubeconfigFile, `partition-${seed}`, seed);
      try {
        const first = await replicas.until(() => replicas.started()[0], 10_000, 'a first leader');
        await new Promise((r) => setTimeout(r, (seed % 7) * RETRY_MS));
        replicas.children.get(first.id)?.send('pause');
        const stopped = await replicas.until(
          () => replicas.reports.find((r) => r.id === first.id && r.ev === 'controllers-stopped'),
          10_000,
          'the partitioned leader to stop',
        );
        const next = await replicas.until(() => replicas.started()[1], 10_000, 'a new leader');
        expect(next.id).not.toBe(first.id);
        console.log(
          `seed ${seed}: ${first.id} stopped at ${new Date(stopped.at).toISOString()}, ` +
            `${next.id} started at ${new Date(next.at).toISOString()}`,
        );
        measured.push({ seed, failoverMs: -1, gapMs: next.at - stopped.at });
        expect(stopped.at).toBeLessThan(next.at);
        assertNoOverlap(replicas.intervals(new Map()));
        await replicas.until(
          () => replicas.reports.find((r) => r.id === first.id && r.ev === 'lost'),
          5_000,
          'the cut-off manager to report the lost lease',
        );
      } finally {
        await replicas.stop();
      }
    },
  );
});
