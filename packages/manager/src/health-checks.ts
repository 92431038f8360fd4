/**
 * Named health checks in the shape of the apiserver's `healthz` package: `/healthz` and `/readyz` answer
 * `200 ok` when every check passes and `503` otherwise; `?verbose` lists each check (`[+]name ok` /
 * `[-]name failed: reason`); `/readyz/<name>` runs one check; `?exclude=name` skips one.
 */

/** One check. It passes when `check` returns (or resolves); a throw (or rejection) is a failure. */
export interface HealthCheck {
  /** Name in the report and in `/readyz/<name>`: lowercase letters, digits and `-`. */
  readonly name: string;
  check(): void | Promise<void>;
}

/** The result of running a set of checks. */
export interface HealthReport {
  readonly ok: boolean;
  /** Per check: undefined when it passed, else the failure message. */
  readonly results: ReadonlyArray<{ name: string; error: string | undefined }>;
}

/**
 * A named set of checks (`healthz` or `readyz`).
 *
 * @example
 * const readyz = new HealthChecks('readyz');
 * readyz.add({ name: 'db', check: () => { if (!db.connected) throw new Error('db not connected'); } });
 * const report = await readyz.run();
 */
export class HealthChecks {
  readonly #checks = new Map<string, HealthCheck>();

  constructor(readonly kind: 'healthz' | 'readyz') {}

  /** Adds a check; a second check with the same name throws. */
  add(check: HealthCheck): void {
    if (!/^[a-z0-9-]+$/.test(check.name)) throw new TypeError(`health check name ${JSON.stringify(check.name)}`);
    if (this.#checks.has(check.name)) throw new TypeError(`a ${this.kind} check named ${check.name} exists`);
    this.#checks.set(check.name, check);
  }

  /** Names of the checks, in the order they were added. */
  names(): string[] {
    return [...this.#checks.keys()];
  }

  /** Runs the checks (all, or only `only`; minus `exclude`). An unknown `only` is reported as failed. */
  async run(options: { only?: string; exclude?: readonly string[] } = {}): Promise<HealthReport> {
    const selected = options.only === undefined ? this.names() : [options.only];
    const names = selected.filter((n) => !options.exclude?.includes(n));
    const results = await Promise.all(names.map(async (name) => ({ name, error: await this.#runOne(name) })));
    return { ok: results.every((r) => r.error === undefined), results };
  }

  /** The apiserver's text form of a report. */
  format(report: HealthReport, verbose: boolean): string {
    if (report.ok && !verbose) return 'ok';
    const lines = report.results.map((r) =>
      r.error === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${verbose ? r.error : 'reason withheld'}`,
    );
    lines.push(`${this.kind} check ${report.ok ? 'passed' : 'failed'}`);
    return `${lines.join('\n')}\n`;
  }

  async #runOne(name: string): Promise<string | undefined> {
    const check = this.#checks.get(name);
    if (!check) return 'no such check';
    try {
      await check.check();
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
}
