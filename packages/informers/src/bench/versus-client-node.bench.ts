/**
 * Head-to-head over real HTTP on 127.0.0.1: our SharedIndexInformer (freeze on and off) against
 * `@kubernetes/client-node`'s `makeInformer` and against a bare "JSON.parse + Map.set" client (the
 * practical limit for a JavaScript informer), for an initial sync of 10k and 100k realistic pods, then
 * 100k watch events (MODIFIED only, and a churn mix of 60% MODIFIED, 20% ADDED, 20% DELETED), and the memory
 * each holds after sync. The watch targets (events/s and CPU per event against the bare client of the same
 * round) are printed after the 10k phases, whose bare and ours cases run in several interleaved rounds.
 *
 * The pod server (`versus-server.ts`) and every case (`versus-client.ts`) run in their own processes, all
 * started from this one run: the server's serialization is not billed to any client, each client starts
 * from the same cold state, and RSS is the client's own. Ratios are between figures of this same run.
 *
 * Run: `npx tsc -b && node --expose-gc packages/informers/dist/bench/versus-client-node.bench.js`
 */
import { writeBenchJson } from '@kubecache/cache/internal';
import { runCase, ServerProcess } from './versus-orchestrator.js';
import type { ClientKind, ClientResult, GcKindFigures } from './versus-protocol.js';

/** Watch events per case. */
const EVENTS = 100_000;
/**
 * Rounds of the watch phases: 7, or `VERSUS_ROUNDS`. Each round runs the bare client and our cases back to
 * back (in alternating order, so no case always follows the same one); the watch targets compare the medians
 * of each case over the rounds (see {@link printTargets}).
 */
const WATCH_ROUNDS = Math.max(1, Number(process.env.VERSUS_ROUNDS) || 7);
/**
 * The phases: list size and the kind of watch events that follow. `VERSUS_PHASES=watch` runs only the two
 * 10k phases (the watch targets), `VERSUS_PHASES=large` only the 100k one; `VERSUS_KINDS=ours,ours-transport` names the clients instead (bare is always
 * run first), which also reaches the diagnostic kinds (`ours-transport`, `ours-delta-fifo`).
 */
const ALL_PHASES: readonly { n: number; churn: boolean; kinds: ClientKind[]; rounds: number }[] = [
  { n: 10_000, churn: false, kinds: ['bare', 'ours', 'ours-no-freeze', 'client-node'], rounds: WATCH_ROUNDS },
  { n: 10_000, churn: true, kinds: ['bare', 'ours', 'ours-no-freeze'], rounds: WATCH_ROUNDS },
  { n: 100_000, churn: false, kinds: ['bare', 'ours', 'client-node', 'ours-no-freeze'], rounds: 1 },
];
const ONLY_KINDS = process.env.VERSUS_KINDS?.split(',').filter((k): k is ClientKind => k !== '' && k !== 'bare');
const PHASES = ALL_PHASES.filter(
  (p) =>
    (process.env.VERSUS_PHASES !== 'watch' || p.n <= 10_000) && (process.env.VERSUS_PHASES !== 'large' || p.n > 10_000),
).map((p) => ({
  ...p,
  kinds: ONLY_KINDS === undefined ? p.kinds : (['bare', ...ONLY_KINDS] as ClientKind[]),
}));
/** `VERSUS_VERBOSE=1` prints each case's event figures and garbage collection as it ends. */
const VERBOSE = process.env.VERSUS_VERBOSE === '1';
/** A case not done after this long is stopped and reported as capped; `VERSUS_CASE_MS` raises it. */
const CASE_TIMEOUT_MS = Number(process.env.VERSUS_CASE_MS) || 25_000;
/**
 * The whole run stops starting cases after this long (cases then get a shorter cap or are skipped), so it
 * ends within a few minutes even on a busy machine. `VERSUS_BUDGET_MS` raises it for a complete table there.
 */
const RUN_BUDGET_MS = Number(process.env.VERSUS_BUDGET_MS) || 480_000;
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
  readonly eventBusy?: number;
}

const rowOf = (r: ClientResult): Row => ({
  r,
  sync: us(r.syncMs, r.n),
  syncCpu: us(r.syncCpuMs, r.n),
  event: us(r.eventsMs, r.m),
  eventCpu: us(r.eventsCpuMs, r.m),
  eventBusy: us(r.eventsBusyMs, r.m),
});

function printFigures(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log(
    '| client | sync µs/obj | sync CPU µs/obj | loop blocked ms | event µs | event CPU µs | event busy µs | heap MB | RSS MB |',
  );
  console.log(`| --- |${' ---: |'.repeat(8)}`);
  for (const x of rows) {
    const { r } = x;
    const cells = [fmt(x.sync), fmt(x.syncCpu), fmt(r.loopBlockMs, 0), fmt(x.event), fmt(x.eventCpu), fmt(x.eventBusy)];
    console.log(`| ${r.kind} | ${cells.join(' | ')} | ${fmt(r.heapMB, 1)} | ${fmt(r.rssMB, 1)} |`);
  }
  for (const x of rows) if (x.r.error) console.log(`note: ${x.r.kind}: ${x.r.error}`);
}

function printRatios(title: string, rows: Row[]): void {
  const bare = rows.find((x) => x.r.kind === 'bare');
  const cn = rows.find((x) => x.r.kind === 'client-node');
  console.log(`\nratios, ${title} (ours ÷ other; below 1 is better; CPU is steadier on a shared machine)`);
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

/** One case's watch phase: time, main-thread busy time and collector pauses by kind. */
function caseLine(round: number, r: ClientResult): string {
  const g = r.eventsGc;
  const gc = (k: GcKindFigures | undefined): string => (k ? `${fmt(k.totalMs, 0)} ms in ${k.count}` : '—');
  return (
    `round ${round} ${r.kind}: events ${fmt(r.eventsMs, 0)} ms, CPU ${fmt(r.eventsCpuMs, 0)} ms, ` +
    `busy ${fmt(r.eventsBusyMs, 0)} ms; scavenges ${gc(g?.scavenge)}, mark-compact ${gc(g?.markSweepCompact)}, ` +
    `incremental marking ${gc(g?.incremental)}${r.error ? `; ${r.error}` : ''}`
  );
}

/** The median of `xs` (the mean of the middle two for an even count); `undefined` for none. */
function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The event figures of one case over its rounds, µs per event. */
interface TargetFigures {
  readonly kind: ClientKind;
  /** Per round: wall time per event, bare client then this case (bare first in every pair). */
  readonly bareEvent: number[];
  readonly event: number[];
  /** Per round: CPU time per event, bare client then this case. */
  readonly bareCpu: number[];
  readonly cpu: number[];
  /** The median bare event time ÷ this case's median (events/s ÷ bare), and the same of the best rounds. */
  readonly speed: number | undefined;
  readonly bestSpeed: number | undefined;
  /** This case's median CPU per event minus the bare client's median, and the same of the best rounds. */
  readonly beyond: number | undefined;
  readonly bestBeyond: number | undefined;
}

function targetFigures(kind: ClientKind, rounds: readonly Map<ClientKind, ClientResult>[]): TargetFigures {
  const perEvent = (k: ClientKind, f: (r: ClientResult) => number | undefined): number[] =>
    rounds.flatMap((round) => {
      const r = round.get(k);
      const ms = r === undefined ? undefined : f(r);
      return r === undefined || ms === undefined ? [] : [(ms * 1000) / r.m];
    });
  const bareEvent = perEvent('bare', (r) => r.eventsMs);
  const event = perEvent(kind, (r) => r.eventsMs);
  const bareCpu = perEvent('bare', (r) => r.eventsCpuMs);
  const cpu = perEvent(kind, (r) => r.eventsCpuMs);
  const div = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined ? undefined : a / b;
  const sub = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined ? undefined : a - b;
  const least = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : Math.min(...xs));
  return {
    kind,
    bareEvent,
    event,
    bareCpu,
    cpu,
    speed: div(median(bareEvent), median(event)),
    bestSpeed: div(least(bareEvent), least(event)),
    beyond: sub(median(cpu), median(bareCpu)),
    bestBeyond: sub(least(cpu), least(bareCpu)),
  };
}

/**
 * The watch targets against the bare client: events/s ≥ 0.95× with freezing off and ≥ 0.90× with it on; CPU
 * per event beyond the bare client's (which is `JSON.parse` and `Map.set` of each line) ≤ 3 µs off and ≤ 6 µs
 * on. The figure judged is the ratio (or difference) of the medians over the rounds; the same of the best
 * rounds follows in brackets. Medians, not per-round pairs: the noise of this machine strikes single cases
 * (one case in a round runs 20–40% slow while the next one does not), so a per-round ratio carries the noise
 * of two cases, and the median of each case's own figures the noise of none once fewer than half are hit.
 */
function printTargets(title: string, rounds: readonly Map<ClientKind, ClientResult>[]): TargetFigures[] {
  console.log(`\nwatch targets, ${title} (medians of ${rounds.length} rounds; [best rounds])`);
  console.log('| client | events/s ÷ bare | target | CPU µs/event beyond bare | target |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const out: TargetFigures[] = [];
  for (const [kind, rate, cpu] of [
    ['ours-no-freeze', 0.95, 3],
    ['ours', 0.9, 6],
  ] as const) {
    if (!rounds.some((r) => r.has(kind))) continue;
    const t = targetFigures(kind, rounds);
    out.push(t);
    console.log(
      `| ${kind} | ${fmt(t.speed)}× [${fmt(t.bestSpeed)}×] | ≥ ${rate} | ${fmt(t.beyond)} [${fmt(t.bestBeyond)}] | ≤ ${cpu} |`,
    );
  }
  const list = (xs: number[]): string => xs.map((x) => fmt(x)).join(', ');
  const bare = out[0];
  if (bare) console.log(`bare, µs per event round by round: ${list(bare.bareEvent)} (CPU ${list(bare.bareCpu)})`);
  for (const t of out) console.log(`${t.kind}, µs per event round by round: ${list(t.event)} (CPU ${list(t.cpu)})`);
  return out;
}

/**
 * The figures of one kind over several rounds: the median event time and CPU (the sync and memory figures are
 * the first round's).
 */
function medianOf(results: ClientResult[]): ClientResult {
  const done = results.filter((r) => r.eventsMs !== undefined);
  if (done.length === 0) return results[0] as ClientResult;
  const med = (f: (r: ClientResult) => number | undefined): number | undefined =>
    median(done.map(f).filter((x): x is number => x !== undefined));
  const first = done[0] as ClientResult;
  return {
    ...first,
    eventsMs: med((r) => r.eventsMs),
    eventsCpuMs: med((r) => r.eventsCpuMs),
    eventsBusyMs: med((r) => r.eventsBusyMs),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const all: ClientResult[] = [];
  const targets: { n: number; churn: boolean; rounds: TargetFigures[] }[] = [];
  const server = new ServerProcess();
  const { url } = await server.next('listening');
  console.log(
    `pod server ${url} (own process); each case runs in a fresh process; case cap ${CASE_TIMEOUT_MS / 1000} s`,
  );
  try {
    for (const { n, churn, kinds, rounds } of PHASES) {
      const prep = await server.ask({ type: 'prepare', n, m: EVENTS, churn }, 'prepared');
      const listMB = (prep.listBytes / 1048576).toFixed(1);
      const eventMB = (prep.eventBytes / 1048576).toFixed(1);
      const what = churn ? 'churn events (60% MODIFIED, 20% ADDED, 20% DELETED)' : 'MODIFIED events';
      const title = `${n / 1000}k pods listed, then ${EVENTS / 1000}k ${what}`;
      console.log(
        `\nprepared ${n} pods (${listMB} MB list) and ${EVENTS} events (${eventMB} MB) in ${prep.ms.toFixed(0)} ms`,
      );
      const byKind = new Map<ClientKind, ClientResult[]>(kinds.map((k) => [k, []]));
      const byRound: Map<ClientKind, ClientResult>[] = [];
      for (let round = 0; round < rounds; round++) {
        const results = new Map<ClientKind, ClientResult>();
        // Every other round runs the cases in reverse, so no case always follows the same one.
        for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) {
          if (kind === 'client-node' && round > 0) continue;
          const timeoutMs = Math.min(CASE_TIMEOUT_MS, started + RUN_BUDGET_MS - Date.now());
          const r =
            timeoutMs < MIN_CASE_MS
              ? { kind, n, m: EVENTS, error: 'skipped: run budget spent' }
              : await runCase(server, { kind, url, n, m: EVENTS, timeoutMs });
          byKind.get(kind)?.push(r);
          results.set(kind, r);
          if (VERBOSE) console.log(caseLine(round, r));
        }
        byRound.push(results);
      }
      const rows = kinds.map((k) => rowOf(medianOf(byKind.get(k) ?? [])));
      all.push(...rows.map((row) => row.r));
      const suffix = rounds > 1 ? ` (event figures: medians of ${rounds} interleaved rounds)` : '';
      printFigures(title + suffix, rows);
      printRatios(title, rows);
      if (n <= 10_000) targets.push({ n, churn, rounds: printTargets(title, byRound) });
    }
  } finally {
    await server.exit();
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await writeBenchJson('versus-client-node', { events: EVENTS, results: all, targets });
}

await main();
