/**
 * One seeded chaos run: a SharedIndexInformer reads pods through KubeListerWatcher (a client-node
 * KubeConfig pointing at the fault proxy) while the server process runs a storm; once the storm ends, the
 * run measures how long the informer's store takes to equal the server's final state.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import { ExponentialBackoff, RetryBudget } from '@kubecache/cache';
import { KubeListerWatcher, SharedIndexInformer } from '@kubecache/informers';
import { KubeConfig } from '@kubernetes/client-node';
import type { ChaosLane } from './chaos-lane.js';
import { CHAOS_NAMESPACE, type FaultKind } from './storm.js';
import { tracedListerWatcher } from './traced-lister-watcher.js';

/** The retry policy under test: ours, or client-go's (no reset on progress, no early retry). */
export type RetryPolicy = 'kubecache' | 'client-go' | 'unbudgeted';

/** Options of {@link runChaos}. */
export interface ChaosRunOptions {
  seed: number;
  /** Storm length, in ms. */
  stormMs: number;
  /** Default `'kubecache'`. */
  policy?: RetryPolicy;
  /** Give up waiting for convergence after this long, in ms. Default 10 000. */
  settleTimeoutMs?: number;
  /** The informer drops a silent watch after this long, in ms (the server bookmarks every 300 ms). Default 1000. */
  inactivityTimeoutMs?: number;
  /** Told what the informer does (requests, their outcomes, errors, backoff waits), with ms since the run began. */
  trace?: (line: string) => void;
}

/** The outcome of one run. */
export interface ChaosRunResult {
  seed: number;
  policy: RetryPolicy;
  converged: boolean;
  /** Time from the end of the storm until the store matched the server, in ms (when converged). */
  convergeMs: number | undefined;
  /** List and watch requests the server received during the storm, per second. */
  requestsPerSecond: number;
  /** The requests behind `requestsPerSecond`, by verb. */
  requests: { lists: number; watches: number };
  faults: Partial<Record<FaultKind, number>>;
  /** Errors the informer reported. */
  errors: number;
  /**
   * A list after the storm sat on a connection the storm had left half-open (a black-holed keep-alive
   * socket) until the list timeout: that run's convergence time includes the timeout.
   */
  listTimedOutAfterStorm: boolean;
  /** When not converged: what differed. */
  diff?: string;
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'chaos', server: url, skipTLSVerify: true }],
    users: [{ name: 'chaos', token: 'chaos' }],
    contexts: [{ name: 'chaos', cluster: 'chaos', user: 'chaos' }],
    currentContext: 'chaos',
  });
  return kc;
}

function retryOptions(policy: RetryPolicy): { backoff?: { step(): number }; retryBudget?: RetryBudget } {
  if (policy === 'kubecache') return {};
  if (policy === 'unbudgeted') return { retryBudget: new RetryBudget({ burst: Number.MAX_SAFE_INTEGER }) };
  const clientGo = new ExponentialBackoff();
  return { backoff: { step: () => clientGo.step() }, retryBudget: new RetryBudget({ burst: Number.MAX_SAFE_INTEGER }) };
}

/** What differs between the store and the expected `key → resourceVersion`, or `undefined`. */
function difference(store: readonly KubeObject[], expected: ReadonlyMap<string, string>): string | undefined {
  const extra: string[] = [];
  const stale: string[] = [];
  let matched = 0;
  for (const o of store) {
    const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
    const rv = expected.get(key);
    if (rv === undefined) extra.push(key);
    else if (rv !== o.metadata?.resourceVersion) stale.push(key);
    else matched++;
  }
  if (extra.length === 0 && stale.length === 0 && matched === expected.size) return undefined;
  return `missing ${expected.size - matched - stale.length}, extra [${extra.join(' ')}], stale [${stale.join(' ')}]`;
}

/** Runs one storm against a fresh server on `lane` and measures convergence. */
export async function runChaos(lane: ChaosLane, options: ChaosRunOptions): Promise<ChaosRunResult> {
  const policy = options.policy ?? 'kubecache';
  const url = await lane.reset(options.seed);
  let errors = 0;
  let stormOver = false;
  let listTimedOutAfterStorm = false;
  const began = performance.now();
  const traceTo = options.trace;
  const trace = traceTo
    ? (line: string) =>
        traceTo(`seed ${options.seed} ${(performance.now() - began).toFixed(0).padStart(6)} ms  ${line}`)
    : undefined;
  const source = new KubeListerWatcher<KubeObject>({
    kubeConfig: kubeConfigFor(url),
    version: 'v1',
    resource: 'pods',
    namespace: CHAOS_NAMESPACE,
  });
  const informer = new SharedIndexInformer<KubeObject>({
    name: `chaos-${options.seed}`,
    listerWatcher: trace ? tracedListerWatcher(source, trace) : source,
    namespace: CHAOS_NAMESPACE,
    expectedKind: 'Pod',
    inactivityTimeoutMs: options.inactivityTimeoutMs ?? 1000,
    listTimeoutMs: 2000,
    onError: (err) => {
      errors++;
      if (stormOver && err.name === 'ListTimeoutError') listTimedOutAfterStorm = true;
      trace?.(`error: ${err.name}: ${err.message.slice(0, 160)}`);
    },
    ...retryOptions(policy),
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  let lastPhase = '';
  const phases = trace
    ? setInterval(() => {
        const h = informer.health();
        const phase =
          h.phase === 'backoff' ? `backoff until +${((h.backoffUntil ?? 0) - Date.now()).toFixed(0)} ms` : h.phase;
        if (h.phase !== lastPhase) trace(`phase ${phase}`);
        lastPhase = h.phase;
      }, 1)
    : undefined;
  try {
    const stormStart = performance.now() - began;
    const report = await lane.storm(options.seed, options.stormMs);
    for (const [at, kind] of report.timeline) trace?.(`(fault at ${(stormStart + at).toFixed(0)} ms: ${kind})`);
    const stormEnd = performance.now();
    stormOver = true;
    trace?.(`storm ended: ${JSON.stringify(report.faults)}`);
    const expected = new Map(report.state);
    const deadline = stormEnd + (options.settleTimeoutMs ?? 10_000);
    let diff = difference(informer.getStore().list(), expected);
    while (diff !== undefined && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      diff = difference(informer.getStore().list(), expected);
    }
    const total = report.requests.lists + report.requests.watches;
    return {
      seed: options.seed,
      policy,
      converged: diff === undefined,
      convergeMs: diff === undefined ? performance.now() - stormEnd : undefined,
      requestsPerSecond: total / (options.stormMs / 1000),
      requests: { lists: report.requests.lists, watches: report.requests.watches },
      faults: report.faults,
      errors,
      listTimedOutAfterStorm,
      ...(diff === undefined ? {} : { diff }),
    };
  } finally {
    clearInterval(phases);
    ac.abort();
    await running;
  }
}
