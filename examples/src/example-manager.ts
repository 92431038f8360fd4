/**
 * The commands' `--metrics-port` and `--leader-elect*` flags, served by a `@kubecache/manager` Manager:
 * `/metrics`, `/healthz` and `/readyz` on one 127.0.0.1 port, and the example's controllers running only
 * while this process holds a `coordination.k8s.io/v1` Lease (a `KubeLeaseLock` on the embedded server or on
 * the `--kubeconfig` cluster). Without these flags the harness does not create a Manager at all.
 */
import { hostname } from 'node:os';
import type { ControllerRunner, ControllerRunnerOptions, SharedInformerFactoryOptions } from '@kubecache/informers';
import { LEADER_ELECTION_JITTER, Manager } from '@kubecache/manager';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ExampleFlag } from './example-cli.js';
import { intFlag } from './lister-helpers.js';

/** The flags, as `--help` shows them (all commands have them). */
export const MANAGER_FLAGS: Readonly<Record<string, ExampleFlag>> = {
  'metrics-port': {
    value: '<port>',
    description: 'serve /metrics, /healthz and /readyz on 127.0.0.1:<port> (0: a free port, printed)',
  },
  'leader-elect': {
    description: 'run the controllers only while holding a coordination.k8s.io/v1 Lease (one active replica)',
  },
  'leader-elect-namespace': { value: '<ns>', description: 'namespace of the Lease (default default)' },
  'leader-elect-id': { value: '<name>', description: 'name of the Lease (default kubecache-<command>)' },
  'leader-elect-identity': { value: '<id>', description: 'this replica in the Lease (default <hostname>_<pid>)' },
  'leader-elect-lease-duration': {
    value: '<duration>',
    description: 'how long others wait after the last renewal they saw, e.g. 15s (default 15s)',
  },
  'leader-elect-renew-deadline': {
    value: '<duration>',
    description: 'the leader stops when it could not renew for this long (default 10s)',
  },
  'leader-elect-retry-period': { value: '<duration>', description: 'time between attempts (default 2s)' },
};

/** What the flags ask for; undefined when none was given. */
export interface ManagerFlags {
  metricsPort?: number;
  leaderElection?: {
    namespace: string;
    name: string;
    identity: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
}

/** `1500ms`, `1.5s`, `2m` → milliseconds; throws a RangeError naming the flag otherwise. */
export function durationFlag(value: string | boolean | undefined, name: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value) : null;
  const ms = m ? Number(m[1]) * { ms: 1, s: 1_000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'] : Number.NaN;
  if (!(ms >= 1 && ms <= 3_600_000)) {
    throw new RangeError(`--${name} must be a duration from 1ms to 60m such as 500ms, 1.5s or 2m, got ${value}`);
  }
  return Math.round(ms);
}

/** Reads the flags of {@link MANAGER_FLAGS} for command `kubecache-<command>`; throws a RangeError for a bad one. */
export function parseManagerFlags(
  flags: Readonly<Record<string, string | boolean | undefined>>,
  command: string,
): ManagerFlags | undefined {
  const metricsPort =
    flags['metrics-port'] === undefined ? undefined : intFlag(flags['metrics-port'], 'metrics-port', 0, 0, 65_535);
  if (!flags['leader-elect']) {
    const stray = Object.keys(MANAGER_FLAGS).find((k) => k.startsWith('leader-elect-') && flags[k] !== undefined);
    if (stray) throw new RangeError(`--${stray} needs --leader-elect`);
    return metricsPort === undefined ? undefined : { metricsPort };
  }
  const text = (k: string, fallback: string): string => {
    const v = flags[k];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v.trim() === '') throw new RangeError(`--${k} must not be empty`);
    return v;
  };
  const leaseDurationMs = durationFlag(flags['leader-elect-lease-duration'], 'leader-elect-lease-duration', 15_000);
  const renewDeadlineMs = durationFlag(flags['leader-elect-renew-deadline'], 'leader-elect-renew-deadline', 10_000);
  const retryPeriodMs = durationFlag(flags['leader-elect-retry-period'], 'leader-elect-retry-period', 2_000);
  // client-go's rules: others must not take over before a cut-off leader has stopped, and a leader must get
  // more than one jittered attempt in before its deadline.
  if (leaseDurationMs <= renewDeadlineMs) {
    throw new RangeError(
      `--leader-elect-lease-duration (${leaseDurationMs} ms) must be longer than --leader-elect-renew-deadline (${renewDeadlineMs} ms)`,
    );
  }
  if (renewDeadlineMs <= LEADER_ELECTION_JITTER * retryPeriodMs) {
    throw new RangeError(
      `--leader-elect-renew-deadline (${renewDeadlineMs} ms) must be longer than ${LEADER_ELECTION_JITTER} × --leader-elect-retry-period (${retryPeriodMs} ms)`,
    );
  }
  return {
    metricsPort,
    leaderElection: {
      namespace: text('leader-elect-namespace', 'default'),
      name: text('leader-elect-id', `kubecache-${command}`),
      identity: text('leader-elect-identity', `${hostname()}_${process.pid}`),
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
  };
}

/** Options of {@link ExampleManager}. */
export interface ExampleManagerOptions {
  flags: ManagerFlags;
  /** The embedded server's or the `--kubeconfig` cluster's. */
  kubeConfig: KubeConfig;
  informerOptions: SharedInformerFactoryOptions['informerOptions'];
  /** Progress lines (stdout). */
  log: (line: string) => void;
  /** Warnings and errors (stderr). */
  err: (line: string) => void;
  /** The manager failed while running (the lease was lost): the command should stop and exit 1. */
  onFailure: (err: unknown) => void;
}

/**
 * One Manager per command run: its informer factory is the example's, its servers start with `listen`, and
 * `whileLeading` runs the example's controllers once the caches have synced and (with `--leader-elect`) this
 * process leads. The manager itself starts at the first `whileLeading`, so an example seeds the embedded
 * server before any informer lists, exactly as without the flags.
 */
export class ExampleManager {
  readonly manager: Manager;
  /** Why the manager failed (the lease was lost), if it did. */
  failure: unknown;
  readonly #o: ExampleManagerOptions;
  readonly #stop = new AbortController();
  readonly #leading: Promise<AbortSignal>;
  #running: Promise<void> | undefined;

  constructor(options: ExampleManagerOptions) {
    this.#o = options;
    const { metricsPort, leaderElection } = options.flags;
    this.manager = new Manager({
      kubeConfig: options.kubeConfig,
      informerOptions: options.informerOptions,
      metricsPort,
      healthPort: metricsPort,
      ...(leaderElection && { leaderElection: { ...leaderElection, releaseOnCancel: true } }),
      logger: {
        info: (m) => options.log(`manager: ${m}`),
        warn: (m) => options.err(`manager: ${m}`),
        error: (m) => options.err(`manager: ${m}`),
      },
    });
    let lead: (signal: AbortSignal) => void = () => {};
    this.#leading = new Promise((resolve) => {
      lead = resolve;
    });
    // The controllers' gate: launched by the manager after the caches synced and, with an election, while leading.
    this.manager.add({
      name: 'controllers',
      run: (signal) => {
        lead(signal);
        return new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      },
    });
  }

  /** Starts the servers (if `--metrics-port`) and prints where they listen. */
  async listen(): Promise<void> {
    const { metrics, health } = await this.manager.listen();
    const url = metrics ?? health;
    if (url) this.#o.log(`metrics and probes on ${url}: /metrics, /healthz, /readyz`);
  }

  /** A controller measured on `/metrics` (workqueue and reconcile metrics). */
  newController(options: ControllerRunnerOptions): ControllerRunner {
    return this.manager.newController(options);
  }

  /**
   * Runs `run` once this process may (caches synced; leading, with an election) until `signal` aborts or the
   * lease is lost; resolves without running it if `signal` aborts first.
   */
  async whileLeading(run: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal): Promise<void> {
    const le = this.#o.flags.leaderElection;
    if (!this.#running) {
      if (le) {
        this.#o.log(`leader election: waiting to lead Lease ${le.namespace}/${le.name} as ${le.identity}`);
      }
      this.#running = this.manager.start(this.#stop.signal).catch((err: unknown) => {
        if (this.#stop.signal.aborted) throw err; // stopping overran: `stop` rejects with it
        this.failure = err; // the lease was lost (the manager has already stopped everything)
        this.#o.onFailure(err);
      });
      // A failure to stop in time is reported by `stop`; this only keeps the rejection from going unhandled.
      this.#running.catch(() => {});
    }
    const aborted = new Promise<undefined>((resolve) => {
      if (signal.aborted) resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    const leading = await Promise.race([this.#leading, aborted]);
    if (!leading || signal.aborted) return;
    await run(AbortSignal.any([signal, leading]));
  }

  /** Stops the manager (controllers' gate, informers, lease released, servers closed). Rejects if it overran. */
  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#running) await this.#running;
    else await this.manager.close();
  }
}
