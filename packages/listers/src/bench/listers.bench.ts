/**
 * `list(selector)` over 100k realistic pods in 100 namespaces: cluster-wide and namespaced, with an
 * equality and a set-based selector, per visited object, against a bare filter loop over the same objects
 * measured in the same run. The namespaced list must cost in proportion to the namespace (1k pods), not
 * the store (100k): the last table compares it with the same namespace in a 10k-pod store.
 */

import { parseLabelSelector } from '@kubecache/apimachinery';
import { type FixturePod, makePods } from '@kubecache/apimachinery/testing';
import { IndexedStore, type Indexers, metaNamespaceIndexFunc, NAMESPACE_INDEX } from '@kubecache/cache';
import { bench, report } from '@kubecache/cache/internal';
import { GenericLister } from '../lister.js';

const N = 100_000;
const NAMESPACES = 100;
const NS = 'ns-7';
const EQUALITY = parseLabelSelector('tier=frontend');
const SET_BASED = parseLabelSelector('app in (app-1,app-2,app-3,app-4,app-5),tier notin (backend)');

function indexed(pods: FixturePod[], withIndex: boolean): IndexedStore<FixturePod> {
  const indexers: Indexers<FixturePod> = withIndex ? { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } : {};
  const store = new IndexedStore<FixturePod>({ indexers });
  store.replace(pods, '1');
  return store;
}

/** The practical floor: a hand-written loop over an array already in hand. */
function bareEquality(items: readonly FixturePod[]): number {
  let n = 0;
  for (let i = 0; i < items.length; i++) if (items[i]!.metadata.labels.tier === 'frontend') n++;
  return n;
}

function bareSet(items: readonly FixturePod[]): number {
  const apps = new Set(['app-1', 'app-2', 'app-3', 'app-4', 'app-5']);
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const l = items[i]!.metadata.labels;
    if (l.app !== undefined && apps.has(l.app) && l.tier !== 'backend') n++;
  }
  return n;
}

let sink = 0;
function times(k: number, fn: () => number | unknown[]): void {
  for (let i = 0; i < k; i++) {
    const r = fn();
    sink += typeof r === 'number' ? r : r.length;
  }
}

const pods = makePods(N, { namespaces: NAMESPACES });
const store = indexed(pods, true);
const lister = new GenericLister<FixturePod>({ indexer: store, resource: 'pods' });
const scanLister = new GenericLister<FixturePod>({ indexer: indexed(pods, false), resource: 'pods' });
const nsPods = pods.filter((p) => p.metadata.namespace === NS);
/** Timed runs per case after the warm-up; each forced GC walks a 100k-pod heap, so keep it small. */
const REPEAT = 2;
const run = (name: string, ops: number, fn: () => void) => bench(name, ops, () => undefined, fn, REPEAT);

const REPS_CLUSTER = 2;
const REPS_NS = 200;

const clusterBase = run('bare loop, equality (array in hand)', N * REPS_CLUSTER, () =>
  times(REPS_CLUSTER, () => bareEquality(pods)),
);
report(
  `cluster-wide list over ${N} pods (per visited object)`,
  [
    clusterBase,
    run('bare loop, set-based', N * REPS_CLUSTER, () => times(REPS_CLUSTER, () => bareSet(pods))),
    run('lister.list(tier=frontend)', N * REPS_CLUSTER, () => times(REPS_CLUSTER, () => lister.list(EQUALITY))),
    run('lister.list(app in (…),tier notin (…))', N * REPS_CLUSTER, () =>
      times(REPS_CLUSTER, () => lister.list(SET_BASED)),
    ),
    run('lister.list() everything', N * REPS_CLUSTER, () => times(REPS_CLUSTER, () => lister.list())),
  ],
  clusterBase,
);

const nsBase = run(`bare loop over ${NS} (array in hand)`, nsPods.length * REPS_NS, () =>
  times(REPS_NS, () => bareEquality(nsPods)),
);
const nsEq = run(`namespace(${NS}).list(tier=frontend), indexed`, nsPods.length * REPS_NS, () =>
  times(REPS_NS, () => lister.namespace(NS).list(EQUALITY)),
);
report(
  `namespaced list, ${nsPods.length} of ${N} pods (per object of the namespace)`,
  [
    nsBase,
    nsEq,
    run(`namespace(${NS}).list(set-based), indexed`, nsPods.length * REPS_NS, () =>
      times(REPS_NS, () => lister.namespace(NS).list(SET_BASED)),
    ),
    run(`namespace(${NS}).list(tier=frontend), no index (full scan)`, nsPods.length * 2, () =>
      times(2, () => scanLister.namespace(NS).list(EQUALITY)),
    ),
  ],
  nsBase,
);

// Proportionality: the same namespace size (1k) in a store 10× smaller must cost about the same per call.
const small = [...nsPods, ...pods.filter((p) => p.metadata.namespace !== NS).slice(0, N / 10 - nsPods.length)];
const smallLister = new GenericLister<FixturePod>({ indexer: indexed(small, true), resource: 'pods' });
const smallNs = small.filter((p) => p.metadata.namespace === NS).length;
const smallEq = run(`namespace(${NS}).list(tier=frontend) in a ${N / 10}-pod store`, smallNs * REPS_NS, () =>
  times(REPS_NS, () => smallLister.namespace(NS).list(EQUALITY)),
);
report(
  `namespaced list cost vs store size (namespace of ${nsPods.length} / ${smallNs} pods)`,
  [smallEq, nsEq],
  smallEq,
);
const perCallBig = (nsEq.totalMs * 1000) / REPS_NS;
const perCallSmall = (smallEq.totalMs * 1000) / REPS_NS;
console.log(
  `\nper call: ${perCallBig.toFixed(1)} µs in the ${N}-pod store, ${perCallSmall.toFixed(1)} µs in the ${N / 10}-pod store ` +
    `(ratio ${(perCallBig / perCallSmall).toFixed(2)}; store-proportional would be 10)`,
);
if (sink < 0) console.log(sink);
