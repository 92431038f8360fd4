/**
 * The chaos server process: a {@link ListWatchServer} over a fresh {@link MemoryStorage} behind a
 * {@link FaultProxy}, driven by its parent over IPC. Messages: `{ id, type: 'reset', seed }` starts a new
 * server seeded with objects and answers `{ id, url }` (the proxy's address); `{ id, type: 'storm', seed,
 * stormMs }` runs a storm and answers `{ id, report }`. It exits when the parent goes away.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { MemoryStorage } from '@kubecache/storage';
import { FaultProxy } from './fault-proxy.js';
import { ListWatchServer } from './list-watch-server.js';
import { seededRandom } from './seeded-random.js';
import { CHAOS_NAMESPACE, chaosPod, runStorm, type StormTarget } from './storm.js';

/** A request from the parent. */
export type ChaosRequest =
  | { id: number; type: 'reset'; seed: number }
  | { id: number; type: 'storm'; seed: number; stormMs: number };

let target: StormTarget | undefined;

async function reset(seed: number): Promise<{ url: string }> {
  await stop();
  const storage = new MemoryStorage<KubeObject>({ resourcePrefix: '/pods' });
  const random = seededRandom(seed ^ 0x5eed);
  for (let i = 0; i < 30; i++) {
    const name = `pod-${Math.floor(random() * 60)}`;
    await storage.create(`/pods/${CHAOS_NAMESPACE}/${name}`, chaosPod(name, i)).catch(() => undefined);
  }
  const server = await ListWatchServer.start({ storage });
  const proxy = await FaultProxy.start(server.port);
  target = { storage, server, proxy };
  return { url: `http://127.0.0.1:${proxy.port}` };
}

async function stop(): Promise<void> {
  if (!target) return;
  const { storage, server, proxy } = target;
  target = undefined;
  await proxy.close();
  await server.close();
  storage.close();
}

async function handle(request: ChaosRequest): Promise<unknown> {
  if (request.type === 'reset') return reset(request.seed);
  if (!target) throw new Error('storm before reset');
  return { report: await runStorm(target, request.seed, request.stormMs) };
}

process.on('message', (message: ChaosRequest) => {
  handle(message).then(
    (answer) => process.send?.({ id: message.id, ...(answer as object) }),
    (err: unknown) => process.send?.({ id: message.id, error: String((err as Error)?.stack ?? err) }),
  );
});
process.on('disconnect', () => {
  void stop().finally(() => process.exit(0));
});
process.send?.({ type: 'ready' });
