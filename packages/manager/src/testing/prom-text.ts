/**
 * A parser of the Prometheus text exposition format (version 0.0.4), so tests read `/metrics` as data instead
 * of matching strings: `# TYPE` lines give each family its type, and every sample line becomes
 * `{ name, labels, value }`. Label values are unescaped (`\\`, `\"`, `\n`); `+Inf`, `-Inf` and `NaN` parse.
 */

/** One sample line. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The family's `# TYPE` (`counter`, `gauge`, `histogram`, …), `untyped` if none was declared. */
  readonly type: string;
}

/** The input is not valid text exposition format; `line` is 1-based. */
export class PromTextError extends Error {
  override readonly name = 'PromTextError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function familyType(types: Map<string, string>, name: string): string {
  const direct = types.get(name);
  if (direct) return direct;
  for (const s of SUFFIXES) {
    if (name.endsWith(s)) {
      const t = types.get(name.slice(0, -s.length));
      if (t) return t;
    }
  }
  return 'untyped';
}

function parseValue(text: string, line: number): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new PromTextError(`bad value ${JSON.stringify(text)}`, line);
  return n;
}

/** Parses `{a="x",b="y"}` starting at `i` (just after `{`); returns the labels and the index after `}`. */
function parseLabels(s: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start;
  for (;;) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (s[i] === '}') return { labels, end: i + 1 };
    const eq = s.indexOf('=', i);
    if (eq < 0 || s[eq + 1] !== '"') throw new PromTextError('bad label', line);
    const key = s.slice(i, eq).trim();
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) throw new PromTextError(`bad label name ${key}`, line);
    let value = '';
    i = eq + 2;
    for (; i < s.length && s[i] !== '"'; i++) {
      if (s[i] === '\\') {
        const next = s[++i];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += s[i];
    }
    if (s[i] !== '"') throw new PromTextError('unterminated label value', line);
    labels[key] = value;
    i++;
  }
}

/**
 * Parses a whole exposition.
 *
 * @example
 * const samples = parsePromText(await (await fetch(`${url}/metrics`)).text());
 * sampleValue(samples, 'workqueue_adds_total', { name: 'pods' }); // 3
 */
export function parsePromText(text: string): PromSample[] {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(raw);
      if (m) types.set(m[1] as string, m[2] as string);
      continue;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw);
    if (!nameMatch) throw new PromTextError(`bad metric name in ${JSON.stringify(raw)}`, n + 1);
    const name = nameMatch[0];
    let rest = raw.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest, 1, n + 1);
      labels = parsed.labels;
      rest = rest.slice(parsed.end);
    }
    const [valueText] = rest.trim().split(/\s+/);
    samples.push({ name, labels, value: parseValue(valueText ?? '', n + 1), type: familyType(types, name) });
  }
  return samples;
}

/**
 * The value of the one sample named `name` whose labels include `labels`; `undefined` if none matches.
 * Throws if several match (the labels given do not pick one series).
 */
export function sampleValue(
  samples: readonly PromSample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} series of ${name} match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}
