/**
 * API server benchmarks over HTTP on 127.0.0.1: LIST of 10k and 100k pods (~2.5 KB each) from the Cacher
 * and with the watch cache off (straight from MemoryStorage), in objects/s and MB/s (time to the last
 * byte, and to a parsed body); and watch fan-out to 1, 100 and 1,000 watchers: 100 pod updates, latency
 * from the write to the event parsed by each client (p50/p99). Clients run in a separate process
 * (`bench-client.ts`); on a two-core machine they still share the cores with the server.
 */
import { execFile, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '@kubecache/apimachinery';
import { makePod } from '@kubecache/apimachinery/testing';
import { writeBenchJson } from '@kubecache/cache/internal';
import { ApiServer } from '../server/api-server.js';

const PAD = 'x'.repeat(950);

function pod(i: number): KubeObject {
  const p = makePod(i) as KubeObject & { metadata: Record<string, unknown> };
  delete p.metadata.resourceVersion;
  p.metadata.annotations = { ...(p.metadata.annotations as object), 'example.com/padding': PAD };
  return p;
}

async function serverWith(n: number, watchCache: boolean): Promise<ApiServer> {
  const server = await ApiServer.start({
    watchCache,
    maxWatchesPerClient: 5000,
    log: () => undefined,
    progressIntervalMs: 0,
  });
  for (let i = 0; i < n; i++) {
    const p = pod(i);
    await server.storage.create(`/pods/${p.metadata?.namespace}/${p.metadata?.name}`, p);
  }
  // A consistent list waits until the cache has every object.
  await get(`${server.url}/api/v1/pods?limit=1`);
  return server;
}

/** Figures for `--json` (see `writeBenchJson`). */
const figures: { list: Record<string, unknown>[]; fanOut: Record<string, unknown>[] } = { list: [], fanOut: [] };

const CLIENT = fileURLToPath(new URL('./bench-client.js', import.meta.url));

/** Runs the client script in its own process; resolves with its JSON lines (`onLine` sees each as it comes). */
function client(
  args: string[],
  onLine: (line: Record<string, unknown>) => void = () => undefined,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', CLIENT, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Record<string, unknown>[] = [];
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        lines.push(line);
        onLine(line);
        buf = buf.slice(nl + 1);
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`client exited ${code}`))));
  });
}

async function get(url: string): Promise<void> {
  await (await fetch(url)).text();
}

async function listCase(label: string, server: ApiServer, n: number, rv: string, repeat: number): Promise<string> {
  let best = { lastByteMs: Number.POSITIVE_INFINITY, parsedMs: Number.POSITIVE_INFINITY, bytes: 0 };
  for (let r = 0; r <= repeat; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const [res] = (await client([
      'list',
      `${server.url}/api/v1/pods?resourceVersion=${rv}`,
      String(n),
    ])) as unknown as (typeof best)[];
    if (r > 0 && res && res.lastByteMs < best.lastByteMs) best = res;
  }
  const s = best.lastByteMs / 1000;
  figures.list.push({
    case: label,
    pods: n,
    bytes: best.bytes,
    lastByteMs: best.lastByteMs,
    parsedMs: best.parsedMs,
    objectsPerS: n / s,
    mbPerS: best.bytes / 1e6 / s,
  });
  return `| ${label} | ${n} | ${(best.bytes / n).toFixed(0)} B | ${best.lastByteMs.toFixed(0)} ms | ${Math.round(n / s)} | ${(best.bytes / 1e6 / s).toFixed(1)} | ${best.parsedMs.toFixed(0)} ms |`;
}

/**
 * The same LIST read by curl, a native client that only counts the bytes: what the server itself sustains,
 * without a Node client's own reading cost (which dominates the rows above on two shared cores).
 */
async function curlCase(label: string, server: ApiServer, n: number, rv: string, repeat: number): Promise<string> {
  let best = Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (let r = 0; r <= repeat; r++) {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'curl',
        [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{time_total} %{size_download}',
          `${server.url}/api/v1/pods?resourceVersion=${rv}`,
        ],
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    const [t, b] = out.split(' ').map(Number) as [number, number];
    if (r > 0 && t * 1000 < best) [best, bytes] = [t * 1000, b];
  }
  const s = best / 1000;
  return `| ${label} (curl) | ${n} | ${(bytes / n).toFixed(0)} B | ${best.toFixed(0)} ms | ${Math.round(n / s)} | ${(bytes / 1e6 / s).toFixed(1)} | — |`;
}

async function listBench(): Promise<void> {
  console.log('\nLIST over HTTP (best of runs; the parsed column includes the client JSON.parse)');
  console.log('| case | pods | pod size | to last byte | objects/s | MB/s | to parsed |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of [10_000, 100_000]) {
    const repeat = n > 10_000 ? 2 : 5;
    const cached = await serverWith(n, true);
    console.log(await listCase('Cacher, RV=0', cached, n, '0', repeat));
    console.log(await listCase('Cacher, RV="" (consistent)', cached, n, '', repeat));
    console.log(await curlCase('Cacher, RV=0', cached, n, '0', repeat));
    await cached.stop();
    const direct = await serverWith(n, false);
    console.log(await listCase('watch cache off (MemoryStorage)', direct, n, '', repeat));
    await direct.stop();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function fanOut(server: ApiServer, watchers: number, updates: number): Promise<string> {
  const rv = String(await server.storage.getCurrentResourceVersion());
  const url = `${server.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${rv}`;
  const sent = new Map<string, number>();
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const done = client(['watch', url, String(watchers), String(updates)], (line) => {
    if (line.ready) ready();
  });
  await isReady;
  const t0 = performance.now();
  for (let u = 0; u < updates; u++) {
    const name = `web-${u % 10}`;
    const start = performance.timeOrigin + performance.now();
    const updated = await server.storage.guaranteedUpdate(`/pods/default/${name}`, {
      tryUpdate: (cur) =>
        ({
          ...(cur as object),
          metadata: { ...cur?.metadata, labels: { ...cur?.metadata?.labels, n: String(u) } },
        }) as KubeObject,
    });
    sent.set(updated.metadata?.resourceVersion ?? '', start);
    await new Promise((r) => setTimeout(r, 10));
  }
  const lines = await done;
  const elapsed = performance.now() - t0;
  const seen = (lines.find((l) => l.seen)?.seen ?? {}) as Record<string, number[]>;
  const all: number[] = [];
  for (const [rvKey, times] of Object.entries(seen)) {
    const at = sent.get(rvKey);
    if (at !== undefined) for (const t of times) all.push(t - at);
  }
  all.sort((a, b) => a - b);
  figures.fanOut.push({
    watchers,
    updates,
    delivered: all.length,
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    maxMs: percentile(all, 100),
    runMs: elapsed,
  });
  return `| ${watchers} | ${updates} | ${all.length} / ${watchers * updates} | ${percentile(all, 50).toFixed(1)} ms | ${percentile(all, 99).toFixed(1)} ms | ${percentile(all, 100).toFixed(1)} ms | ${(elapsed / 1000).toFixed(1)} s |`;
}

async function fanOutBench(): Promise<void> {
  const server = await ApiServer.start({ maxWatchesPerClient: 5000, log: () => undefined });
  for (let i = 0; i < 10; i++) {
    await server.storage.create(`/pods/default/web-${i}`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    } as KubeObject);
  }
  console.log('\nWatch fan-out over HTTP: 100 pod updates 10 ms apart, latency write → event parsed by the client');
  console.log('| watchers | updates | events delivered | p50 | p99 | max | run |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of [1, 100, 1000]) console.log(await fanOut(server, n, 100));
  await server.stop();
}

await listBench();
await fanOutBench();
await writeBenchJson('apiserver', figures);
