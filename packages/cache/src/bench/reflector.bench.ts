/**
 * Issue 3's reflector benchmark: realistic ~1.2 KB pods through the Reflector into an `IndexedStore` with a
 * namespace index, against a bare loop applying the same objects/events to a `Map`, measured in the same run:
 * - initial sync: 100k pods listed from the fake source in pages of 500 (the pager), then `replace`;
 * - watch events: 100k MODIFIED events pushed through a watch Observable into the store, with the store
 *   holding 10k and 100k pods (flat µs/event means nothing O(n) per event);
 * Freezing is off: it is the store's cost (freeze.bench measures it), and re-running on the same
 * objects would only measure already-frozen objects.
 *
 * Run: `npx tsc -b && node --expose-gc packages/cache/dist/bench/reflector.bench.js`
 */

import type { WatchEvent } from '@kubecache/apimachinery';
import { type FixturePod, makePods } from '@kubecache/apimachinery/testing';
import { Subject } from 'rxjs';
import { type BenchResult, bench, benchAsync, report } from '../internal/bench-harness.js';
import type { ListerWatcher, ListResult } from '../list-watch.js';
import { Reflector } from '../reflector.js';
import { metaNamespaceIndexFunc, NAMESPACE_INDEX } from '../store.js';
import { FakeControllerSource } from '../testing/fake-source.js';
import { IndexedStore } from '../thread-safe-store.js';

type Pod = FixturePod;
const EVENTS = 100_000;

const newStore = (freeze: boolean): IndexedStore<Pod> =>
  new IndexedStore<Pod>({ freeze, indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });

const keyOf = (pod: Pod): string => `${pod.metadata.namespace}/${pod.metadata.name}`;

/** Lists a fixed set of pods in one page and hands out a Subject as its watch. */
class SubjectSource implements ListerWatcher<Pod> {
  readonly subject = new Subject<WatchEvent<Pod>>();
  constructor(readonly items: Pod[]) {}
  async list(): Promise<ListResult<Pod>> {
    return { metadata: { resourceVersion: String(this.items.length) }, items: this.items };
  }
  watch() {
    return this.subject.asObservable();
  }
}

async function settle(done: () => boolean): Promise<void> {
  while (!done()) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function initialSync(n: number, freeze: boolean, pods: Pod[]): Promise<BenchResult> {
  return benchAsync(
    `reflector initial sync, ${n / 1000}k pods, pager 500, freeze ${freeze}`,
    n,
    () => {
      const source = new FakeControllerSource<Pod>();
      for (const pod of pods) source.add(pod);
      return { source, store: newStore(freeze) };
    },
    async ({ source, store }) => {
      const stop = new AbortController();
      const done = new Reflector<Pod>({ listerWatcher: source, store, onError: () => {} }).run(stop.signal);
      await settle(() => source.openWatches() === 1);
      stop.abort();
      await done;
      if (store.size !== n) throw new Error(`synced ${store.size} of ${n}`);
    },
    2,
  );
}

async function watchEvents(pods: Pod[], events: WatchEvent<Pod>[]): Promise<BenchResult> {
  return benchAsync(
    `reflector watch MODIFIED, store ${pods.length / 1000}k`,
    events.length,
    async () => {
      const source = new SubjectSource(pods);
      const store = newStore(false);
      const stop = new AbortController();
      const done = new Reflector<Pod>({ listerWatcher: source, store, onError: () => {} }).run(stop.signal);
      await settle(() => source.subject.observed);
      return { source, stop, done, store };
    },
    async ({ source, stop, done, store }) => {
      const subject = source.subject;
      for (const event of events) subject.next(event);
      stop.abort();
      await done;
      if (store.size !== pods.length) throw new Error('store size changed');
    },
    2,
  );
}

/** MODIFIED events cycling over `pods`, each a shallow copy with a new resource version. */
function modifiedEvents(pods: Pod[]): WatchEvent<Pod>[] {
  const events: WatchEvent<Pod>[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const pod = pods[i % pods.length] as Pod;
    const object = { ...pod, metadata: { ...pod.metadata, resourceVersion: String(pods.length + i + 1) } };
    events.push({ type: 'MODIFIED', object });
  }
  return events;
}

function bareWatch(pods: Pod[], events: WatchEvent<Pod>[]): BenchResult {
  return bench(
    `bare loop: Map.set per event, map ${pods.length / 1000}k`,
    events.length,
    () => new Map(pods.map((pod) => [keyOf(pod), pod])),
    (map) => {
      for (const event of events) map.set(keyOf(event.object as Pod), event.object as Pod);
    },
    2,
  );
}

function directStore(pods: Pod[], events: WatchEvent<Pod>[]): BenchResult {
  return bench(
    `IndexedStore.update per event (no reflector), store ${pods.length / 1000}k`,
    events.length,
    () => {
      const store = newStore(false);
      store.replace(pods, String(pods.length));
      return store;
    },
    (store) => {
      for (const event of events) store.update(event.object as Pod);
    },
    2,
  );
}

async function main(): Promise<void> {
  const pods = makePods(100_000);
  const mapBaseline = bench(
    'bare loop: Map.set of 100k pods',
    pods.length,
    () => pods,
    (input) => {
      const map = new Map<string, Pod>();
      for (const pod of input) map.set(keyOf(pod), pod);
    },
    2,
  );
  report('Initial sync (per object)', [mapBaseline, await initialSync(100_000, false, pods)], mapBaseline);

  const results: BenchResult[] = [];
  for (const size of [10_000, 100_000]) {
    const storePods = pods.slice(0, size);
    const events = modifiedEvents(storePods);
    const bare = bareWatch(storePods, events);
    const direct = directStore(storePods, events);
    const reflected = await watchEvents(storePods, events);
    results.push(bare, direct, reflected);
    const overhead = (reflected.usPerOp - direct.usPerOp).toFixed(3);
    console.log(`store ${size / 1000}k: reflector's own cost over store.update ${overhead} µs/event`);
  }
  report('Watch events (per event)', results, results[0]);
}

await main();
