/**
 * Event-loop stalls as a benchmark sees them on a shared machine: a timer ticks every few ms, and each tick
 * records how late it fired (wall clock) and how much CPU the main thread used meanwhile (Linux's
 * `/proc/self/task/<pid>/schedstat`; elsewhere the whole process's CPU, which also counts the collector's
 * concurrent threads). A late tick during which the main thread barely ran was descheduled by the OS (other
 * processes on the same cores), not blocked by our code; the CPU-attributed stall (the lesser of the two)
 * tells them apart. `monitorEventLoopDelay` sees only the wall clock.
 *
 * Garbage-collection pauses are recorded too (each `gc` performance entry: its kind and duration), and each
 * stall is also given with the GC pauses inside it taken out: what the code between two yields cost, apart
 * from the collector's share, which a library cannot slice.
 */
import { readFileSync } from 'node:fs';
import { type PerformanceEntry, PerformanceObserver, constants as perf, performance } from 'node:perf_hooks';
import type { GcFigures, GcKindFigures, StallFigures } from './versus-protocol.js';

/** Tick period of the sampler, in ms. */
export const SAMPLE_PERIOD_MS = 5;

/** What {@link StallSampler.stop} returns. */
export interface StallReport {
  /** Stalls by the wall clock. */
  readonly wall: StallFigures;
  /** Stalls, CPU-attributed to the main thread (GC pauses included). */
  readonly cpu: StallFigures;
  /** Stalls attributed to the whole process's CPU (the collector's helper threads count too). */
  readonly cpuProcess: StallFigures;
  /** CPU-attributed stalls minus the GC pauses that fell inside them. */
  readonly cpuExGc: StallFigures;
  /** The longest GC pause (ms). */
  readonly gcMs: number;
  /** GC pauses by kind. */
  readonly gc: GcFigures;
}

interface GcPause {
  readonly start: number;
  readonly end: number;
  readonly kind: number;
}

/** Samples stalls from `start()` to `stop()`. */
export class StallSampler {
  readonly #wall: number[] = [];
  readonly #cpu: number[] = [];
  readonly #cpuProcess: number[] = [];
  readonly #from: number[] = [];
  readonly #to: number[] = [];
  readonly #pauses: GcPause[] = [];
  #timer: NodeJS.Timeout | undefined;
  #prevAt = 0;
  #prevCpu = 0;
  #prevProcessCpu = 0;
  readonly #gc = new PerformanceObserver((list) => this.#record(list.getEntries()));

  start(): void {
    this.#prevAt = performance.now();
    this.#prevCpu = cpuNowMs();
    this.#prevProcessCpu = processCpuMs();
    this.#timer = setInterval(() => this.#tick(), SAMPLE_PERIOD_MS);
    this.#gc.observe({ entryTypes: ['gc'] });
  }

  /** Stops after one more tick (a block still in progress when the work ended is recorded by that tick). */
  async stop(): Promise<StallReport> {
    await new Promise((resolve) => setTimeout(resolve, 2 * SAMPLE_PERIOD_MS));
    clearInterval(this.#timer);
    this.#record(this.#gc.takeRecords());
    this.#gc.disconnect();
    const exGc = this.#cpu.map((stall, i) => Math.max(0, stall - this.#gcWithin(this.#from[i] ?? 0, this.#to[i] ?? 0)));
    let longest = 0;
    for (const p of this.#pauses) longest = Math.max(longest, p.end - p.start);
    return {
      wall: figures(this.#wall),
      cpu: figures(this.#cpu),
      cpuProcess: figures(this.#cpuProcess),
      cpuExGc: figures(exGc),
      gcMs: longest,
      gc: gcFigures(this.#pauses),
    };
  }

  #record(entries: readonly PerformanceEntry[]): void {
    for (const e of entries) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      this.#pauses.push({ start: e.startTime, end: e.startTime + e.duration, kind });
    }
  }

  /** GC pause time inside [from, to] (ms). */
  #gcWithin(from: number, to: number): number {
    let sum = 0;
    for (const p of this.#pauses) {
      const overlap = Math.min(to, p.end) - Math.max(from, p.start);
      if (overlap > 0) sum += overlap;
    }
    return sum;
  }

  #tick(): void {
    const at = performance.now();
    const cpu = cpuNowMs();
    const late = Math.max(0, at - this.#prevAt - SAMPLE_PERIOD_MS);
    const used = cpu - this.#prevCpu;
    const processCpu = processCpuMs();
    this.#cpuProcess.push(Math.min(late, processCpu - this.#prevProcessCpu));
    this.#prevProcessCpu = processCpu;
    this.#wall.push(late);
    this.#cpu.push(Math.min(late, used));
    this.#from.push(this.#prevAt);
    this.#to.push(at);
    this.#prevAt = at;
    this.#prevCpu = cpu;
  }
}

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
let mainThreadOnly = true;

/** CPU time of the main thread (ms) where the OS tells it, else of the whole process. */
function cpuNowMs(): number {
  if (mainThreadOnly) {
    try {
      // "<ns on a CPU> <ns waiting for one> <timeslices>"
      return Number.parseInt(readFileSync(SCHEDSTAT, 'latin1'), 10) / 1e6;
    } catch {
      mainThreadOnly = false;
    }
  }
  return processCpuMs();
}

/** CPU time of the whole process, all threads (ms). */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function figures(samples: number[]): StallFigures {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

function gcFigures(pauses: readonly GcPause[]): GcFigures {
  const of = (kind: number): GcKindFigures => {
    let count = 0;
    let totalMs = 0;
    let maxMs = 0;
    for (const p of pauses) {
      if (p.kind !== kind) continue;
      const ms = p.end - p.start;
      count++;
      totalMs += ms;
      maxMs = Math.max(maxMs, ms);
    }
    return { count, totalMs, maxMs };
  };
  return {
    scavenge: of(perf.NODE_PERFORMANCE_GC_MINOR),
    markSweepCompact: of(perf.NODE_PERFORMANCE_GC_MAJOR),
    incremental: of(perf.NODE_PERFORMANCE_GC_INCREMENTAL),
    weakCallbacks: of(perf.NODE_PERFORMANCE_GC_WEAKCB),
  };
}
