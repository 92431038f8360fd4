/**
 * A TCP proxy in front of a server that can break its connections the two ways networks do: a reset (RST,
 * the peer sees ECONNRESET at once) and a half-open connection (the proxy stops forwarding in both
 * directions and keeps both sockets open, so neither peer hears anything: the client must notice the
 * silence itself). Binds 127.0.0.1.
 */

import type { AddressInfo } from 'node:net';
import * as net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  blackholed: boolean;
}

/** The proxy. Start it with {@link FaultProxy.start}; `close` when done. */
export class FaultProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<Pair>();

  private constructor(targetPort: number) {
    this.#server = net.createServer((client) => this.#accept(client, targetPort));
  }

  /** Starts a proxy to `127.0.0.1:targetPort` on an ephemeral port. */
  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Connections currently forwarding (not black-holed). */
  get live(): number {
    let n = 0;
    for (const p of this.#pairs) if (!p.blackholed) n++;
    return n;
  }

  /** Resets (RST) up to `count` forwarding connections, chosen by `pick`; returns how many. */
  reset(count: number, pick: () => number = Math.random): number {
    const chosen = this.#choose(count, pick);
    for (const p of chosen) {
      p.client.resetAndDestroy();
      p.upstream.destroy();
    }
    return chosen.length;
  }

  /** Stops forwarding on up to `count` connections, keeping them open; returns how many. */
  halfOpen(count: number, pick: () => number = Math.random): number {
    const chosen = this.#choose(count, pick);
    for (const p of chosen) {
      p.blackholed = true;
      p.client.unpipe(p.upstream);
      p.upstream.unpipe(p.client);
      p.client.pause();
      p.upstream.pause();
    }
    return chosen.length;
  }

  /** Destroys every connection, black-holed ones included (between runs). */
  dropAll(): void {
    for (const p of [...this.#pairs]) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** Drops every connection and closes the proxy. */
  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket, targetPort: number): void {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, blackholed: false };
    this.#pairs.add(pair);
    const drop = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  #choose(count: number, pick: () => number): Pair[] {
    const live = [...this.#pairs].filter((p) => !p.blackholed);
    const chosen: Pair[] = [];
    while (chosen.length < count && live.length > 0) {
      chosen.push(...live.splice(Math.floor(pick() * live.length), 1));
    }
    return chosen;
  }
}
