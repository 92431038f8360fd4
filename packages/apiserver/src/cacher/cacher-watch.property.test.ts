/**
 * Model-based test of the Cacher's watch streams against the storage history: random writes over a few
 * keys (creates, label and node changes, deletes) on a fake clock with a tiny history window, and watchers
 * opened at random points from a random earlier resource version, with a random label or field selector
 * and key prefix. Each watcher must see exactly the storage history after its resource version, filtered
 * by its selector with the apiserver's ADDED/MODIFIED/DELETED rule, or a single 410 ERROR event.
 */
import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import type { SelectionPredicate, StorageEvent } from '@kubecache/storage';
import { fieldEquals, labelEquals } from '@kubecache/storage/testing';
import fc from 'fast-check';
import { pod, podAttrs, record, startCacher, summary, type TestPod } from './cacher-test-kit.js';

const RUNS = Number(process.env.KUBECACHE_PROPERTY_RUNS) || 1000;
/** Generous: the machine may be shared, and `npm run test:deep` raises RUNS a hundredfold. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 100);

/** Selectors, each with an oracle written apart from the predicate code. */
const SELECTORS: [string, SelectionPredicate<TestPod> | undefined, (p: TestPod) => boolean][] = [
  ['everything', undefined, () => true],
  ['app=web', { label: labelEquals({ app: 'web' }), getAttrs: podAttrs }, (p) => p.metadata.labels?.app === 'web'],
  ['node=n1', { field: fieldEquals({ 'spec.nodeName': 'n1' }), getAttrs: podAttrs }, (p) => p.spec.nodeName === 'n1'],
];
const PREFIXES = ['/pods', '/pods/a'];

type Op =
  | { op: 'write'; ns: string; name: string; app: string; node: string; del: boolean }
  | { op: 'watch'; back: number; selector: number; prefix: number }
  | { op: 'step'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('write' as const),
      ns: fc.constantFrom('a', 'b'),
      name: fc.constantFrom('p0', 'p1', 'p2'),
      app: fc.constantFrom('web', 'db'),
      node: fc.constantFrom('n1', 'n2', ''),
      del: fc.boolean(),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('watch' as const),
      back: fc.nat({ max: 12 }),
      selector: fc.nat({ max: SELECTORS.length - 1 }),
      prefix: fc.nat({ max: PREFIXES.length - 1 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('step' as const), ms: fc.constantFrom(1_000, 40_000, 80_000) }), weight: 1 },
);

interface Truth {
  rv: number;
  event: StorageEvent<TestPod> & { type: 'ADDED' | 'MODIFIED' | 'DELETED' };
}

/** The watcher's expected stream: the history after `rv` under `prefix`, filtered by `matches`. */
function expected(history: readonly Truth[], rv: number, matches: (p: TestPod) => boolean, prefix: string): string[] {
  const out: string[] = [];
  for (const { rv: at, event } of history) {
    const obj = event.object;
    if (at <= rv || !`/pods/${obj.metadata.namespace}/${obj.metadata.name}`.startsWith(`${prefix}/`)) continue;
    const now = event.type !== 'DELETED' && matches(obj);
    const before = event.prevObject !== undefined && matches(event.prevObject);
    const type = now ? (before ? 'MODIFIED' : 'ADDED') : before ? 'DELETED' : undefined;
    if (type) out.push(`${type} ${obj.metadata.name}@${at}`);
  }
  return out;
}

describe('Cacher watch streams (model-based)', () => {
  it(
    `give each watcher exactly the filtered storage history after its RV, or a 410 (${RUNS} runs)`,
    async () => {
      const seen = { expired: 0, streams: 0, events: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
          const { storage, cacher, clock } = await startCacher({ historyLowerBound: 4 });
          const history: Truth[] = [];
          const sub = storage
            .watch('/pods', { recursive: true, resourceVersion: String(storage.revision) })
            .subscribe((e) => {
              if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') {
                history.push({ rv: Number(e.object.metadata.resourceVersion), event: e });
              }
            });
          const watchers: { rv: number; sel: number; prefix: string; rec: ReturnType<typeof record> }[] = [];
          try {
            for (const op of ops) {
              if (op.op === 'step') clock.step(op.ms);
              else if (op.op === 'write') {
                const key = `/pods/${op.ns}/${op.name}`;
                const exists = await storage.get(key, { ignoreNotFound: true });
                if (!exists) await storage.create(key, pod(op.ns, op.name, { app: op.app }, op.node));
                else if (op.del) await storage.delete(key);
                else {
                  await storage.guaranteedUpdate(key, {
                    tryUpdate: (c) => ({
                      ...c!,
                      metadata: { ...c!.metadata, labels: { app: op.app } },
                      spec: { nodeName: op.node },
                    }),
                  });
                }
              } else {
                const rv = Math.max(1, storage.revision - op.back);
                const [, predicate] = SELECTORS[op.selector]!;
                const prefix = PREFIXES[op.prefix]!;
                const w = await cacher.watch(prefix, {
                  recursive: true,
                  resourceVersion: String(rv),
                  ...(predicate && { predicate }),
                });
                watchers.push({ rv, sel: op.selector, prefix, rec: record(w) });
              }
            }
            await flushMicrotasks();
            for (const w of watchers) {
              const got = summary(w.rec.events);
              if (got[0] === 'ERROR 410') {
                seen.expired++;
                expect({ got, done: w.rec.state.done }).toEqual({ got: ['ERROR 410'], done: true });
                continue;
              }
              const want = expected(history, w.rv, SELECTORS[w.sel]![2], w.prefix);
              seen.streams++;
              seen.events += got.length;
              if (JSON.stringify(got) !== JSON.stringify(want)) {
                expect({ rv: w.rv, selector: SELECTORS[w.sel]![0], prefix: w.prefix, got }).toEqual({
                  rv: w.rv,
                  selector: SELECTORS[w.sel]![0],
                  prefix: w.prefix,
                  got: want,
                });
              }
            }
          } finally {
            sub.unsubscribe();
            await cacher.stop();
          }
        }),
        { numRuns: RUNS },
      );
      // The generated histories exercise both outcomes, and streams that carry events.
      expect(seen.expired).toBeGreaterThan(0);
      expect(seen.streams).toBeGreaterThan(seen.expired);
      expect(seen.events).toBeGreaterThan(seen.streams);
    },
    TIMEOUT_MS,
  );
});
