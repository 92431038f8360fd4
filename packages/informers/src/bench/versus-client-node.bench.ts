/**
 * Head-to-head over real HTTP on 127.0.0.1: our SharedIndexInformer (freeze on and off) against
 * `@kubernetes/client-node`'s `makeInformer` and against a bare "JSON.parse + Map.set" client (the
 * practical limit for a JavaScript informer), for an initial sync of 10k and 100k realistic pods, then
 * 100k MODIFIED watch events, and the memory each holds after sync.
 *
 * The pod server (`versus-server.ts`) and every case (`versus-client.ts`) run in their own processes, all
 * started from this one run: the server's serialization is not billed to any client, each client starts
 * from the same cold state, and RSS is the client's own. Ratios are between figures of this same run.
 *
 * Run: `npx tsc -b && node --expose-gc packages/informers/dist/bench/versus-client-node.bench.js`
 */
import { runCase, ServerProcess } from './versus-orchestrator.js';
import type { ClientKind, ClientResult } from './versus-protocol.js';

/** Watch events per case. */
const EVENTS = 100_000;
/** List sizes. */
const SIZES = [10_000, 100_000];
/** Cases, in run order: if the run budget runs short, the optional freeze-off case is the one cut. */
const KINDS: ClientKind[] = ['bare', 'ours', 'client-node', 'ours-no-freeze'];
/** A case not done after this long is stopped and reported as capped. */
const CASE_TIMEOUT_MS = 25_000;
/**
 * The whole run stops starting cases after this long (cases then get a shorter cap or are skipped), so it
 * ends within 90 s even on a busy machine. `VERSUS_BUDGET_MS` raises it for a complete table there.
 */
const RUN_BUDGET_MS = Number(process.env.VERSUS_BUDGET_MS) || 85_000;
/** Below this much budget left, a case is skipped rather than started. */
const MIN_CASE_MS = 4_000;
const us = (ms: number | undefined, ops: number): number | undefined =>
  ms === undefined ? undefined : (ms * 1000) / ops;
const fmt = (x: number | undefined, digits = 2): string => (x === undefined ? '—' : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b <= 0 ? '—' : `${(a / b).toFixed(2)}×`;

/** Per-object / per-event figures of one case, in µs. */
interface Row {
  readonly r: ClientResult;
  readonly sync?: number;
  readonly syncCpu?: number;
  readonly event?: number;
  readonly eventCpu?: number;
}

const rowOf = (r: ClientResult): Row => ({
  r,
  sync: us(r.syncMs, r.n),
  syncCpu: us(r.syncCpuMs, r.n),
  event: us(r.eventsMs, r.m),
  eventCpu: us(r.eventsCpuMs, r.m),
});

function printFigures(n: number, rows: Row[]): void {
  console.log(`\n${n / 1000}k pods listed, then ${EVENTS / 1000}k MODIFIED events`);
  console.log(
    '| client | sync µs/obj | sync CPU µs/obj | loop blocked ms | event µs | event CPU µs | heap MB | RSS MB |',
  );
  console.log(`| --- |${' ---: |'.repeat(7)}`);
  for (const x of rows) {
    const { r } = x;
    const cells = [fmt(x.sync), fmt(x.syncCpu), fmt(r.loopBlockMs, 0), fmt(x.event), fmt(x.eventCpu)];
    console.log(`| ${r.kind} | ${cells.join(' | ')} | ${fmt(r.heapMB, 1)} | ${fmt(r.rssMB, 1)} |`);
  }
  for (const x of rows) if (x.r.error) console.log(`note: ${x.r.kind} at ${n / 1000}k: ${x.r.error}`);
}

function printRatios(n: number, rows: Row[]): void {
  const bare = rows.find((x) => x.r.kind === 'bare');
  const cn = rows.find((x) => x.r.kind === 'client-node');
  console.log(`\nratios at ${n / 1000}k (ours ÷ other; below 1 is better; CPU is steadier on a shared machine)`);
  console.log('| ours ÷ | sync | sync CPU | event | event CPU | heap |');
  console.log(`| --- |${' ---: |'.repeat(5)}`);
  for (const x of rows.filter((row) => row.r.kind.startsWith('ours'))) {
    for (const [label, other] of [
      ['bare', bare],
      ['client-node', cn],
    ] as const) {
      const cells = [
        ratio(x.sync, other?.sync),
        ratio(x.syncCpu, other?.syncCpu),
        ratio(x.event, other?.event),
        ratio(x.eventCpu, other?.eventCpu),
        ratio(x.r.heapMB, other?.r.heapMB),
      ];
      console.log(`| ${x.r.kind} ÷ ${label} | ${cells.join(' | ')} |`);
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const server = new ServerProcess();
  const { url } = await server.next('listening');
  console.log(
    `pod server ${url} (own process); each case runs in a fresh process; case cap ${CASE_TIMEOUT_MS / 1000} s`,
  );
  try {
    for (const n of SIZES) {
      const prep = await server.ask({ type: 'prepare', n, m: EVENTS }, 'prepared');
      const listMB = (prep.listBytes / 1048576).toFixed(1);
      const eventMB = (prep.eventBytes / 1048576).toFixed(1);
      console.log(
        `\nprepared ${n} pods (${listMB} MB list) and ${EVENTS} events (${eventMB} MB) in ${prep.ms.toFixed(0)} ms`,
      );
      const results: ClientResult[] = [];
      for (const kind of KINDS) {
        const timeoutMs = Math.min(CASE_TIMEOUT_MS, started + RUN_BUDGET_MS - Date.now());
        if (timeoutMs < MIN_CASE_MS) results.push({ kind, n, m: EVENTS, error: 'skipped: run budget spent' });
        else results.push(await runCase(server, { kind, url, n, m: EVENTS, timeoutMs }));
      }
      const rows = results.map(rowOf);
      printFigures(n, rows);
      printRatios(n, rows);
    }
  } finally {
    await server.exit();
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();
