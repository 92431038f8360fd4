/**
 * API server benchmarks over HTTP on 127.0.0.1: LIST of 10k and 100k pods (~2.5 KB each) from the Cacher
 * and with the watch cache off (straight from MemoryStorage), in objects/s and MB/s (time to the last
 * byte, and to a parsed body); and watch fan-out to 1, 100 and 1,000 watchers: 100 pod updates, latency
 * from the write to the event parsed by each client (p50/p99). Clients run in the server's process, so
 * they share its two cores.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '@kubecache/apimachinery';
import { makePod } from '@kubecache/apimachinery/testing';
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

function get(url: string): Promise<{ bytes: number; body: string; lastByteMs: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Accept: 'application/json' } }, (res) => {
        const parts: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          parts.push(c);
          bytes += c.length;
        });
        res.on('end', () =>
          resolve({ bytes, body: Buffer.concat(parts).toString('utf8'), lastByteMs: performance.now() }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function listCase(label: string, server: ApiServer, n: number, rv: string, repeat: number): Promise<string> {
  let best = { toBytes: Number.POSITIVE_INFINITY, toParsed: Number.POSITIVE_INFINITY, bytes: 0 };
  for (let r = 0; r <= repeat; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    const res = await get(`${server.url}/api/v1/pods?resourceVersion=${rv}`);
    const items = (JSON.parse(res.body) as { items: unknown[] }).items.length;
    const t2 = performance.now();
    if (items !== n) throw new Error(`expected ${n} items, got ${items}`);
    if (r > 0 && res.lastByteMs - t0 < best.toBytes)
      best = { toBytes: res.lastByteMs - t0, toParsed: t2 - t0, bytes: res.bytes };
  }
  const mb = best.bytes / 1e6;
  return `| ${label} | ${n} | ${(best.bytes / n).toFixed(0)} B | ${best.toBytes.toFixed(0)} ms | ${Math.round(n / (best.toBytes / 1000))} | ${(mb / (best.toBytes / 1000)).toFixed(1)} | ${best.toParsed.toFixed(0)} ms | ${Math.round(n / (best.toParsed / 1000))} |`;
}

async function listBench(): Promise<void> {
  console.log('\nLIST over HTTP (best of runs; the parsed column includes the client JSON.parse)');
  console.log('| case | pods | pod size | to last byte | objects/s | MB/s | to parsed | parsed objects/s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of [10_000, 100_000]) {
    const repeat = n > 10_000 ? 2 : 5;
    const cached = await serverWith(n, true);
    console.log(await listCase('Cacher, RV=0', cached, n, '0', repeat));
    console.log(await listCase('Cacher, RV="" (consistent)', cached, n, '', repeat));
    await cached.stop();
    const direct = await serverWith(n, false);
    console.log(await listCase('watch cache off (MemoryStorage)', direct, n, '', repeat));
    await direct.stop();
  }
}

interface Watcher {
  req: http.ClientRequest;
  latencies: number[];
}

function openWatch(url: string, sent: Map<string, number>, ready: () => void): Watcher {
  const w: Watcher = { req: undefined as unknown as http.ClientRequest, latencies: [] };
  w.req = http.get(url, (res) => {
    ready();
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const event = JSON.parse(buf.slice(0, nl)) as { object: KubeObject };
        const at = sent.get(event.object.metadata?.resourceVersion ?? '');
        if (at !== undefined) w.latencies.push(performance.now() - at);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
      }
    });
    res.on('error', () => undefined);
  });
  w.req.on('error', () => undefined);
  return w;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function fanOut(server: ApiServer, watchers: number, updates: number): Promise<string> {
  const rv = String(await server.storage.getCurrentResourceVersion());
  const sent = new Map<string, number>();
  let open = 0;
  const ws: Watcher[] = [];
  for (let i = 0; i < watchers; i++)
    ws.push(
      openWatch(`${server.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${rv}`, sent, () => open++),
    );
  while (open < watchers) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  for (let u = 0; u < updates; u++) {
    const name = `web-${u % 10}`;
    const start = performance.now();
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
  const deadline = Date.now() + 30_000;
  while (ws.some((w) => w.latencies.length < updates) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  const elapsed = performance.now() - t0;
  const all = ws.flatMap((w) => w.latencies).sort((a, b) => a - b);
  for (const w of ws) w.req.destroy();
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
