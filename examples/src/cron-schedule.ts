/**
 * A small cron schedule: five fields (`minute hour day-of-month month day-of-week`) or six with seconds
 * first, each `*`, `n`, `a-b`, `*\/s`, `a-b/s` or a comma list of those. Times are UTC. Enough for the
 * CronTab example's status; not a full cron (no names, `?`, `L`, `W` or `#`).
 */

/** A cron expression that does not parse; `message` says which field and why. */
export class CronSyntaxError extends Error {
  override readonly name = 'CronSyntaxError';
}

const RANGES: readonly (readonly [string, number, number])[] = [
  ['second', 0, 59],
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 6],
];

function parseField(text: string, [what, lo, hi]: readonly [string, number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronSyntaxError(`${what}: cannot parse "${part}"`);
    const from = m[1] === '*' ? lo : Number(m[2]);
    const to = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? hi : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < lo || to > hi || from > to) throw new CronSyntaxError(`${what}: ${part} is outside ${lo}-${hi}`);
    if (step < 1) throw new CronSyntaxError(`${what}: step must be at least 1 in "${part}"`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** A parsed schedule. */
export class CronSchedule {
  readonly #fields: Set<number>[];
  readonly #stepMs: number;

  /** Parses `spec`; throws {@link CronSyntaxError}. */
  constructor(spec: string) {
    const parts = spec.trim().split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6) {
      throw new CronSyntaxError(`expected 5 or 6 fields, got ${parts.length} in "${spec}"`);
    }
    const withSeconds = parts.length === 6 ? parts : ['0', ...parts];
    this.#fields = withSeconds.map((f, i) => parseField(f, RANGES[i] ?? ['field', 0, 0]));
    this.#stepMs = parts.length === 6 ? 1000 : 60_000;
  }

  #matches(d: Date): boolean {
    const values = [
      d.getUTCSeconds(),
      d.getUTCMinutes(),
      d.getUTCHours(),
      d.getUTCDate(),
      d.getUTCMonth() + 1,
      d.getUTCDay(),
    ];
    return values.every((v, i) => this.#fields[i]?.has(v));
  }

  /** The first matching time strictly after `after` (ms since epoch), within a year; undefined if none. */
  next(after: number): number | undefined {
    let t = Math.floor(after / this.#stepMs) * this.#stepMs + this.#stepMs;
    const limit = after + 366 * 24 * 3600 * 1000;
    // Skip whole non-matching days first, so that a rare schedule does not step through every second.
    while (t <= limit) {
      const d = new Date(t);
      const dayOk =
        this.#fields[3]?.has(d.getUTCDate()) &&
        this.#fields[4]?.has(d.getUTCMonth() + 1) &&
        this.#fields[5]?.has(d.getUTCDay());
      if (!dayOk) {
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
        continue;
      }
      if (this.#matches(d)) return t;
      t += this.#stepMs;
    }
    return undefined;
  }
}
