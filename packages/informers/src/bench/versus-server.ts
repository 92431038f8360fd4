/**
 * The pod server of the head-to-head benchmark, run as a child process of `versus-client-node.bench.ts`.
 * It answers `GET /api/v1/pods` with pre-serialized list bytes (the whole list in one response, as the
 * apiserver serves `resourceVersion=0` from its cache, or in pages when prepared `paged`) and `GET /api/v1/pods?watch=true` with a chunked
 * stream that stays silent until the orchestrator says `go`, then writes the pre-serialized MODIFIED events
 * as newline-delimited JSON, honouring back-pressure. Loopback only; everything closes on `exit`.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { makePod, makePods } from '@kubecache/apimachinery/testing';
import type { ServerCommand, ServerReply } from './versus-protocol.js';

/** Events are written in slices of about this many bytes. */
const SLICE_BYTES = 256 * 1024;

interface Prepared {
  list: Buffer;
  events: Buffer[];
  /** Each pod's JSON, for paged answers; empty when lists are served whole. */
  texts: string[];
  rv: number;
}

/**
 * Serializes `n` pods as a list at RV `n`, and `m` watch events (RV n+1 … n+m): MODIFIED events, each with a
 * new `generation` label, cycling over the pods; or, with `churn`, 3 MODIFIED of 5 events, then an ADDED of
 * a new pod and a DELETED of that same pod. Each pod is stringified once; an event edits its text.
 */
function prepare(n: number, m: number, paged = false, podBytes = 0, churn = false): Prepared {
  const texts = makePods(n).map((pod) => padded(JSON.stringify(pod), podBytes));
  const head = `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${n}"},"items":[`;
  const list = Buffer.from(`${head}${texts.join(',')}]}`);
  const events: Buffer[] = [];
  let slice: string[] = [];
  let size = 0;
  let added = '';
  for (let i = 0; i < m; i++) {
    const rv = `"resourceVersion":"${n + 1 + i}"`;
    let line: string;
    if (churn && i % 5 === 3) {
      added = padded(JSON.stringify(makePod(n + i)), podBytes);
      line = `{"type":"ADDED","object":${added.replace(/"resourceVersion":"\d+"/, rv)}}\n`;
    } else if (churn && i % 5 === 4) {
      line = `{"type":"DELETED","object":${added.replace(/"resourceVersion":"\d+"/, rv)}}\n`;
    } else {
      const pod = texts[i % n]!.replace(/"resourceVersion":"\d+"/, rv).replace(
        '"labels":{',
        `"labels":{"generation":"${i}",`,
      );
      line = `{"type":"MODIFIED","object":${pod}}\n`;
    }
    slice.push(line);
    size += line.length;
    if (size >= SLICE_BYTES) {
      events.push(Buffer.from(slice.join('')));
      slice = [];
      size = 0;
    }
  }
  if (slice.length > 0) events.push(Buffer.from(slice.join('')));
  return { list, events, texts: paged ? texts : [], rv: n };
}

/** The line a server sends when a watch's resource version has been compacted away: the client relists. */
const EXPIRED_LINE = Buffer.from(
  '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",' +
    '"message":"too old resource version","reason":"Expired","code":410}}\n',
);

/** Grows a pod's JSON to about `bytes` with a last-applied-configuration style annotation. */
function padded(text: string, bytes: number): string {
  const missing = bytes - text.length - 80;
  if (missing <= 0) return text;
  const note = `"kubectl.kubernetes.io/last-applied-configuration":"${'x'.repeat(missing)}"`;
  return text.includes('"annotations":{')
    ? text.replace('"annotations":{', `"annotations":{${note},`)
    : text.replace('"metadata":{', `"metadata":{"annotations":{${note}},`);
}

/** Writes `chunks` to `res`, waiting for `drain` whenever the socket buffer is full. */
async function writeAll(res: http.ServerResponse, chunks: Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await drained(res);
  }
}

/** Resolves on the response's next `drain` or `close`, leaving no listener behind. */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

class PodServer {
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #watches: http.ServerResponse[] = [];
  #data: Prepared = {
    list: Buffer.from('{"kind":"PodList","metadata":{"resourceVersion":"0"},"items":[]}'),
    events: [],
    texts: [],
    rv: 0,
  };

  constructor() {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    // No idle timeout: a client busy parsing a big list must not find its kept-alive socket closed under it.
    this.#server.keepAliveTimeout = 0;
    this.#server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async command(cmd: ServerCommand): Promise<ServerReply | undefined> {
    switch (cmd.type) {
      case 'prepare': {
        const t0 = performance.now();
        this.#data = prepare(cmd.n, cmd.m, cmd.paged, cmd.podBytes, cmd.churn);
        const eventBytes = this.#data.events.reduce((sum, b) => sum + b.length, 0);
        return { type: 'prepared', listBytes: this.#data.list.length, eventBytes, ms: performance.now() - t0 };
      }
      case 'go': {
        const res = this.#watches.at(-1);
        if (res) await writeAll(res, cmd.relist ? [EXPIRED_LINE] : this.#data.events);
        return { type: 'sent' };
      }
      case 'reset':
        this.#closeAll();
        return { type: 'reset' };
      case 'exit':
        this.#closeAll();
        await new Promise<void>((resolve) => this.#server.close(() => resolve()));
        return undefined;
    }
  }

  #closeAll(): void {
    for (const res of this.#watches) res.destroy();
    this.#watches.length = 0;
    for (const socket of this.#sockets) socket.destroy();
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v1/pods') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}');
      return;
    }
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      this.#watches.push(res);
      res.on('close', () => {
        const i = this.#watches.indexOf(res);
        if (i >= 0) this.#watches.splice(i, 1);
      });
      send({ type: 'watch-open' });
      return;
    }
    // Paged only when prepared so and the client asked for a limit (no limit: everything, as the apiserver).
    const limit = Number(url.searchParams.get('limit'));
    const body = this.#data.texts.length > 0 && limit > 0 ? this.#page(url, limit) : this.#data.list;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  }

  /** One page of `limit` pods from the `continue` offset, at the list's RV. */
  #page(url: URL, limit: number): Buffer {
    const { texts, rv } = this.#data;
    const start = Number(url.searchParams.get('continue') ?? 0);
    const end = Math.min(texts.length, start + limit);
    const cont = end < texts.length ? `,"continue":"${end}"` : '';
    const head = `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${rv}"${cont}},"items":[`;
    return Buffer.from(`${head}${texts.slice(start, end).join(',')}]}`);
  }
}

function send(reply: ServerReply): void {
  process.send?.(reply);
}

const server = new PodServer();
send({ type: 'listening', url: await server.listen() });
process.on('message', (cmd: ServerCommand) => {
  void server.command(cmd).then((reply) => {
    if (reply) send(reply);
    else process.disconnect();
  });
});
