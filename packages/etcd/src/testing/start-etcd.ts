/**
 * Test etcd servers on loopback: one member ({@link startEtcd}) or a cluster ({@link startEtcdCluster}),
 * each in a temporary data directory (on /dev/shm when present, so fsync is cheap), on free 127.0.0.1
 * ports, stopped and removed by `stop()` and killed with the test process in any case.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EtcdProcess } from './etcd-process.js';
import { type EtcdTlsFiles, makeTestPki } from './etcd-tls.js';
import { freePort } from './free-port.js';

/** Options of {@link startEtcd} and {@link startEtcdCluster}. */
export interface StartEtcdOptions {
  /** Serve clients over TLS with generated certificates, client certificates required. Default `false`. */
  tls?: boolean;
  /** `--experimental-watch-progress-notify-interval`, in ms. Default: etcd's (10 min). */
  progressNotifyIntervalMs?: number;
  /** `--max-request-bytes`. Default: etcd's 1.5 MiB. */
  maxRequestBytes?: number;
  /** More etcd flags. Default none. */
  extraArgs?: readonly string[];
  /** Wait this long for health, in ms. Default 20 000. */
  startTimeoutMs?: number;
  /** The etcd binary. Default `$ETCD_BIN` or `etcd` on the PATH. */
  binary?: string;
}

/** A running single-member etcd. */
export interface TestEtcd {
  /** Client URLs, for `Etcd3Storage`'s `serverList`. */
  endpoints: string[];
  /** Certificates when started with `tls: true`. */
  tls?: EtcdTlsFiles;
  /** Kills etcd and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

/** A running etcd cluster with member-level fault injection. */
export interface TestEtcdCluster extends TestEtcd {
  /** The members, in order. */
  members: readonly EtcdProcess[];
  /** The index of the current leader (asks each running member's status). */
  leaderIndex(): Promise<number>;
  /** SIGKILLs member `i`. */
  kill(i: number): Promise<void>;
  /** Starts member `i` again on its data directory and waits until it is healthy. */
  restart(i: number): Promise<void>;
}

/** Starts one etcd member. */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<TestEtcd> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const cluster = await tryStartCluster(1, options).catch((err: unknown) => {
      lastError = err;
      return undefined;
    });
    if (cluster) return { endpoints: cluster.endpoints, ...(cluster.tls && { tls: cluster.tls }), stop: cluster.stop };
  }
  throw lastError;
}

/** Starts a cluster of `size` members on loopback and waits until every member is healthy. */
export async function startEtcdCluster(size: number, options: StartEtcdOptions = {}): Promise<TestEtcdCluster> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const cluster = await tryStartCluster(size, options).catch((err: unknown) => {
      lastError = err;
      return undefined;
    });
    if (cluster) return cluster;
  }
  throw lastError;
}

async function tryStartCluster(size: number, options: StartEtcdOptions): Promise<TestEtcdCluster> {
  const root = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kubecache-etcd-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const tls = options.tls ? makeTestPki(root) : undefined;
    const ports = [];
    for (let i = 0; i < size; i++) ports.push({ client: await freePort(), peer: await freePort() });
    const initialCluster = ports.map((p, i) => `m${i}=http://127.0.0.1:${p.peer}`).join(',');
    const members = ports.map(
      (p, i) =>
        new EtcdProcess({
          name: `m${i}`,
          clientPort: p.client,
          peerPort: p.peer,
          dataDir: path.join(root, `m${i}`),
          initialCluster,
          ...(tls && { tls }),
          extraArgs: extraArgs(options),
          binary: options.binary ?? process.env.ETCD_BIN ?? 'etcd',
          cleanupDir: root,
        }),
    );
    const stop = async () => {
      await Promise.all(members.map((m) => m.kill()));
      remove();
    };
    const timeout = options.startTimeoutMs ?? 20_000;
    try {
      await Promise.all(members.map((m) => m.start('new', 0)));
      await Promise.all(members.map((m) => m.waitHealthy(timeout)));
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      endpoints: members.map((m) => m.endpoint),
      ...(tls && { tls }),
      members,
      stop,
      leaderIndex: () => leaderIndex(members),
      kill: (i) => member(members, i).kill(),
      restart: (i) => member(members, i).start('existing', timeout),
    };
  } catch (err) {
    remove();
    throw err;
  }
}

function extraArgs(options: StartEtcdOptions): string[] {
  const args = [...(options.extraArgs ?? [])];
  if (options.progressNotifyIntervalMs !== undefined) {
    args.push(`--experimental-watch-progress-notify-interval=${options.progressNotifyIntervalMs}ms`);
  }
  if (options.maxRequestBytes !== undefined) args.push(`--max-request-bytes=${options.maxRequestBytes}`);
  return args;
}

function member(members: readonly EtcdProcess[], i: number): EtcdProcess {
  const m = members[i];
  if (!m) throw new RangeError(`no member ${i} (cluster of ${members.length})`);
  return m;
}

async function leaderIndex(members: readonly EtcdProcess[]): Promise<number> {
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as EtcdProcess;
    if (!m.running || m.spec.tls) continue;
    const res = await fetch(`${m.endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}' }).catch(
      () => undefined,
    );
    if (!res?.ok) continue;
    const status = (await res.json()) as { header?: { member_id?: string }; leader?: string };
    if (status.leader && status.leader === status.header?.member_id) return i;
  }
  return -1;
}
