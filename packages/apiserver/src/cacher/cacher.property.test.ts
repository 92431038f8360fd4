import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import type { SelectionPredicate, StorageEvent } from '@kubecache/storage';
import { fieldEquals, labelEquals } from '@kubecache/storage/testing';
import type { CacheWatcher } from './cache-watcher.js';
import { pod, podAttrs, record, startCacher, summary, type TestPod } from './cacher-test-kit.js';
import type { CacheWatchEvent } from './watch-cache-event.js';

/** A small seeded PRNG (mulberry32), so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each predicate with an oracle written independently of the predicate code under test. */
const PREDICATES: [string, SelectionPredicate<TestPod> | undefined, (p: TestPod) => boolean][] = [
  ['everything', undefined, () => true],
  ['app=web', { label: labelEquals({ app: 'web' }), getAttrs: podAttrs }, (p) => p.metadata.labels?.app === 'web'],
  [
    'spec.nodeName=n1',
    { field: fieldEquals({ 'spec.nodeName': 'n1' }), getAttrs: podAttrs },
    (p) => p.spec.nodeName === 'n1',
  ],
  ['ns a', undefined, () => true],
];

interface Truth {
  rv: number;
  event: StorageEvent<TestPod> & { type: 'ADDED' | 'MODIFIED' | 'DELETED' };
}

/** What a watcher from `rv` with predicate `p` (under `prefix`) must see, from the storage history. */
function expected(history: readonly Truth[], rv: number, matches: (p: TestPod) => boolean, prefix: string) {
  const out: string[] = [];
  for (const { rv: eventRV, event } of history) {
    if (eventRV <= rv) continue;
    const obj = event.object;
    if (!`/pods/${obj.metadata.namespace}/`.startsWith(prefix)) continue;
    // The apiserver's rule: entering the selection is ADDED, staying is MODIFIED, leaving is DELETED.
    const cur = event.type !== 'DELETED' && matches(obj);
    const prev = event.prevObject !== undefined && matches(event.prevObject);
    const type = cur ? (prev ? 'MODIFIED' : 'ADDED') : prev ? 'DELETED' : undefined;
    if (type) out.push(`${type} ${obj.metadata.name}@${eventRV}`);
  }
  return out;
}

function oracleFor(watcherName: string): (p: TestPod) => boolean {
  const entry = PREDICATES.find(([n]) => watcherName.startsWith(n));
  if (!entry) throw new Error(`no predicate for ${watcherName}`);
  return entry[2];
}

/** Reads up to `n` events from a pull-mode watcher, then stops reading (a slow client). */
async function readSome(w: CacheWatcher<TestPod>, n: number, into: CacheWatchEvent<TestPod>[]): Promise<void> {
  const it = w[Symbol.asyncIterator]();
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) return;
    into.push(r.value);
  }
}

describe('Cacher (property)', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'gives every watcher exactly the filtered storage history, or a 410, or a prefix and a cut-off (seed %d)',
    async (seed) => {
      const random = prng(seed);
      const pick = <X>(xs: readonly X[]): X => xs[Math.floor(random() * xs.length)] as X;
      const trigger = { field: 'spec.nodeName', valueOf: (p: TestPod) => p.spec.nodeName ?? '' };
      const { storage, cacher, clock } = await startCacher({ historyLowerBound: 8, trigger, watcherBufferSize: 4 });
      const history: Truth[] = [];
      storage.watch('/pods', { recursive: true, resourceVersion: '1' }).subscribe((e) => {
        if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') {
          history.push({ rv: Number(e.object.metadata.resourceVersion), event: e });
        }
      });
      const watchers: { rv: number; name: string; rec: ReturnType<typeof record> }[] = [];
      const slow: { rv: number; name: string; watcher: CacheWatcher<TestPod>; got: CacheWatchEvent<TestPod>[] }[] = [];
      let expired = 0;
      for (let op = 0; op < 300; op++) {
        clock.step(Math.floor(random() * 12_000));
        const name = `p${Math.floor(random() * 12)}`;
        const ns = pick(['a', 'b']);
        const key = `/pods/${ns}/${name}`;
        const exists = await storage.get(key, { ignoreNotFound: true });
        const app = pick(['web', 'db']);
        const node = pick(['n1', 'n2', '']);
        if (!exists) await storage.create(key, pod(ns, name, { app }, node));
        else if (random() < 0.3) await storage.delete(key);
        else {
          await storage.guaranteedUpdate(key, {
            tryUpdate: (c) => ({
              ...c!,
              metadata: { ...c!.metadata, labels: { app } },
              spec: { nodeName: node, value: `${op}` },
            }),
          });
        }
        if (random() < 0.1) {
          const current = storage.revision;
          const rv = Math.max(1, current - Math.floor(random() * 30));
          const [pname, predicate] = pick(PREDICATES);
          const prefix = pname === 'ns a' ? '/pods/a' : '/pods';
          const w = await cacher.watch(prefix, {
            recursive: true,
            resourceVersion: String(rv),
            ...(predicate && { predicate }),
          });
          if (random() < 0.3) {
            const entry = { rv, name: `${pname}/${prefix}`, watcher: w, got: [] as CacheWatchEvent<TestPod>[] };
            slow.push(entry);
            void readSome(w, Math.floor(random() * 6), entry.got);
          } else watchers.push({ rv, name: `${pname}/${prefix}`, rec: record(w) });
        }
      }
      await flushMicrotasks();
      for (const w of watchers) {
        const got = summary(w.rec.events);
        if (got[0] === 'ERROR 410') {
          expired++;
          expect(got).toHaveLength(1);
          expect(w.rec.state.done).toBe(true);
          continue;
        }
        const prefix = w.name.endsWith('/pods/a') ? '/pods/a/' : '/pods/';
        expect({ watcher: w.name, rv: w.rv, events: got }).toEqual({
          watcher: w.name,
          rv: w.rv,
          events: expected(history, w.rv, oracleFor(w.name), prefix),
        });
        expect(new Set(got).size).toBe(got.length);
      }
      let cutOff = 0;
      for (const s of slow) {
        const prefix = s.name.endsWith('/pods/a') ? '/pods/a/' : '/pods/';
        const want = expected(history, s.rv, oracleFor(s.name), prefix);
        const stopped = s.watcher.stopped;
        if (!stopped) await readSome(s.watcher, want.length - s.got.length, s.got);
        const got = summary(s.got);
        if (got[0] === 'ERROR 410') continue;
        if (stopped) cutOff++;
        expect(got).toEqual(want.slice(0, got.length));
        if (!stopped) expect(got).toEqual(want);
      }
      expect(cutOff).toBe(cacher.stats.terminated);
      expect(watchers.length).toBeGreaterThan(10);
      expect(expired).toBeLessThan(watchers.length);
      await cacher.stop();
    },
  );
});
