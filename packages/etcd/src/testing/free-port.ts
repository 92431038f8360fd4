/**
 * Free TCP ports on the loopback interface, for test etcd members. The port is found by binding port 0 and
 * releasing it, so another process could take it in between; members that fail to bind are restarted on
 * fresh ports by {@link startEtcd}.
 */
import { createServer } from 'node:net';

/** Resolves to a port on 127.0.0.1 that was free a moment ago (never 2379 or 2380, etcd's defaults). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (port !== 2379 && port !== 2380 && port > 0) return port;
  }
}
