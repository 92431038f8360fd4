/**
 * The watch path in one process, without HTTP: the same bytes a watch response carries (100k MODIFIED events
 * of ~1.5 KB pods after a 10k list, in 64 KiB chunks, one chunk per turn of the event loop as a socket hands
 * them out) go through the informer's whole path — line decoder, Observable, Reflector, queue, store,
 * handler — and through a bare "JSON.parse each line + Map.set" loop. Rounds are interleaved (bare, then each
 * informer case), so machine noise hits every case alike; the figure that matters is each case's time per
 * event beyond the bare loop of its own round (median over the rounds). `versus-client-node.bench.ts` measures
 * the same over loopback HTTP in separate processes; this one is steadier and fit for `--cpu-prof`.
 *
 * A second table leaves the parse out: 20k events parsed once (two per pod) are handed round again and
 * again, 40 per turn, to the informer's Observable and to the bare `Map.set` loop. It shows what the path
 * costs besides `JSON.parse` with the least noise (a reused object is frozen already, so freezing costs one
 * check there: the walk itself is measured in `freeze.bench.ts`).
 *
 * Run: `npx tsc -b && node --expose-gc packages/informers/dist/bench/watch-path.bench.js`
 * (`WATCH_PATH_ROUNDS` rounds, default 5; `WATCH_PATH_KINDS=in-order,delta-fifo` limits the cases, bare is
 * always run; `WATCH_PATH_MODES=bytes,parsed` limits the tables; `WATCH_PATH_PER_TURN`, see below;
 * `WATCH_PATH_EVENTS=churn` sends the churn mix; `WATCH_PATH_PROFILE=<dir>` writes a CPU profile of each informer case's last timed run there).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { KubeObject, ListOptions, WatchEvent } from '@kubecache/apimachinery';
import { makePod, makePods } from '@kubecache/apimachinery/testing';
import type { ListerWatcher, ListResult } from '@kubecache/cache';
import { Observable, type Subscriber } from 'rxjs';
import { type InformerQueueKind, SharedIndexInformer } from '../shared-informer.js';
import { WatchLineDecoder } from '../watch-line-decoder.js';
import { Counter } from './counter.js';

const N = 10_000;
const M = 100_000;
const CHUNK = 64 * 1024;
const ROUNDS = Math.max(1, Number(process.env.WATCH_PATH_ROUNDS) || 5);

/**
 * Events handed out per turn of the event loop when the parse is left out: 40 (about one 64 KiB chunk of these
 * ~1.5 KB pods), or `WATCH_PATH_PER_TURN` (18 is a chunk of the ~3.5 KB pods of the loopback benchmark).
 */
const PER_TURN = perTurn(process.env.WATCH_PATH_PER_TURN);

/**
 * `WATCH_PATH_EVENTS=churn` sends the churn mix of the loopback benchmark instead of MODIFIED events only: of
 * every five events, three MODIFIED of listed pods, then an ADDED of a new pod and a DELETED of that pod.
 */
const CHURN = churnSetting(process.env.WATCH_PATH_EVENTS);

function churnSetting(setting: string | undefined): boolean {
  if (setting === undefined || setting === '' || setting === 'modified') return false;
  if (setting === 'churn') return true;
  throw new Error(`WATCH_PATH_EVENTS takes modified or churn, not ${setting}`);
}

function perTurn(setting: string | undefined): number {
  if (setting === undefined || setting === '') return 40;
  const n = Number(setting);
  if (!Number.isInteger(n) || n < 1) throw new Error(`WATCH_PATH_PER_TURN must be a positive integer, not ${setting}`);
  return n;
}

interface Fixture {
  readonly listText: string;
  readonly chunks: readonly Buffer[];
  /** The first 20k events, parsed: two versions of every pod. */
  readonly parsed: readonly WatchEvent<KubeObject>[];
}

/** Whether a case starts from the bytes or from parsed events. */
type Mode = 'bytes' | 'parsed';

/**
 * 10k pods as a list, and 100k MODIFIED events cycling over them (a new label and version each), or with
 * {@link CHURN} the churn mix.
 */
function prepare(): Fixture {
  const texts = makePods(N).map((pod) => JSON.stringify(pod));
  const listText = `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${N}"},"items":[${texts.join(',')}]}`;
  const lines: string[] = [];
  let added = '';
  for (let i = 0; i < M; i++) {
    const rv = `"resourceVersion":"${N + 1 + i}"`;
    if (CHURN && i % 5 === 3) {
      added = JSON.stringify(makePod(N + i)).replace(/"resourceVersion":"\d+"/, rv);
      lines.push(`{"type":"ADDED","object":${added}}\n`);
      continue;
    }
    if (CHURN && i % 5 === 4) {
      lines.push(`{"type":"DELETED","object":${added.replace(/"resourceVersion":"\d+"/, rv)}}\n`);
      continue;
    }
    const pod = (texts[i % N] as string)
      .replace(/"resourceVersion":"\d+"/, rv)
      .replace('"labels":{', `"labels":{"generation":"${i}",`);
    lines.push(`{"type":"MODIFIED","object":${pod}}\n`);
  }
  const all = Buffer.from(lines.join(''));
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) chunks.push(all.subarray(at, at + CHUNK));
  const parsed = lines.slice(0, 2 * N).map((line) => JSON.parse(line) as WatchEvent<KubeObject>);
  return { listText, chunks, parsed };
}

/** Hands `chunks` to `onChunk` one per turn of the event loop, as socket reads arrive. */
function feed(chunks: readonly Buffer[], onChunk: (chunk: Buffer) => void): void {
  let i = 0;
  const next = (): void => {
    if (i >= chunks.length) return;
    onChunk(chunks[i++] as Buffer);
    setImmediate(next);
  };
  setImmediate(next);
}

/** Hands `M` events of `pool` (round and round) to `onEvent`, {@link PER_TURN} per turn of the event loop. */
function feedParsed(pool: readonly WatchEvent<KubeObject>[], onEvent: (event: WatchEvent<KubeObject>) => void): void {
  let i = 0;
  const next = (): void => {
    for (const end = Math.min(i + PER_TURN, M); i < end; i++) onEvent(pool[i % pool.length] as WatchEvent<KubeObject>);
    if (i < M) setImmediate(next);
  };
  setImmediate(next);
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timed(run: () => Promise<void>): Promise<Timing> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

/** The practical limit: decode, split, `JSON.parse`, `Map.set` by namespace/name. */
async function bare(f: Fixture, mode: Mode, profileAs?: string): Promise<Timing> {
  const store = new Map<string, KubeObject>();
  const list = JSON.parse(f.listText) as { items: KubeObject[] };
  for (const item of list.items) store.set(`${item.metadata?.namespace}/${item.metadata?.name}`, item);
  (globalThis as { gc?: () => void }).gc?.();
  const counter = new Counter();
  return profiled(profileAs, () =>
    timed(async () => {
      if (mode === 'parsed') {
        feedParsed(f.parsed, (event) => {
          const obj = event.object as KubeObject;
          const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
          if (event.type === 'DELETED') store.delete(key);
          else store.set(key, obj);
          counter.tick();
        });
        await counter.reach(M);
        return;
      }
      const decoder = new StringDecoder('utf8');
      let pending = '';
      feed(f.chunks, (chunk) => {
        const text = pending + decoder.write(chunk);
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          const event = JSON.parse(text.slice(start, nl)) as { type: string; object: KubeObject };
          const key = `${event.object.metadata?.namespace}/${event.object.metadata?.name}`;
          if (event.type === 'DELETED') store.delete(key);
          else store.set(key, event.object);
          counter.tick();
          start = nl + 1;
        }
        pending = text.slice(start);
      });
      await counter.reach(M);
    }),
  );
}

/** A ListerWatcher over the fixture: the list parsed from its text, the watch decoded from its chunks. */
class FixtureSource implements ListerWatcher<KubeObject> {
  readonly #f: Fixture;
  #subscriber: Subscriber<WatchEvent<KubeObject>> | undefined;
  #opened: (() => void) | undefined;
  readonly opened: Promise<void>;

  constructor(f: Fixture) {
    this.#f = f;
    this.opened = new Promise((resolve) => {
      this.#opened = resolve;
    });
  }

  async list(_options: ListOptions): Promise<ListResult<KubeObject>> {
    const list = JSON.parse(this.#f.listText) as ListResult<KubeObject>;
    return { metadata: list.metadata, items: list.items };
  }

  watch(_options: ListOptions): Observable<WatchEvent<KubeObject>> {
    return new Observable((subscriber) => {
      this.#subscriber = subscriber;
      this.#opened?.();
      return () => {
        this.#subscriber = undefined;
      };
    });
  }

  /** Starts sending the events: decoded from the bytes, or the parsed ones. */
  go(mode: Mode): void {
    const subscriber = this.#subscriber;
    if (subscriber === undefined) throw new Error('no watch open');
    if (mode === 'parsed') {
      feedParsed(this.#f.parsed, (event) => subscriber.next(event));
      return;
    }
    const decoder = new WatchLineDecoder<KubeObject>((event) => subscriber.next(event));
    feed(this.#f.chunks, (chunk) => decoder.write(chunk));
  }
}

/** Where `WATCH_PATH_PROFILE` profiles go, and the inspector session that takes them. */
const PROFILE_DIR = process.env.WATCH_PATH_PROFILE;
let session: Session | undefined;

/** Runs `work`, under the CPU profiler (sampling every 50 µs) when `name` is given and profiling is on. */
async function profiled<R>(name: string | undefined, work: () => Promise<R>): Promise<R> {
  if (PROFILE_DIR === undefined || name === undefined) return work();
  if (session === undefined) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
  }
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}

async function informer(
  f: Fixture,
  mode: Mode,
  queue: InformerQueueKind,
  freeze: boolean,
  profileAs?: string,
): Promise<Timing> {
  const source = new FixtureSource(f);
  const inf = new SharedIndexInformer<KubeObject>({ listerWatcher: source, queue, freeze, name: 'bench' });
  const counter = new Counter();
  inf.addEventHandler({
    onAdd: (_obj, initial) => (initial ? undefined : counter.tick()),
    onUpdate: () => counter.tick(),
    onDelete: () => counter.tick(),
  });
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  await inf.waitForCacheSync(ac.signal);
  await source.opened;
  (globalThis as { gc?: () => void }).gc?.();
  try {
    return await profiled(profileAs, () =>
      timed(async () => {
        source.go(mode);
        await counter.reach(M);
      }),
    );
  } finally {
    ac.abort();
    await running;
  }
}

/** A measured case; `profileAs` names the profile of a run that is to be profiled. */
type Case = (f: Fixture, mode: Mode, profileAs?: string) => Promise<Timing>;

const CASES: Record<string, Case> = {
  bare,
  'in-order-no-freeze': (f, m, p) => informer(f, m, 'in-order', false, p),
  'in-order': (f, m, p) => informer(f, m, 'in-order', true, p),
  'delta-fifo': (f, m, p) => informer(f, m, 'delta-fifo', true, p),
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const perEvent = (ms: number): number => (ms * 1000) / M;

async function main(): Promise<void> {
  const only = process.env.WATCH_PATH_KINDS?.split(',').filter(Boolean);
  const onlyModes = process.env.WATCH_PATH_MODES?.split(',').filter(Boolean);
  const unknownKinds = only?.filter((k) => !(k in CASES)) ?? [];
  if (unknownKinds.length > 0) {
    throw new Error(`WATCH_PATH_KINDS takes ${Object.keys(CASES).join(', ')}, not ${unknownKinds.join(', ')}`);
  }
  const unknown = onlyModes?.filter((m) => m !== 'bytes' && m !== 'parsed') ?? [];
  if (unknown.length > 0) throw new Error(`WATCH_PATH_MODES takes bytes and parsed, not ${unknown.join(', ')}`);
  const names = Object.keys(CASES).filter((k) => k === 'bare' || !only || only.includes(k));
  const f = prepare();
  const bytes = f.chunks.reduce((n, c) => n + c.length, 0);
  const what = CHURN ? 'churn events (60% MODIFIED, 20% ADDED, 20% DELETED)' : 'MODIFIED events';
  console.log(`${M / 1000}k ${what} after a ${N / 1000}k list, ${(bytes / 1e6).toFixed(1)} MB; ${ROUNDS} rounds`);
  const modes = (['bytes', 'parsed'] as const).filter((m) => !onlyModes || onlyModes.includes(m));
  for (const mode of modes) {
    const results = new Map<string, Timing[]>(names.map((n) => [n, []]));
    for (let r = 0; r <= ROUNDS; r++) {
      for (const name of names) {
        const profileAs = r === ROUNDS ? `${mode}-${name}` : undefined;
        const t = await (CASES[name] as Case)(f, mode, profileAs);
        if (r > 0) results.get(name)?.push(t); // round 0 warms up
      }
    }
    printTable(mode, results);
  }
  session?.disconnect();
}

function printTable(mode: Mode, results: ReadonlyMap<string, Timing[]>): void {
  const bareRuns = results.get('bare') as Timing[];
  // Without the parse, a ratio of rates says nothing about an informer's throughput: only the differences count.
  console.log(mode === 'bytes' ? '\nfrom the bytes' : '\nafter the parse (parsed events handed round again)');
  console.log(
    '| case | wall µs/event (median) | CPU µs/event (median) | wall beyond bare | CPU beyond bare | events/s ÷ bare |',
  );
  console.log(`| --- |${' ---: |'.repeat(5)}`);
  for (const [name, runs] of results) {
    const wall = median(runs.map((t) => perEvent(t.wallMs)));
    const cpu = median(runs.map((t) => perEvent(t.cpuMs)));
    // Paired with the bare run of the same round.
    const wallBeyond = median(runs.map((t, i) => perEvent(t.wallMs - (bareRuns[i] as Timing).wallMs)));
    const cpuBeyond = median(runs.map((t, i) => perEvent(t.cpuMs - (bareRuns[i] as Timing).cpuMs)));
    const speed = median(runs.map((t, i) => (bareRuns[i] as Timing).wallMs / t.wallMs));
    const cells = [wall, cpu, wallBeyond, cpuBeyond].map((x) => x.toFixed(2));
    console.log(`| ${name} | ${cells.join(' | ')} | ${mode === 'bytes' ? `${speed.toFixed(2)}×` : '—'} |`);
  }
}

await main();
