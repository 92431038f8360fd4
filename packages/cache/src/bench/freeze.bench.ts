/**
 * What freezing and indexing cost per stored object, over realistic ~1.2 KB pods, against a bare `Map.set`
 * loop measured in the same run:
 * - `deepFreeze` vs a plain recursive `Object.freeze` walk vs immer's `freeze(obj, true)`;
 * - `IndexedStore.add` with a namespace index, freezing on and off;
 * - time per add at 10k and at 100k objects (flat means no O(n) step per write);
 * - freezing during the parse (a `JSON.parse` reviver that freezes each object as it is built) vs parsing then
 *   walking (`deepFreeze`'s recursive walk, a walk with an explicit stack per call, one with a reused stack),
 *   against `JSON.parse` alone: what a watch event pays for frozen objects.
 *
 * Run: `npx tsc -b && node --expose-gc packages/cache/dist/bench/freeze.bench.js`
 */

import { deepFreeze } from '@kubecache/apimachinery';
import { makePods } from '@kubecache/apimachinery/testing';
import { freeze as immerFreeze } from 'immer';
import { type BenchResult, bench, report } from '../internal/bench-harness.js';
import { metaNamespaceIndexFunc, NAMESPACE_INDEX } from '../store.js';
import { IndexedStore } from '../thread-safe-store.js';

type Pod = ReturnType<typeof makePods>[number];

/** The naive walk: freeze everything reachable, no check for frozen subtrees. */
function plainFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) plainFreeze(child);
}

function mapSetLoop(pods: Pod[]): void {
  const map = new Map<string, Pod>();
  for (const pod of pods) map.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
}

function storeAdd(freeze: boolean): (pods: Pod[]) => void {
  return (pods) => {
    const store = new IndexedStore<Pod>({ freeze, indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });
    for (const pod of pods) store.add(pod);
  };
}

function eachPod(freeze: (pod: Pod) => unknown): (pods: Pod[]) => void {
  return (pods) => {
    for (const pod of pods) freeze(pod);
  };
}

/**
 * Freezing needs unfrozen input for every run, so those cases build fresh pods (about 1 s per 100k: the
 * slow part of the run) and keep the fastest of fewer runs. `shared` must still be unfrozen.
 */
function freezeCases(n: number, shared: Pod[]): BenchResult[] {
  const fresh = () => makePods(n);
  return [
    bench(`bare Map.set loop (${n})`, n, () => shared, mapSetLoop, 2),
    bench(`deepFreeze (${n})`, n, fresh, eachPod(deepFreeze), 1),
    bench(`plain recursive Object.freeze walk (${n})`, n, fresh, eachPod(plainFreeze), 1),
    bench(
      `immer freeze(obj, true) (${n})`,
      n,
      fresh,
      eachPod((pod) => immerFreeze(pod, true)),
      1,
    ),
    bench(`deepFreeze of already-frozen pods (${n})`, n, () => deepFreeze(shared), eachPod(deepFreeze), 2),
  ];
}

function storeCases(n: number, pods: Pod[], repeat: number): BenchResult[] {
  const index = { [NAMESPACE_INDEX]: metaNamespaceIndexFunc };
  const replace = (input: Pod[]) => new IndexedStore<Pod>({ freeze: false, indexers: index }).replace(input, '1');
  return [
    bench(`bare Map.set loop (${n})`, n, () => pods, mapSetLoop, repeat),
    bench(`IndexedStore.add, namespace index, freeze off (${n})`, n, () => pods, storeAdd(false), repeat),
    bench(`IndexedStore.replace, namespace index, freeze off (${n})`, n, () => pods, replace, repeat),
    bench(`IndexedStore.add, namespace index, freeze on (${n})`, n, () => makePods(n), storeAdd(true), repeat - 1),
  ];
}

/** A walk with an explicit stack made per call (what `deepFreeze` was before it recursed). */
function stackFreeze(root: unknown): void {
  if (typeof root !== 'object' || root === null || Object.isFrozen(root)) return;
  walkWith([root]);
}

/** The same walk, reusing one stack for every object: no array per call. */
function reusedStackFreezer(): (root: unknown) => void {
  const stack: object[] = [];
  return (root) => {
    if (typeof root !== 'object' || root === null || Object.isFrozen(root)) return;
    stack.push(root);
    walkWith(stack);
  };
}

function walkWith(stack: object[]): void {
  const push = (value: unknown): void => {
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) stack.push(value);
  };
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (Object.isFrozen(node) || ArrayBuffer.isView(node)) continue;
    Object.freeze(node);
    if (Array.isArray(node)) for (const child of node) push(child);
    else for (const key in node) push((node as Record<string, unknown>)[key]);
  }
}

/** Freezes each object and array as the parser builds it (children are built, and frozen, first). */
function freezingReviver(_key: string, value: unknown): unknown {
  return typeof value === 'object' && value !== null ? Object.freeze(value) : value;
}

function parseEach(parse: (text: string) => unknown): (texts: string[]) => void {
  return (texts) => {
    for (const text of texts) parse(text);
  };
}

function parseCases(n: number): BenchResult[] {
  const texts = makePods(n).map((pod) => JSON.stringify(pod));
  const reuse = reusedStackFreezer();
  return [
    bench(`JSON.parse (${n})`, n, () => texts, parseEach(JSON.parse), 3),
    bench(
      `JSON.parse, then deepFreeze (recursive walk) (${n})`,
      n,
      () => texts,
      parseEach((t) => deepFreeze(JSON.parse(t))),
      3,
    ),
    bench(
      `JSON.parse, then a walk with a stack per call (${n})`,
      n,
      () => texts,
      parseEach((t) => stackFreeze(JSON.parse(t))),
      3,
    ),
    bench(
      `JSON.parse, then a walk with one reused stack (${n})`,
      n,
      () => texts,
      parseEach((t) => reuse(JSON.parse(t))),
      3,
    ),
    bench(
      `JSON.parse with a freezing reviver (${n})`,
      n,
      () => texts,
      parseEach((t) => JSON.parse(t, freezingReviver)),
      3,
    ),
  ];
}

function main(): void {
  const parsing = parseCases(20_000);
  report('Freezing while parsing vs after, 20k pod texts', parsing, parsing[0]);
  // Small first, while the heap is small: each run starts with a full GC, whose cost grows with the heap.
  const small = storeCases(10_000, makePods(10_000), 5);
  const shared = makePods(100_000);
  const large = storeCases(100_000, shared, 2);
  const freezing = freezeCases(100_000, shared);
  report('Freezing 100k pods', freezing, freezing[0]);
  report('IndexedStore writes, 10k pods', small, small[0]);
  report('IndexedStore writes, 100k pods', large, large[0]);
}

main();
