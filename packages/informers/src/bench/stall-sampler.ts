/**
 * Event-loop stalls as a benchmark sees them on a shared machine: a timer ticks every few ms, and each tick
 * records how late it fired (wall clock) and how much CPU the process used meanwhile. A late tick during which
 * the process barely ran was descheduled by the OS (other processes on the same cores), not blocked by our
 * code; the CPU-attributed stall (the lesser of the two) tells them apart. `monitorEventLoopDelay` sees only
 * the wall clock.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { StallFigures } from './versus-protocol.js';

/** Tick period of the sampler, in ms. */
export const SAMPLE_PERIOD_MS = 5;

/** Samples stalls from `start()` to `stop()`. */
export class StallSampler {
  readonly #wall: number[] = [];
  readonly #cpu: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #prevAt = 0;
  #prevCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  #longestGc = 0;
  readonly #gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.#longestGc = Math.max(this.#longestGc, entry.duration);
  });

  start(): void {
    this.#prevAt = performance.now();
    this.#prevCpu = process.cpuUsage();
    this.#timer = setInterval(() => this.#tick(), SAMPLE_PERIOD_MS);
    this.#gc.observe({ entryTypes: ['gc'] });
  }

  /**
   * Stops after one more tick (a block still in progress when the work ended is recorded by that tick).
   * `gcMs` is the longest garbage-collection pause seen meanwhile (part of the stalls, not ours to slice).
   */
  async stop(): Promise<{ wall: StallFigures; cpu: StallFigures; gcMs: number }> {
    await new Promise((resolve) => setTimeout(resolve, 2 * SAMPLE_PERIOD_MS));
    clearInterval(this.#timer);
    this.#gc.disconnect();
    return { wall: figures(this.#wall), cpu: figures(this.#cpu), gcMs: this.#longestGc };
  }

  #tick(): void {
    const at = performance.now();
    const cpu = process.cpuUsage();
    const late = Math.max(0, at - this.#prevAt - SAMPLE_PERIOD_MS);
    const used = (cpu.user - this.#prevCpu.user + cpu.system - this.#prevCpu.system) / 1000;
    this.#wall.push(late);
    this.#cpu.push(Math.min(late, used));
    this.#prevAt = at;
    this.#prevCpu = cpu;
  }
}

function figures(samples: number[]): StallFigures {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}
