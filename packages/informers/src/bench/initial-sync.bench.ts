/**
 * Initial sync of 100k pods of about 3.5 KB each from a pod server in its own process over loopback HTTP,
 * served unpaged (one response, as kube-apiserver serves `resourceVersion=0` from its watch cache) and
 * paged (500 a page): time, CPU, peak RSS (the OS's high-water mark, above the process's baseline after
 * imports) and event-loop stalls (p50/p99/max), for our informer (in-order queue with freezing on and off,
 * DeltaFIFO), a bare `JSON.parse` + `Map` client and client-node's `makeInformer` (which never pages: its list
 * function is client-node's own). Then, for our informers, a relist of the same 100k pods (the server expires
 * the watch with a 410) and its stalls. Stalls are CPU-attributed (`stall-sampler.ts`: a late timer tick
 * counts only as long as the process ran meanwhile, so time the OS gave the cores to other processes is not
 * billed to us); the wall-clock maximum is printed beside them.
 *
 * Targets: peak RSS ≤ 0.30× client-node's and ≤ 1.2× the bare paged client's; sync time ≤ 1.10× the bare
 * paged client's with freezing off, ≤ 1.25× with it on; the longest stall ≤ 50 ms during the sync and
 * during the relist, paged and unpaged, both queues.
 *
 * Run: `npx tsc -b && node --expose-gc packages/informers/dist/bench/initial-sync.bench.js`
 */
import { writeBenchJson } from '@kubecache/cache/internal';
import { runCase, ServerProcess } from './versus-orchestrator.js';
import type { ClientKind, ClientResult, StallFigures } from './versus-protocol.js';

const N = Number(process.env.INITIAL_SYNC_PODS) || 100_000;
const POD_BYTES = 3_500;
const CASE_TIMEOUT_MS = 60_000;
const MODES = ['unpaged', 'paged'] as const;
const KINDS: ClientKind[] = ['bare', 'ours', 'ours-no-freeze', 'ours-delta-fifo', 'client-node'];
const STALL_LIMIT_MS = 50;

const fmt = (x: number | undefined, digits = 0): string => (x === undefined ? '—' : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b <= 0 ? '—' : `${(a / b).toFixed(2)}×`;
const stall = (s: StallFigures | undefined): string =>
  s === undefined ? '—' : `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)}`;

function print(mode: string, results: ClientResult[]): void {
  console.log(`\n${N / 1000}k pods, ${mode}`);
  console.log(
    '| client | sync ms | handlers ms | sync CPU ms | peak RSS MB | RSS after GC MB | heap MB | sync stall ms p50/p99/max | wall max | longest GC | relist ms | relist stall ms p50/p99/max | wall max | longest GC |',
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
      fmt(r.syncGcMs, 1),
      fmt(r.relistMs),
      stall(r.relistStall),
      fmt(r.relistStallWall?.max, 1),
      fmt(r.relistGcMs, 1),
    ];
    console.log(`| ${r.kind} | ${cells.join(' | ')} |`);
    if (r.error) console.log(`note: ${r.kind}: ${r.error}`);
  }
}

function printRatios(all: Map<string, ClientResult>): void {
  console.log('\npeak RSS ratios (targets: ÷ client-node ≤ 0.30, ÷ bare paged ≤ 1.20)');
  const barePaged = all.get('bare/paged');
  for (const mode of MODES) {
    const ours = all.get(`ours/${mode}`)?.peakRssMB;
    const cn = all.get(`client-node/${mode}`)?.peakRssMB;
    console.log(
      `| ours ${mode} | ÷ client-node ${ratio(ours, cn)} | ÷ bare paged ${ratio(ours, barePaged?.peakRssMB)} |`,
    );
  }
  console.log(
    '\nsync time (to every handler) ÷ bare paged (targets: freeze off ≤ 1.10, freeze on ≤ 1.25); CPU alongside',
  );
  for (const kind of ['ours-no-freeze', 'ours', 'ours-delta-fifo'] as const) {
    for (const mode of MODES) {
      const r = all.get(`${kind}/${mode}`);
      const time = ratio(r?.handlersMs, barePaged?.syncMs);
      console.log(`| ${kind} ${mode} | time ${time} | CPU ${ratio(r?.syncCpuMs, barePaged?.syncCpuMs)} |`);
    }
  }
  let worst = 0;
  for (const [name, r] of all) {
    if (!name.startsWith('ours')) continue;
    worst = Math.max(
      worst,
      r.syncStall?.max ?? Number.POSITIVE_INFINITY,
      r.relistStall?.max ?? Number.POSITIVE_INFINITY,
    );
  }
  const verdict = worst <= STALL_LIMIT_MS ? 'within' : 'OVER';
  console.log(
    `\nlongest stall of our informers, sync and relist: ${fmt(worst, 1)} ms (${verdict} ${STALL_LIMIT_MS} ms)`,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const server = new ServerProcess();
  const { url } = await server.next('listening');
  const all = new Map<string, ClientResult>();
  try {
    for (const mode of MODES) {
      const paged = mode === 'paged';
      const prep = await server.ask({ type: 'prepare', n: N, m: 0, paged, podBytes: POD_BYTES }, 'prepared');
      console.log(`\nprepared ${N} pods, ${(prep.listBytes / 1048576).toFixed(0)} MB as one list`);
      const results: ClientResult[] = [];
      for (const kind of KINDS) {
        const relist = kind.startsWith('ours');
        const r = await runCase(server, { kind, url, n: N, m: 0, timeoutMs: CASE_TIMEOUT_MS, paged, relist });
        results.push(r);
        all.set(`${kind}/${mode}`, r);
      }
      print(mode, results);
    }
  } finally {
    await server.exit();
  }
  printRatios(all);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await writeBenchJson('initial-sync', { pods: N, podBytes: POD_BYTES, results: Object.fromEntries(all) });
}

await main();
