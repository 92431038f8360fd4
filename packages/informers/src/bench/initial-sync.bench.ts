/**
 * Initial sync of 100k pods of about 3.5 KB each from a pod server in its own process over loopback HTTP,
 * served unpaged (one response, as kube-apiserver serves `resourceVersion=0` from its watch cache) and
 * paged (500 a page): time, peak RSS (the OS's high-water mark, above the process's baseline after
 * imports) and the longest event-loop stall, for our informer, a bare `JSON.parse` + `Map` client and
 * client-node's `makeInformer` (which never pages: its list function is client-node's own).
 *
 * Targets (issue: the HTTP transport): our peak RSS ≤ 0.30× client-node's and ≤ 1.2× the bare paged
 * client's.
 *
 * Run: `npx tsc -b && node --expose-gc packages/informers/dist/bench/initial-sync.bench.js`
 */
import { runCase, ServerProcess } from './versus-orchestrator.js';
import type { ClientKind, ClientResult } from './versus-protocol.js';

const N = Number(process.env.INITIAL_SYNC_PODS) || 100_000;
const POD_BYTES = 3_500;
const CASE_TIMEOUT_MS = 60_000;
const MODES = ['unpaged', 'paged'] as const;
const KINDS: ClientKind[] = ['bare', 'ours', 'client-node'];

const fmt = (x: number | undefined, digits = 0): string => (x === undefined ? '—' : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b <= 0 ? '—' : `${(a / b).toFixed(2)}×`;

function print(mode: string, results: ClientResult[]): void {
  console.log(`\n${N / 1000}k pods, ${mode}`);
  console.log('| client | sync ms | peak RSS MB | RSS after GC MB | heap MB | longest stall ms |');
  console.log(`| --- |${' ---: |'.repeat(5)}`);
  for (const r of results) {
    const cells = [fmt(r.syncMs), fmt(r.peakRssMB), fmt(r.rssMB), fmt(r.heapMB), fmt(r.loopBlockMs)];
    console.log(`| ${r.kind} | ${cells.join(' | ')} |`);
    if (r.error) console.log(`note: ${r.kind}: ${r.error}`);
  }
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
        const r = await runCase(server, { kind, url, n: N, m: 0, timeoutMs: CASE_TIMEOUT_MS, paged });
        results.push(r);
        all.set(`${kind}/${mode}`, r);
      }
      print(mode, results);
    }
  } finally {
    await server.exit();
  }
  console.log('\npeak RSS ratios (targets: ÷ client-node ≤ 0.30, ÷ bare paged ≤ 1.20)');
  const barePaged = all.get('bare/paged')?.peakRssMB;
  for (const mode of MODES) {
    const ours = all.get(`ours/${mode}`)?.peakRssMB;
    const cn = all.get(`client-node/${mode}`)?.peakRssMB;
    console.log(`| ours ${mode} | ÷ client-node ${ratio(ours, cn)} | ÷ bare paged ${ratio(ours, barePaged)} |`);
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();
