/**
 * The manager's HTTP endpoints: `/metrics` (Prometheus text format) and the probes `/healthz`, `/readyz`
 * (with `/<probe>/<check>`, `?verbose`, `?exclude=`). Binds 127.0.0.1 by default; only GET and HEAD.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthChecks } from './health-checks.js';
import type { PromMetrics } from './prom-metrics.js';

/** What one server serves. */
export interface ManagerServerRoutes {
  metrics?: PromMetrics;
  healthz?: HealthChecks;
  readyz?: HealthChecks;
}

/** An HTTP server for metrics and/or probes. */
export class ManagerServer {
  readonly #routes: ManagerServerRoutes;
  readonly #server: Server;
  readonly #onError: (err: unknown) => void;

  constructor(routes: ManagerServerRoutes, onError: (err: unknown) => void) {
    this.#routes = routes;
    this.#onError = onError;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.#onError(err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      });
    });
  }

  /** Listens on `host:port` (0 = any free port); resolves with `http://host:port`. */
  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const a = this.#server.address() as AddressInfo;
        const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        resolve(`http://${h}:${a.port}`);
      });
    });
  }

  /** Stops accepting connections and closes idle ones; resolves when closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    const [, first, check, extra] = url.pathname.split('/');
    if (first === 'metrics' && check === undefined && this.#routes.metrics) {
      const body = await this.#routes.metrics.render();
      return send(res, 200, body, this.#routes.metrics.contentType);
    }
    const probes = first === 'healthz' ? this.#routes.healthz : first === 'readyz' ? this.#routes.readyz : undefined;
    if (!probes || extra !== undefined) return send(res, 404, 'not found\n');
    const verbose = url.searchParams.has('verbose');
    const report = await probes.run({ only: check || undefined, exclude: url.searchParams.getAll('exclude') });
    return send(res, report.ok ? 200 : 503, probes.format(report, verbose));
  }
}

function send(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'content-type': type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(body);
}
