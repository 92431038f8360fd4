/**
 * One etcd server process for tests: spawned through a small shell guard that SIGKILLs etcd as soon as this
 * Node process's pipe to it closes, so a crashed or killed test run never leaves etcd behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EtcdTlsFiles } from './etcd-tls.js';

/** How to run one member. */
export interface EtcdMemberSpec {
  /** Member name (`--name`). */
  name: string;
  /** Client port on 127.0.0.1. */
  clientPort: number;
  /** Peer port on 127.0.0.1. */
  peerPort: number;
  /** Data directory (kept across restarts). */
  dataDir: string;
  /** `--initial-cluster`, e.g. `m0=http://127.0.0.1:40001`. */
  initialCluster: string;
  /** Serve clients over TLS with these files (client certificates required). Default: plain HTTP. */
  tls?: EtcdTlsFiles;
  /** More etcd flags. */
  extraArgs: readonly string[];
  /** The etcd binary. */
  binary: string;
  /** Removed if this process dies without stopping etcd (the test's temporary directory). Default none. */
  cleanupDir?: string;
}

/** Raised when a test etcd does not come up; carries the tail of its log. */
export class EtcdStartError extends Error {
  override readonly name = 'EtcdStartError';
  /** The last lines etcd wrote to stderr. */
  readonly log: string;

  constructor(message: string, log: string, cause?: unknown) {
    super(`${message}\n--- etcd log (tail) ---\n${log.slice(-4000)}`, { cause });
    this.log = log;
  }
}

// Runs etcd in the background. A line on fd 0 ("kill") SIGKILLs it; end of file (this Node process ended,
// crashed or was killed) SIGKILLs it and removes the test's directory.
const GUARD = [
  'exec 3<&0',
  'bin="$1"; root="$2"; shift 2',
  '"$bin" "$@" </dev/null &',
  'e=$!',
  '( if read -r _ <&3; then kill -9 "$e" 2>/dev/null; else kill -9 "$e" 2>/dev/null;',
  '  while kill -0 "$e" 2>/dev/null; do sleep 0.05; done; [ -n "$root" ] && rm -rf "$root"; fi ) &',
  'w=$!',
  'wait "$e"; s=$?',
  'kill "$w" 2>/dev/null',
  'exit "$s"',
].join('\n');

/** A member process that can be started, killed and started again on the same data directory. */
export class EtcdProcess {
  readonly spec: EtcdMemberSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #log = '';

  constructor(spec: EtcdMemberSpec) {
    this.spec = spec;
  }

  /** The client URL, `http(s)://127.0.0.1:<clientPort>`. */
  get endpoint(): string {
    return `${this.spec.tls ? 'https' : 'http'}://127.0.0.1:${this.spec.clientPort}`;
  }

  /** The peer URL. */
  get peerUrl(): string {
    return `http://127.0.0.1:${this.spec.peerPort}`;
  }

  /** Whether the process is running. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** What etcd wrote to stderr (the last 64 KiB). */
  get log(): string {
    return this.#log;
  }

  /** Spawns etcd; with `waitHealthyMs` > 0 resolves once it answers `/health` (else rejects, killed). */
  async start(clusterState: 'new' | 'existing', waitHealthyMs: number): Promise<void> {
    if (this.#child) return;
    const child = spawn(
      '/bin/sh',
      ['-c', GUARD, 'etcd-guard', this.spec.binary, this.spec.cleanupDir ?? '', ...this.#args(clusterState)],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#log = (this.#log + chunk).slice(-65_536);
    });
    child.stdin?.on('error', () => undefined);
    this.#exited = new Promise<void>((resolve) => {
      child.on('exit', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
      child.on('error', (err) => {
        this.#log += `\nspawn failed: ${err.message}`;
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    child.unref();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    (child.stdin as { unref?: () => void } | null)?.unref?.();
    if (waitHealthyMs > 0) await this.waitHealthy(waitHealthyMs);
  }

  /** Resolves once `/health` reports true; rejects (and kills etcd) after `timeoutMs` or if etcd exits. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.#child) throw new EtcdStartError(`etcd ${this.spec.name} exited during start`, this.#log);
      if (await this.#healthy()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.kill();
    throw new EtcdStartError(`etcd ${this.spec.name} was not healthy after ${timeoutMs} ms`, this.#log);
  }

  /** SIGKILLs etcd (through the guard) and resolves when it is gone. Idempotent. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child) {
      child.ref(); // keep this process alive until etcd is gone, even in a script with nothing else to do
      child.stdin?.end('kill\n');
    }
    await this.#exited;
  }

  #args(clusterState: 'new' | 'existing'): string[] {
    const s = this.spec;
    const args = [
      `--name=${s.name}`,
      `--data-dir=${s.dataDir}`,
      `--listen-client-urls=${this.endpoint}`,
      `--advertise-client-urls=${this.endpoint}`,
      `--listen-peer-urls=${this.peerUrl}`,
      `--initial-advertise-peer-urls=${this.peerUrl}`,
      `--initial-cluster=${s.initialCluster}`,
      `--initial-cluster-state=${clusterState}`,
      '--initial-cluster-token=kubecache-test',
      '--logger=zap',
      '--log-outputs=stderr',
      '--log-level=warn',
    ];
    if (s.tls) {
      args.push(
        `--cert-file=${s.tls.serverCert}`,
        `--key-file=${s.tls.serverKey}`,
        `--trusted-ca-file=${s.tls.ca}`,
        '--client-cert-auth',
      );
    }
    return [...args, ...s.extraArgs];
  }

  #healthy(): Promise<boolean> {
    const tls = this.spec.tls;
    const url = `${this.endpoint}/health`;
    return new Promise((resolve) => {
      const options = tls
        ? { ca: readFileSync(tls.ca), cert: readFileSync(tls.clientCert), key: readFileSync(tls.clientKey) }
        : {};
      const req = (tls ? httpsRequest : httpRequest)(url, { ...options, timeout: 1000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(res.statusCode === 200 && /"health":\s*"true"/.test(body)));
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }
}
