/**
 * The parent's handle on one chaos server process (see `chaos-server-main.ts`): forks it, sends it
 * requests over IPC and waits for the answers, and ends it by its process id.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StormReport } from './storm.js';

/** The compiled server entry; the process runs plain JavaScript, so it needs `tsc -b` to have run. */
const SERVER_MAIN = fileURLToPath(new URL('../dist/chaos-server-main.js', import.meta.url));

interface Answer {
  id?: number;
  type?: string;
  error?: string;
  url?: string;
  report?: StormReport;
}

/** One server process. */
export class ChaosLane {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #exited = false;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (answer: Answer) => {
      const waiter = answer.id === undefined ? undefined : this.#pending.get(answer.id);
      if (!waiter || answer.id === undefined) return;
      this.#pending.delete(answer.id);
      if (answer.error) waiter.reject(new Error(`chaos server: ${answer.error}`));
      else waiter.resolve(answer);
    });
    child.on('exit', (code) => {
      this.#exited = true;
      for (const w of this.#pending.values()) w.reject(new Error(`chaos server exited with ${code}`));
      this.#pending.clear();
    });
  }

  /** Forks a server process and waits until it is ready. */
  static async start(): Promise<ChaosLane> {
    const child = fork(SERVER_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`chaos server exited with ${code} before it was ready`)));
    });
    return new ChaosLane(child);
  }

  /** Starts a fresh server seeded for `seed`; resolves with the proxy's URL. */
  async reset(seed: number): Promise<string> {
    return (await this.#request({ type: 'reset', seed })).url as string;
  }

  /** Runs a storm of `stormMs`; resolves when it ended, with what it did and the final state. */
  async storm(seed: number, stormMs: number): Promise<StormReport> {
    return (await this.#request({ type: 'storm', seed, stormMs })).report as StormReport;
  }

  /** Ends the process (by its pid) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.disconnect();
    const kill = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(kill);
  }

  #request(body: Record<string, unknown>): Promise<Answer> {
    const id = this.#nextId++;
    return new Promise<Answer>((resolve, reject) => {
      if (this.#exited) {
        reject(new Error('chaos server has exited'));
        return;
      }
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, ...body });
    });
  }
}
