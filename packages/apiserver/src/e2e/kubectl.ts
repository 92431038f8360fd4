/**
 * Running the real kubectl against a test server: a temporary kubeconfig and cache directory per server,
 * and the rule for a missing kubectl (fail under CI, skip loudly elsewhere).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The kubectl binary on PATH, or undefined. */
export function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** What one kubectl run printed. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubectl bound to one server through a temporary kubeconfig. */
export class Kubectl {
  readonly #bin: string;
  readonly #dir: string;
  readonly #kubeconfig: string;

  constructor(bin: string, kubeconfigYaml: string) {
    this.#bin = bin;
    this.#dir = mkdtempSync(join(tmpdir(), 'kubecache-kubectl-'));
    this.#kubeconfig = join(this.#dir, 'kubeconfig');
    writeFileSync(this.#kubeconfig, kubeconfigYaml, { mode: 0o600 });
  }

  /** Writes `content` to a file in the temporary directory and returns its path. */
  file(name: string, content: string): string {
    const path = join(this.#dir, name);
    writeFileSync(path, content);
    return path;
  }

  /** Runs kubectl with `args`; resolves with its exit code and output (never rejects on a non-zero exit). */
  run(args: string[], timeoutMs = 20_000): Promise<KubectlResult> {
    const full = ['--kubeconfig', this.#kubeconfig, '--cache-dir', join(this.#dir, 'cache'), ...args];
    return new Promise((resolve) => {
      execFile(
        this.#bin,
        full,
        { timeout: timeoutMs, env: { ...process.env, HOME: this.#dir } },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  }

  /** Removes the temporary directory. */
  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
