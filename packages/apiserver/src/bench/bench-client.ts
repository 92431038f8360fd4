/**
 * The benchmark's client side, run as its own process so it does not share the server's event loop:
 * `list <url> <n> <runs>` fetches a LIST body `runs` times and reports each time to the last byte and to a
 * parsed body;
 * `watch <url> <count> <updates>` opens `count` watches and reports, for each event, the wall-clock time
 * (performance.timeOrigin + now) it was parsed, keyed by resourceVersion. Results are one JSON line on stdout.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';

const now = (): number => performance.timeOrigin + performance.now();

/** Fetches the list `runs` times in this process (later runs are JIT-warm), one result line each. */
function list(url: string, n: number, runs: number): void {
  if (runs <= 0) return;
  const t0 = performance.now();
  http.get(url, { headers: { Accept: 'application/json' } }, (res) => {
    const parts: Buffer[] = [];
    let bytes = 0;
    res.on('data', (c: Buffer) => {
      parts.push(c);
      bytes += c.length;
    });
    res.on('end', () => {
      const lastByteMs = performance.now() - t0;
      const items = (JSON.parse(Buffer.concat(parts).toString('utf8')) as { items: unknown[] }).items.length;
      const parsedMs = performance.now() - t0;
      if (items !== n) throw new Error(`expected ${n} items, got ${items}`);
      process.stdout.write(`${JSON.stringify({ bytes, lastByteMs, parsedMs })}\n`);
      setImmediate(() => list(url, n, runs - 1));
    });
  });
}

function watch(url: string, count: number, updates: number): void {
  const seen: Record<string, number[]> = {};
  let open = 0;
  let received = 0;
  const reqs: http.ClientRequest[] = [];
  const finish = () => {
    for (const r of reqs) r.destroy();
    // Exit only once the (large) line is flushed: a pipe write is asynchronous.
    process.stdout.write(`${JSON.stringify({ seen })}\n`, () => process.exit(0));
  };
  const timer = setTimeout(finish, 60_000);
  for (let i = 0; i < count; i++) {
    const req = http.get(url, (res) => {
      if (++open === count) process.stdout.write('{"ready":true}\n');
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const event = JSON.parse(buf.slice(0, nl)) as { object: { metadata?: { resourceVersion?: string } } };
          const rv = event.object.metadata?.resourceVersion ?? '';
          let list = seen[rv];
          if (list === undefined) {
            list = [];
            seen[rv] = list;
          }
          list.push(now());
          buf = buf.slice(nl + 1);
          if (++received === count * updates) {
            clearTimeout(timer);
            finish();
          }
        }
      });
    });
    req.on('error', () => undefined);
    reqs.push(req);
  }
}

const [mode, url, a, b] = process.argv.slice(2);
if (mode === 'list') list(url as string, Number(a), Number(b ?? 1));
else if (mode === 'watch') watch(url as string, Number(a), Number(b));
else throw new Error('usage: bench-client list <url> <n> | watch <url> <count> <updates>');
