/**
 * What every `kubecache-<name>` command shares: flags and `--help`, the embedded API server (or a cluster
 * from `--kubeconfig`), an informer factory over HTTP through client-node's KubeConfig, `--metrics-port` and
 * `--leader-elect` through a Manager (see example-manager.ts), Ctrl-C, and exit codes: 0 done or stopped by
 * Ctrl-C, 1 a runtime error (its message only) or a lost lease, 2 a usage error (one line).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError, errorReporter, type KubeObject, StatusError } from '@kubecache/apimachinery';
import { startTestServer, type TestServer } from '@kubecache/apiserver';
import type { ListerWatcher } from '@kubecache/cache';
import {
  ControllerRunner,
  type ControllerRunnerOptions,
  type FailFastPolicy,
  failFastOnAuthAndNotFound,
  KubeListerWatcher,
  RequestTimeoutError,
  SharedInformerFactory,
} from '@kubecache/informers';
import { KubeConfig } from '@kubernetes/client-node';
import { ExampleManager, MANAGER_FLAGS, type ManagerFlags, parseManagerFlags } from './example-manager.js';
import { KubeClient } from './kube-client.js';

/** An extra flag of one example. */
export interface ExampleFlag {
  /** Shown in `--help`, e.g. `'pods to seed (default 12)'`. */
  description: string;
  /** Placeholder in `--help`, e.g. `'<n>'`; absent for a boolean flag. */
  value?: string;
}

/** Everything an example's `run` gets. */
export interface ExampleContext {
  /** Credentials and address of the API server (embedded or from `--kubeconfig`). */
  kubeConfig: KubeConfig;
  /** Writes through the same KubeConfig. */
  client: KubeClient;
  /** Informers listing and watching over HTTP through `KubeListerWatcher`; the harness shuts it down. */
  factory: SharedInformerFactory;
  /** True when the example started the embedded server: seed a scenario, run it to its end, return. */
  embedded: boolean;
  /** Aborts on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  /** The parsed extra flags (strings; `true` for booleans). */
  flags: Readonly<Record<string, string | boolean | undefined>>;
  /**
   * A controller runner; with `--metrics-port` its workqueue and reconciles are measured on `/metrics`.
   * Build every controller with it.
   */
  newController: (options: ControllerRunnerOptions) => ControllerRunner;
  /**
   * Runs the controllers: `run(signal)` at once, or with `--leader-elect` once this process leads (printing
   * that it waits), with a signal that also aborts when the lease is lost. Resolves when `run` has ended, or
   * without running it when `signal` aborts first.
   */
  runControllers: (run: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal) => Promise<void>;
  /** Prints one line to stdout. */
  log: (line: string) => void;
  /** Reports a recovered error of `component` (deduplicated per minute) to stderr. */
  report: (component: string) => (err: unknown) => void;
  /**
   * Redraws a multi-line frame in place (a terminal: the previous frame is overwritten), or undefined when
   * output is not a terminal (print snapshots with `log` instead).
   */
  redraw: ((frame: string) => void) | undefined;
}

/** One runnable example. */
export interface ExampleDefinition {
  /** Command name without the `kubecache-` prefix. */
  name: string;
  /** One-line description for `--help`. */
  description: string;
  /** Lines explaining what it does on the embedded server and on a cluster (RBAC it needs). */
  details: readonly string[];
  /** Extra flags. */
  flags?: Readonly<Record<string, ExampleFlag>>;
  /** Checks the extra flags; throw {@link UsageError} for a bad one. */
  validate?(flags: Readonly<Record<string, string | boolean | undefined>>): void;
  /** Runs; resolves with the summary line (after the scenario when embedded, after Ctrl-C otherwise). */
  run(ctx: ExampleContext): Promise<string>;
}

/** A bad flag or kubeconfig: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where a command writes; `process.stdout`/`stderr` by default, captured in tests. */
export interface ExampleIo {
  out(line: string): void;
  err(line: string): void;
  /** Aborts the run like Ctrl-C. Default: SIGINT and SIGTERM. */
  signal?: AbortSignal;
  /** Writes raw text to a terminal, for live tables. Default: stdout when it is a TTY. */
  raw?: (text: string) => void;
  /** Awaited after the summary line, before the metrics server closes (tests read `/metrics` here). */
  afterRun?: () => Promise<void>;
}

/**
 * A command should say what is wrong rather than retry forever while nothing has synced: the initial sync
 * fails at once on 401/403/404 and on any error that is not the server asking to wait (429, 5xx) or a
 * request timeout: connection refused, DNS, TLS, a kubeconfig the client cannot use.
 */
export const failFastForCli: FailFastPolicy = (err) => {
  if (failFastOnAuthAndNotFound(err)) return true;
  if (err instanceof StatusError) return err.code < 429 && err.code !== 408 && err.code !== 409 && err.code !== 410;
  return !(err instanceof RequestTimeoutError);
};

/** The `--help` text. */
export function usage(def: ExampleDefinition): string {
  const rows: [string, string][] = [
    ['--kubeconfig <file>', 'run against the cluster in this kubeconfig until Ctrl-C (default: the embedded server)'],
    ...Object.entries({ ...def.flags, ...MANAGER_FLAGS }).map(([k, f]): [string, string] => [
      `--${k}${f.value ? ` ${f.value}` : ''}`,
      f.description,
    ]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  return [
    `usage: kubecache-${def.name} [options]`,
    '',
    def.description,
    '',
    ...def.details,
    '',
    ...rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`),
    '',
    'Exit codes: 0 done or stopped with Ctrl-C, 1 runtime error or lease lost, 2 bad flags or kubeconfig.',
  ].join('\n');
}

function loadKubeConfig(file: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (err) {
    throw new UsageError(`cannot parse kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!kc.getCurrentCluster()) throw new UsageError(`kubeconfig ${file} has no current cluster`);
  return kc;
}

/**
 * Runs `def` with command-line `argv` (without node and script); resolves with the exit code.
 *
 * @example
 * process.exitCode = await runExample(zoneLabeler, process.argv.slice(2));
 */
export async function runExample(
  def: ExampleDefinition,
  argv: readonly string[],
  io: ExampleIo = {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    ...(process.stdout.isTTY && { raw: (text: string) => void process.stdout.write(text) }),
  },
): Promise<number> {
  const prefix = `kubecache-${def.name}`;
  let flags: Record<string, string | boolean | undefined>;
  let kubeConfig: KubeConfig | undefined;
  let managerFlags: ManagerFlags | undefined;
  try {
    const extra = Object.fromEntries(
      Object.entries({ ...def.flags, ...MANAGER_FLAGS }).map(([k, f]) => [
        k,
        { type: f.value ? ('string' as const) : ('boolean' as const) },
      ]),
    );
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { kubeconfig: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...extra },
    });
    if (values.help) {
      io.out(usage(def));
      return 0;
    }
    flags = values;
    def.validate?.(flags);
    managerFlags = parseManagerFlags(flags, def.name);
    if (typeof values.kubeconfig === 'string') kubeConfig = loadKubeConfig(values.kubeconfig);
  } catch (err) {
    // Not `instanceof Error`: node's own errors may come from another realm (e.g. under a test runner).
    const message = (err as { message?: unknown } | null)?.message;
    io.err(`${prefix}: ${typeof message === 'string' ? message : String(err)} (see --help)`);
    return 2;
  }

  const stop = new AbortController();
  const onSignal = (): void => {
    if (!stop.signal.aborted) io.out('stopping (Ctrl-C): draining the workqueue, stopping informers');
    stop.abort();
  };
  if (io.signal) io.signal.addEventListener('abort', onSignal, { once: true });
  else {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let server: TestServer | undefined;
  let client: KubeClient | undefined;
  let factory: SharedInformerFactory | undefined;
  let hosted: ExampleManager | undefined;
  let code: number;
  let pendingSummary: string | undefined;
  try {
    if (!kubeConfig) {
      const t0 = performance.now();
      server = await startTestServer();
      kubeConfig = server.kubeConfig;
      io.out(`embedded API server on ${server.url} (started in ${(performance.now() - t0).toFixed(0)} ms)`);
    } else {
      io.out(`cluster ${kubeConfig.getCurrentCluster()?.server} (context ${kubeConfig.getCurrentContext()})`);
    }
    const kc = kubeConfig;
    const reporters = new Map<string, (err: unknown) => void>();
    const report = (component: string) => {
      let r = reporters.get(component);
      if (!r) {
        const reportOnce = errorReporter(`${def.name} ${component}`, { logger: { error: io.err } });
        r = (err: unknown) => reportOnce(err);
        reporters.set(component, r);
      }
      return r;
    };
    client = new KubeClient(kc);
    const informerOptions = { failFast: failFastForCli, onError: report('informer') };
    let frameLines = 0;
    const log = (line: string) => {
      frameLines = 0; // a log line ends the live frame: the next one starts below it
      io.out(line);
    };
    if (managerFlags) {
      hosted = new ExampleManager({
        flags: managerFlags,
        kubeConfig: kc,
        informerOptions,
        log,
        err: io.err,
        onFailure: (err) => stop.abort(err),
      });
      factory = hosted.manager.factory;
      await hosted.listen();
    } else {
      factory = new SharedInformerFactory({
        listerWatcherFor: (target): ListerWatcher<KubeObject> => new KubeListerWatcher({ kubeConfig: kc, ...target }),
        informerOptions,
      });
    }
    const raw = io.raw;
    const redraw = raw
      ? (frame: string) => {
          // Up to the first line of the previous frame, clear to the end of the screen, draw.
          raw(`${frameLines ? `\x1b[${frameLines}A` : ''}\x1b[0J${frame}\n`);
          frameLines = frame.split('\n').length;
        }
      : undefined;
    const h = hosted;
    const summary = await def.run({
      kubeConfig: kc,
      client,
      factory,
      embedded: server !== undefined,
      signal: stop.signal,
      flags,
      newController: h ? (o) => h.newController(o) : (o) => new ControllerRunner(o),
      runControllers: h
        ? (run, signal) => h.whileLeading(run, signal)
        : async (run, signal) => void (await run(signal)),
      log,
      report,
      redraw,
    });
    await io.afterRun?.();
    // With a manager, the summary comes after its shutdown lines (lease released), as the last line.
    if (hosted) pendingSummary = summary;
    else io.out(summary);
    code = 0;
  } catch (err) {
    if (stop.signal.aborted && !hosted?.failure) io.out('stopped before the scenario finished');
    else if (!stop.signal.aborted) io.err(`${prefix}: ${describeError(err)}`);
    code = stop.signal.aborted && !hosted?.failure ? 0 : 1;
  }
  if (hosted?.failure) {
    io.err(`${prefix}: ${describeError(hosted.failure)}`);
    code = 1;
  }
  try {
    if (hosted) await hosted.stop();
    else await factory?.shutdown();
  } catch (err) {
    io.err(`${prefix}: ${describeError(err)}`);
    code = 1;
  }
  if (pendingSummary !== undefined) io.out(pendingSummary);
  client?.close();
  await server?.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  io.signal?.removeEventListener('abort', onSignal);
  return code;
}
