/**
 * Initial sync of 100k pods of about 3.5 KB each from a pod server in its own process over loopback HTTP,
 * served unpaged (one response, as kube-apiserver serves `resourceVersion=0` from its watch cache) and
 * paged (500 a page): time, CPU, peak RSS (the OS's high-water mark, above the process's baseline after
 * imports) and event-loop stalls (p50/p99/max), for our informer (in-order queue with freezing on and off,
 * DeltaFIFO), a bare `JSON.parse` + `Map` client and client-node's `makeInformer` (which never pages: its list
 * function is client-node's own). Then, for our informers, a relist of the same 100k pods (the server expires
 * the watch with a 410) and its stalls, and the same relist by the bare client (a fresh map swapped in).
 * Stalls are CPU-attributed (`stall-sampler.ts`: a late timer tick counts only as long as the main thread ran
 * meanwhile, so time the OS gave the cores to other processes is not billed to us). Beside them: the stalls
 * attributed to the whole process's CPU (the collector's helper threads count too, so a descheduled main
 * thread waiting on them is billed), the wall-clock maximum, the stalls with the garbage-collection pauses
 * inside them taken out, and the GC pauses by kind for every client, the bare one included: a pause the
 * bare client suffers as well is the runtime's floor, not our code's.
 *
 * Sync times on a shared machine are noisy: the paged cases the time targets compare (bare, ours with
 * freezing off and on) run `INITIAL_SYNC_REPEATS` times (default 3) interleaved, and the ratios use medians.
 *
 * Targets: peak RSS ≤ 0.30× client-node's and ≤ 1.2× the bare paged client's; sync time ≤ 1.10× the bare
 * paged client's with freezing off, ≤ 1.25× with it on; the longest stall ≤ 50 ms during the sync and
 * during the relist, paged and unpaged, both queues. Each target ends in a PASS or MISS line.
 *
 * Run: `npx tsc -b && node --expose-gc packages/informers/dist/bench/initial-sync.bench.js`; Node flags for the
 * client processes go in `BENCH_CHILD_ARGS` (e.g. `--max-semi-space-size=64`, to see what the young
 * generation's size does to the GC pauses: information only, the library sets no V8 flag).
 */
import { writeBenchJson } from '@kubecache/cache/internal';
import { runCase, ServerProcess } from './versus-orchestrator.js';
import type { ClientKind, ClientResult, GcFigures, StallFigures } from './versus-protocol.js';

const N = Number(process.env.INITIAL_SYNC_PODS) || 100_000;
const REPEATS = Math.max(1, Number(process.env.INITIAL_SYNC_REPEATS) || 3);
const POD_BYTES = 3_500;
const CASE_TIMEOUT_MS = 60_000;
const MODES = ['unpaged', 'paged'] as const;
const KINDS: ClientKind[] = ['bare', 'ours', 'ours-no-freeze', 'ours-delta-fifo', 'client-node'];
const OURS = ['ours', 'ours-no-freeze', 'ours-delta-fifo'] as const;
/** The paged cases run again (interleaved) for the time ratios. */
const TIMED: ClientKind[] = ['bare', 'ours-no-freeze', 'ours'];
const STALL_LIMIT_MS = 50;

const fmt = (x: number | undefined, digits = 0): string => (x === undefined ? '—' : x.toFixed(digits));
const ratioOf = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b <= 0 ? undefined : a / b;
const ratio = (a: number | undefined, b: number | undefined): string => {
  const r = ratioOf(a, b);
  return r === undefined ? '—' : `${r.toFixed(2)}×`;
};
const stall = (s: StallFigures | undefined): string =>
  s === undefined ? '—' : `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)}`;
const median = (xs: number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1
    ? s[(s.length - 1) / 2]
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const verdict = (pass: boolean | undefined): string =>
  pass === undefined ? 'MISS (no figure)' : pass ? 'PASS' : 'MISS';

function print(mode: string, results: ClientResult[]): void {
  console.log(`\n${N / 1000}k pods, ${mode}`);
  console.log(
    '| client | sync ms | handlers ms | sync CPU ms | peak RSS MB | RSS after GC MB | heap MB | sync stall ms p50/p99/max | wall max | max ex-GC | relist ms | relist stall ms p50/p99/max | wall max | max ex-GC |',
  );
  console.log(`| --- |${' ---: |'.repeat(13)}`);
  for (const r of results) {
    const cells = [
      fmt(r.syncMs),
      fmt(r.handlersMs),
      fmt(r.syncCpuMs),
      fmt(r.peakRssMB),
      fmt(r.rssMB),
      fmt(r.heapMB),
      stall(r.syncStall),
      fmt(r.syncStallWall?.max, 1),
      fmt(r.syncStallExGc?.max, 1),
      fmt(r.relistMs),
      stall(r.relistStall),
      fmt(r.relistStallWall?.max, 1),
      fmt(r.relistStallExGc?.max, 1),
    ];
    console.log(`| ${r.kind} | ${cells.join(' | ')} |`);
    if (r.error) console.log(`note: ${r.kind}: ${r.error}`);
  }
  console.log('\nGC pauses (count / total ms / longest ms): scavenge, mark-sweep-compact, incremental marking');
  console.log('| client | phase | scavenge | mark-sweep-compact | incremental | weak callbacks |');
  console.log(`| --- | --- |${' ---: |'.repeat(4)}`);
  const gc = (g: GcFigures['scavenge']): string => `${g.count} / ${fmt(g.totalMs)} / ${fmt(g.maxMs, 1)}`;
  for (const r of results) {
    for (const [phase, g] of [
      ['sync', r.syncGc],
      ['relist', r.relistGc],
    ] as const) {
      if (g === undefined) continue;
      const cells = [gc(g.scavenge), gc(g.markSweepCompact), gc(g.incremental), gc(g.weakCallbacks)];
      console.log(`| ${r.kind} | ${phase} | ${cells.join(' | ')} |`);
    }
  }
}

/** The longest GC pause of a phase (ms). */
function longestGc(g: GcFigures | undefined): number | undefined {
  if (g === undefined) return undefined;
  return Math.max(g.scavenge.maxMs, g.markSweepCompact.maxMs, g.incremental.maxMs, g.weakCallbacks.maxMs);
}

function printTargets(all: Map<string, ClientResult>, timed: Map<string, ClientResult[]>): void {
  console.log('\ntargets');
  const barePaged = all.get('bare/paged');
  for (const mode of MODES) {
    const ours = all.get(`ours/${mode}`)?.peakRssMB;
    const cn = all.get(`client-node/${mode}`)?.peakRssMB;
    const toCn = ratioOf(ours, cn);
    const toBare = ratioOf(ours, barePaged?.peakRssMB);
    console.log(
      `${verdict(toCn === undefined ? undefined : toCn <= 0.3)}: peak RSS ${mode} ÷ client-node ${ratio(ours, cn)} (≤ 0.30×)`,
    );
    console.log(
      `${verdict(toBare === undefined ? undefined : toBare <= 1.2)}: peak RSS ${mode} ÷ bare paged ${ratio(ours, barePaged?.peakRssMB)} (≤ 1.20×)`,
    );
  }
  const med = (kind: ClientKind, pick: (r: ClientResult) => number | undefined): number | undefined =>
    median((timed.get(kind) ?? []).map(pick).filter((x): x is number => x !== undefined));
  const bareMs = med('bare', (r) => r.syncMs);
  const bareCpu = med('bare', (r) => r.syncCpuMs);
  for (const [kind, limit] of [
    ['ours-no-freeze', 1.1],
    ['ours', 1.25],
  ] as const) {
    const ms = med(kind, (r) => r.handlersMs);
    const r = ratioOf(ms, bareMs);
    const runs = (timed.get(kind) ?? []).map((x) => fmt(x.handlersMs)).join(', ');
    const bareRuns = (timed.get('bare') ?? []).map((x) => fmt(x.syncMs)).join(', ');
    console.log(
      `${verdict(r === undefined ? undefined : r <= limit)}: sync time paged, ${kind} ÷ bare paged ${ratio(ms, bareMs)} ` +
        `(≤ ${limit.toFixed(2)}×; medians of ${REPEATS}: ${fmt(ms)} ms [${runs}] ÷ ${fmt(bareMs)} ms [${bareRuns}]; ` +
        `CPU ${ratio(
          med(kind, (x) => x.syncCpuMs),
          bareCpu,
        )})`,
    );
  }
  for (const mode of MODES) {
    const bare = all.get(`bare/${mode}`);
    for (const phase of ['sync', 'relist'] as const) {
      const bareGc = longestGc(phase === 'sync' ? bare?.syncGc : bare?.relistGc);
      for (const kind of OURS) {
        const r = all.get(`${kind}/${mode}`);
        const cpu = phase === 'sync' ? r?.syncStall : r?.relistStall;
        const exGc = phase === 'sync' ? r?.syncStallExGc : r?.relistStallExGc;
        const ourGc = longestGc(phase === 'sync' ? r?.syncGc : r?.relistGc);
        const whole = phase === 'sync' ? r?.syncStallProcess : r?.relistStallProcess;
        const wall = phase === 'sync' ? r?.syncStallWall : r?.relistStallWall;
        const bareExGc = (phase === 'sync' ? bare?.syncStallExGc : bare?.relistStallExGc)?.max;
        const pass = cpu === undefined ? undefined : cpu.max <= STALL_LIMIT_MS;
        const why =
          pass === false && exGc !== undefined && exGc.max <= STALL_LIMIT_MS ? ' — the rest is GC pauses' : '';
        console.log(
          `${verdict(pass)}: longest stall, ${phase} ${mode}, ${kind}: ${fmt(cpu?.max, 1)} ms on the main thread ` +
            `(≤ ${STALL_LIMIT_MS} ms; without GC ${fmt(exGc?.max, 1)} ms vs bare ${fmt(bareExGc, 1)} ms${why}; ` +
            `process CPU ${fmt(whole?.max, 1)} ms; wall ${fmt(wall?.max, 1)} ms; ` +
            `longest GC pause, wall: ours ${fmt(ourGc, 1)} ms vs bare ${fmt(bareGc, 1)} ms)`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const server = new ServerProcess();
  const { url } = await server.next('listening');
  const all = new Map<string, ClientResult>();
  const timed = new Map<string, ClientResult[]>();
  const run = (kind: ClientKind, paged: boolean, relist: boolean): Promise<ClientResult> =>
    runCase(server, { kind, url, n: N, m: 0, timeoutMs: CASE_TIMEOUT_MS, paged, relist });
  try {
    for (const mode of MODES) {
      const paged = mode === 'paged';
      const prep = await server.ask({ type: 'prepare', n: N, m: 0, paged, podBytes: POD_BYTES }, 'prepared');
      console.log(`\nprepared ${N} pods, ${(prep.listBytes / 1048576).toFixed(0)} MB as one list`);
      const results: ClientResult[] = [];
      for (const kind of KINDS) {
        const r = await run(kind, paged, kind !== 'client-node');
        results.push(r);
        all.set(`${kind}/${mode}`, r);
        if (paged && TIMED.includes(kind)) timed.set(kind, [r]);
      }
      print(mode, results);
      if (!paged) continue;
      for (let round = 1; round < REPEATS; round++) {
        for (const kind of TIMED) timed.get(kind)?.push(await run(kind, true, false));
      }
    }
  } finally {
    await server.exit();
  }
  printTargets(all, timed);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await writeBenchJson('initial-sync', {
    pods: N,
    podBytes: POD_BYTES,
    results: Object.fromEntries(all),
    timedPaged: Object.fromEntries(timed),
  });
}

await main();
