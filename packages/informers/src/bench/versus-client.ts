/**
 * One measured case of the head-to-head benchmark, run as a child process of `versus-client-node.bench.ts`
 * (argument: a JSON {@link ClientTask}). It builds one client against the pod server, times the initial
 * sync, measures memory after a full GC, tells the orchestrator it has synced, and on `go` times the
 * watch events until its handler has counted all of them; then it reports and exits.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '@kubecache/apimachinery';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeListerWatcher } from '../kube-lister-watcher.js';
import type { SharedIndexInformer } from '../shared-informer.js';
import { Counter } from './counter.js';
import { StallSampler } from './stall-sampler.js';
import type { ClientCommand, ClientKind, ClientReply, ClientResult, ClientTask } from './versus-protocol.js';

/** The figures gathered so far (mutable while measuring). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Figures = Partial<Mutable<Omit<ClientResult, 'kind' | 'n' | 'm' | 'error'>>>;

/** A running client under test. */
interface Subject {
  /** Objects of the initial list handled. */
  readonly adds: Counter;
  /** Watch events (and relisted objects) handled after the initial list. */
  readonly updates: Counter;
  /** Resolves when the store holds the whole list. */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

// Loaded only by the cases that use them (client-node alone takes about a second to import), before the
// memory baseline is taken.
type ClientNode = typeof import('@kubernetes/client-node');
type Informers = { SharedIndexInformer: typeof SharedIndexInformer; KubeListerWatcher: typeof KubeListerWatcher };
let cn: ClientNode;
let inf: Informers;

async function load(kind: ClientKind): Promise<void> {
  if (kind === 'bare') return;
  if (kind === 'bare-client-node') {
    // The bare client in a process that has loaded what an informer's process loads, and nothing else.
    await import('@kubernetes/client-node');
    await Promise.all([import('../shared-informer.js'), import('../kube-lister-watcher.js')]);
    return;
  }
  cn = await import('@kubernetes/client-node');
  const [{ SharedIndexInformer }, { KubeListerWatcher }] = await Promise.all([
    import('../shared-informer.js'),
    import('../kube-lister-watcher.js'),
  ]);
  inf = { SharedIndexInformer, KubeListerWatcher };
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new cn.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: url, skipTLSVerify: true }],
    users: [{ name: 'bench', token: 'bench-token' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  return kc;
}

/** `namespace/name`, as the bare clients key their maps. */
const keyOf = (o: KubeObject): string => `${o.metadata?.namespace}/${o.metadata?.name}`;

/** A subject whose `running` promise lists (ticking `adds`), then opens its watch. */
function listThenWatch(
  running: Promise<void>,
  task: ClientTask,
  adds: Counter,
  updates: Counter,
  stop: () => Promise<void>,
): Subject {
  running.catch(() => {});
  return { adds, updates, synced: () => running.then(() => adds.reach(task.n)), stop };
}

function ours(task: ClientTask, freeze: boolean, queue: 'in-order' | 'delta-fifo' = 'in-order'): Subject {
  const adds = new Counter();
  const updates = new Counter();
  const listerWatcher = new inf.KubeListerWatcher<KubeObject>({
    kubeConfig: kubeConfigFor(task.url),
    version: 'v1',
    resource: 'pods',
  });
  const informer = new inf.SharedIndexInformer<KubeObject>({ listerWatcher, freeze, queue, name: 'bench' });
  informer.addEventHandler({
    onAdd: (_obj, initial) => (initial ? adds.tick() : updates.tick()),
    onUpdate: () => updates.tick(),
    onDelete: () => updates.tick(),
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  return {
    adds,
    updates,
    synced: async () => {
      if (!(await informer.waitForCacheSync(ac.signal))) throw new Error('informer stopped before sync');
    },
    stop: async () => {
      ac.abort();
      await running;
    },
  };
}

/**
 * Our transport alone: `KubeListerWatcher`'s list and watch (HTTP, list stream decoder, watch line decoder,
 * Observable) into a bare `Map.set`, without Reflector, queue or informer. Splits what the informer costs
 * from what the transport costs.
 */
function oursTransport(task: ClientTask): Subject {
  const adds = new Counter();
  const updates = new Counter();
  const store = new Map<string, KubeObject>();
  const lw = new inf.KubeListerWatcher<KubeObject>({
    kubeConfig: kubeConfigFor(task.url),
    version: 'v1',
    resource: 'pods',
  });
  let sub: { unsubscribe(): void } | undefined;
  const run = async (): Promise<void> => {
    const list = await lw.list({ resourceVersion: '0' });
    for (const item of list.items) {
      store.set(keyOf(item), item);
      adds.tick();
    }
    sub = lw.watch({ resourceVersion: list.metadata.resourceVersion }).subscribe({
      next: (event) => {
        if (event.type === 'DELETED') store.delete(keyOf(event.object as KubeObject));
        else if (event.type !== 'ERROR' && event.type !== 'BOOKMARK')
          store.set(keyOf(event.object as KubeObject), event.object as KubeObject);
        updates.tick();
      },
    });
  };
  return listThenWatch(run(), task, adds, updates, async () => sub?.unsubscribe());
}

function clientNode(task: ClientTask): Subject {
  const adds = new Counter();
  const updates = new Counter();
  const kc = kubeConfigFor(task.url);
  const api = kc.makeApiClient(cn.CoreV1Api);
  const informer = cn.makeInformer(kc, '/api/v1/pods', () => api.listPodForAllNamespaces());
  informer.on('add', () => (adds.n < task.n ? adds.tick() : updates.tick()));
  informer.on('update', () => updates.tick());
  informer.on('delete', () => updates.tick());
  let failure: unknown;
  informer.on('error', (err: unknown) => {
    failure = err;
  });
  const started = informer.start();
  return {
    adds,
    updates,
    // Its adds run inline while it stores the list: the last add is the moment the store is complete.
    synced: () =>
      Promise.race([
        adds.reach(task.n),
        started.then(() => {
          if (failure) throw failure;
          return adds.reach(task.n);
        }),
      ]),
    stop: () => informer.stop(),
  };
}

function request(url: string): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'application/json' } }, (res) => resolve({ req, res }));
    req.once('error', reject);
  });
}

/**
 * The practical limit: read the bytes, `JSON.parse`, `Map.set` by namespace/name; no queue, no handlers. On a
 * watch `ERROR` (the 410 of a relist case) it lists again into a fresh map and swaps it in.
 */
function bare(task: ClientTask): Subject {
  const adds = new Counter();
  const updates = new Counter();
  let store = new Map<string, KubeObject>();
  const open: http.ClientRequest[] = [];
  type Page = { metadata: { resourceVersion: string; continue?: string }; items: KubeObject[] };
  const page = async (query: string): Promise<Page> => {
    const list = await request(`${task.url}/api/v1/pods?${query}`);
    const parts: Buffer[] = [];
    for await (const chunk of list.res) parts.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as Page;
  };
  // Lists every page into `into`, ticking `counter` per item; returns the list's resource version.
  const listAll = async (into: Map<string, KubeObject>, counter: Counter): Promise<string> => {
    let body = await page(task.paged ? 'resourceVersion=0&limit=500' : 'resourceVersion=0');
    const rv = body.metadata.resourceVersion;
    for (;;) {
      for (const item of body.items) {
        into.set(keyOf(item), item);
        counter.tick();
      }
      const next = body.metadata.continue;
      if (!next) return rv;
      body = await page(`limit=500&continue=${encodeURIComponent(next)}`);
    }
  };
  // A relist (after a 410) fills a fresh map and swaps it in, as an informer's atomic relist does.
  const relist = async (): Promise<void> => {
    const fresh = new Map<string, KubeObject>();
    await listAll(fresh, updates);
    store = fresh;
  };
  const run = async (): Promise<void> => {
    const rv = await listAll(store, adds);
    const watch = await request(`${task.url}/api/v1/pods?watch=true&resourceVersion=${rv}`);
    open.push(watch.req);
    watch.res.setEncoding('utf8');
    let pending = '';
    watch.res.on('data', (chunk: string) => {
      const text = pending + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const event = JSON.parse(text.slice(start, nl)) as { type: string; object: KubeObject };
        if (event.type === 'ERROR') void relist();
        else if (event.type === 'DELETED') store.delete(keyOf(event.object));
        else store.set(keyOf(event.object), event.object);
        updates.tick();
        start = nl + 1;
      }
      pending = text.slice(start);
    });
    watch.res.on('error', () => {});
  };
  return listThenWatch(run(), task, adds, updates, async () => {
    for (const req of open) req.destroy();
  });
}

function subjectFor(task: ClientTask): Subject {
  switch (task.kind) {
    case 'ours':
      return ours(task, true);
    case 'ours-no-freeze':
      return ours(task, false);
    case 'ours-delta-fifo':
      return ours(task, true, 'delta-fifo');
    case 'ours-transport':
      return oursTransport(task);
    case 'client-node':
      return clientNode(task);
    case 'bare':
    case 'bare-client-node':
      return bare(task);
  }
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

const mb = (bytes: number): number => bytes / (1024 * 1024);

/** CPU time (user + system, all threads of this process) since `since`, in ms. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function send(reply: ClientReply): Promise<void> {
  return new Promise((resolve) => process.send?.(reply, () => resolve()) ?? resolve());
}

const nextGo = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('message', (cmd: ClientCommand) => {
      if (cmd.type === 'go') resolve();
    });
  });

async function measure(task: ClientTask, figures: Figures): Promise<void> {
  await load(task.kind);
  fullGc();
  const base = process.memoryUsage();
  const go = nextGo();
  const loop = new StallSampler();
  loop.start();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const subject = subjectFor(task);
  try {
    await subject.synced();
    figures.syncMs = performance.now() - t0;
    await subject.adds.reach(task.n);
    figures.handlersMs = performance.now() - t0;
    figures.syncCpuMs = cpuMs(cpu0);
    const syncStalls = await loop.stop();
    figures.syncStall = syncStalls.cpu;
    figures.syncStallWall = syncStalls.wall;
    figures.syncStallExGc = syncStalls.cpuExGc;
    figures.syncStallProcess = syncStalls.cpuProcess;
    figures.syncGcMs = syncStalls.gcMs;
    figures.syncGc = syncStalls.gc;
    figures.loopBlockMs = syncStalls.wall.max;
    fullGc();
    const mem = process.memoryUsage();
    figures.heapMB = mb(mem.heapUsed - base.heapUsed);
    figures.rssMB = mb(mem.rss - base.rss);
    figures.peakRssMB = mb(process.resourceUsage().maxRSS * 1024 - base.rss);
    await send({ type: 'synced' });
    await go;
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    const elu1 = performance.eventLoopUtilization();
    if (task.relist) {
      const relist = new StallSampler();
      relist.start();
      await subject.updates.reach(task.n);
      figures.relistMs = performance.now() - t1;
      const relistStalls = await relist.stop();
      figures.relistStall = relistStalls.cpu;
      figures.relistStallWall = relistStalls.wall;
      figures.relistStallExGc = relistStalls.cpuExGc;
      figures.relistStallProcess = relistStalls.cpuProcess;
      figures.relistGcMs = relistStalls.gcMs;
      figures.relistGc = relistStalls.gc;
      return;
    }
    const eventsLoop = new StallSampler();
    eventsLoop.start();
    await subject.updates.reach(task.m);
    figures.eventsMs = performance.now() - t1;
    figures.eventsCpuMs = cpuMs(cpu1);
    figures.eventsBusyMs = performance.eventLoopUtilization(elu1).active;
    figures.eventsGc = (await eventsLoop.stop()).gc;
  } finally {
    await subject.stop();
  }
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as ClientTask;
  const figures: Figures = {};
  let error: string | undefined;
  const timer = setTimeout(() => {
    error = `capped: not done after ${task.timeoutMs / 1000} s`;
    void report(task, figures, error).then(() => process.exit(0));
  }, task.timeoutMs);
  try {
    await measure(task, figures);
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  clearTimeout(timer);
  await report(task, figures, error);
  process.exit(0);
}

function report(task: ClientTask, f: Figures, error: string | undefined): Promise<void> {
  const result: ClientResult = { kind: task.kind, n: task.n, m: task.m, ...f, ...(error ? { error } : {}) };
  return send({ type: 'result', result });
}

await main();
