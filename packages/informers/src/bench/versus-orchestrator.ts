/**
 * The orchestrator side of the head-to-head benchmarks (`versus-client-node.bench.ts`,
 * `initial-sync.bench.ts`): the pod server child process and one child process per measured case.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  ClientCommand,
  ClientReply,
  ClientResult,
  ClientTask,
  ServerCommand,
  ServerReply,
} from './versus-protocol.js';

/** Node flags of every child process. */
export const CHILD_ARGS = [
  '--expose-gc',
  '--max-old-space-size=4096',
  ...(process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? []),
];

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** The pod server child: commands in, replies out; counts the watch streams it has opened. */
export class ServerProcess {
  readonly #child: ChildProcess;
  readonly #waiters: { type: ServerReply['type']; resolve: (reply: ServerReply) => void }[] = [];
  watchOpens = 0;

  constructor() {
    this.#child = fork(here('./versus-server.js'), [], { execArgv: CHILD_ARGS });
    this.#child.on('message', (reply: ServerReply) => {
      if (reply.type === 'watch-open') this.watchOpens++;
      const i = this.#waiters.findIndex((w) => w.type === reply.type);
      if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(reply);
    });
  }

  next<K extends ServerReply['type']>(type: K): Promise<Extract<ServerReply, { type: K }>> {
    return new Promise((resolve) => {
      this.#waiters.push({ type, resolve: resolve as (reply: ServerReply) => void });
    });
  }

  ask<K extends ServerReply['type']>(cmd: ServerCommand, answer: K): Promise<Extract<ServerReply, { type: K }>> {
    const reply = this.next(answer);
    this.#child.send(cmd);
    return reply;
  }

  async exit(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ type: 'exit' } satisfies ServerCommand);
    const timer = setTimeout(() => this.#child.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Resolves once the server has opened more than `seen` watch streams. */
async function watchOpened(server: ServerProcess, seen: number): Promise<void> {
  while (server.watchOpens <= seen) await server.next('watch-open');
}

/** Runs one case in a fresh process and returns its figures. */
export async function runCase(server: ServerProcess, task: ClientTask): Promise<ClientResult> {
  await server.ask({ type: 'reset' }, 'reset');
  const opensBefore = server.watchOpens;
  const child = fork(here('./versus-client.js'), [JSON.stringify(task)], { execArgv: CHILD_ARGS });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let killed = false;
  // The client's own cap cannot fire while its event loop is blocked (a long list decode): kill it then.
  const killer = setTimeout(() => {
    killed = true;
    child.kill();
  }, task.timeoutMs + 3_000);
  let result: ClientResult | undefined;
  child.on('message', (reply: ClientReply) => {
    if (reply.type === 'result') result = reply.result;
    else void startEvents(server, child, opensBefore, task.relist ?? false);
  });
  await exited;
  clearTimeout(killer);
  const error = killed
    ? `capped: killed after ${((task.timeoutMs + 3_000) / 1000).toFixed(1)} s with its event loop blocked`
    : 'client process died without a result';
  return result ?? { kind: task.kind, n: task.n, m: task.m, error };
}

async function startEvents(
  server: ServerProcess,
  child: ChildProcess,
  opensBefore: number,
  relist: boolean,
): Promise<void> {
  await watchOpened(server, opensBefore);
  child.send({ type: 'go' } satisfies ClientCommand);
  await server.ask({ type: 'go', relist }, 'sent');
}
