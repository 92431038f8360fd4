/**
 * Model-based test of the shared informer over random server histories with faults, on the fake source and
 * a fake clock: writes that reach the watch and writes it loses, watches closed cleanly, history resets
 * (410 and relist), bookmarks, failed lists and watches, time passing, handlers (sync and async, with and
 * without resync) added late. Once the faults stop (a final 410 forces a relist), the informer's store
 * must equal the server's objects, every handler's events must fold to that store (each update's old object
 * being the last state that handler saw), `hasSynced` must never go back from true, and every object a
 * handler receives must be frozen. Both queue kinds run.
 */
import { describe, expect, it } from '@jest/globals';
import { expiredError, failureStatus, type KubeObject, StatusError } from '@kubecache/apimachinery';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import fc from 'fast-check';
import type { HandlerRegistration } from './handler-registration.js';
import type { DeletedObject, ResourceEventHandler } from './resource-event-handler.js';
import type { InformerQueueKind } from './shared-informer.js';
import { fakeInformer } from './testing/fake-informer.js';

const RUNS = Number(process.env.KUBECACHE_PROPERTY_RUNS) || 1000;
/** Generous: the machine may be shared, and `npm run test:deep` raises RUNS a hundredfold. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 100);

type Op =
  | { op: 'add' | 'modify' | 'delete'; name: string; drop: boolean }
  | { op: 'closeWatches' | 'resetWatch' | 'bookmark' | 'failList' | 'failWatch' }
  | { op: 'step'; ms: number }
  | { op: 'handler'; async: boolean; resync: boolean };

const name = fc.constantFrom('p0', 'p1', 'p2');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constantFrom('add' as const, 'modify' as const, 'delete' as const),
      name,
      drop: fc.boolean(),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      op: fc.constantFrom(
        'closeWatches' as const,
        'resetWatch' as const,
        'bookmark' as const,
        'failList' as const,
        'failWatch' as const,
      ),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('step' as const), ms: fc.constantFrom(100, 1_000, 5_000) }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant('handler' as const), async: fc.boolean(), resync: fc.boolean() }),
    weight: 1,
  },
);

function pod(n: string, v: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: n, namespace: 'default' }, spec: { v } } as KubeObject;
}

const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
const rvOf = (o: KubeObject | undefined) => o?.metadata?.resourceVersion;

function deeplyFrozen(o: unknown): boolean {
  if (typeof o !== 'object' || o === null) return true;
  return Object.isFrozen(o) && Object.values(o).every(deeplyFrozen);
}

/** A handler that folds its events into a key → RV map and records every inconsistency it sees. */
function folder(async: boolean) {
  const state = new Map<string, string | undefined>();
  const problems: string[] = [];
  const check = (o: KubeObject | undefined, what: string) => {
    if (o !== undefined && !deeplyFrozen(o)) problems.push(`${what} ${keyOf(o)} not frozen`);
  };
  const wrap = <A extends unknown[]>(fn: (...args: A) => void) =>
    async
      ? async (...args: A) => {
          await Promise.resolve();
          fn(...args);
        }
      : fn;
  const handler: ResourceEventHandler<KubeObject> = {
    onAdd: wrap((o: KubeObject) => {
      check(o, 'add');
      if (state.has(keyOf(o))) problems.push(`add of known ${keyOf(o)}`);
      state.set(keyOf(o), rvOf(o));
    }),
    onUpdate: wrap((old: KubeObject, o: KubeObject) => {
      check(old, 'update old');
      check(o, 'update new');
      if (state.get(keyOf(o)) !== rvOf(old))
        problems.push(`update of ${keyOf(o)} from ${rvOf(old)}, had ${state.get(keyOf(o))}`);
      state.set(keyOf(o), rvOf(o));
    }),
    onDelete: wrap((d: DeletedObject<KubeObject>) => {
      check(d.obj, `delete(${d.kind})`);
      // A delete of a key the handler never saw is possible (client-go too): the watch lost the add.
      state.delete(d.key);
    }),
  };
  return { handler, state, problems };
}

const asMap = (objs: readonly KubeObject[]) =>
  Object.fromEntries(objs.map((o) => [keyOf(o), rvOf(o)]).sort(([a], [b]) => String(a).localeCompare(String(b))));

describe('SharedIndexInformer over random histories with faults (model-based)', () => {
  it(
    `converges, folds every handler's events to its store, keeps hasSynced monotone and objects frozen (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<InformerQueueKind>('in-order', 'delta-fifo'),
          fc.array(name, { maxLength: 3 }),
          fc.array(opArb, { maxLength: 20 }),
          async (queue, initial, ops) => {
            const t = fakeInformer<KubeObject>({ queue, resyncPeriodMs: 2_000 });
            let v = 0;
            for (const n of new Set(initial)) t.source.add(pod(n, ++v));
            const handlers: { fold: ReturnType<typeof folder>; reg: HandlerRegistration }[] = [];
            const addHandler = (async: boolean, resync: boolean) => {
              const fold = folder(async);
              const reg = t.informer.addEventHandler(fold.handler, { resyncPeriodMs: resync ? 2_000 : 0 });
              handlers.push({ fold, reg });
            };
            addHandler(false, false);
            const synced: boolean[][] = [];
            const sample = () => synced.push([t.informer.hasSynced(), ...handlers.map((h) => h.reg.hasSynced())]);
            await t.start();
            try {
              for (const op of ops) {
                const exists = t.source.items().some((o) => o.metadata?.name === (op as { name?: string }).name);
                switch (op.op) {
                  case 'add':
                  case 'modify':
                  case 'delete': {
                    const kind = op.op === 'add' ? (exists ? 'modify' : 'add') : exists ? op.op : 'add';
                    const obj = pod(op.name, ++v);
                    if (kind === 'add') op.drop ? t.source.addDropWatch(obj) : t.source.add(obj);
                    else if (kind === 'modify') op.drop ? t.source.modifyDropWatch(obj) : t.source.modify(obj);
                    else op.drop ? t.source.deleteDropWatch(obj) : t.source.delete(obj);
                    break;
                  }
                  case 'closeWatches':
                    t.source.closeWatches();
                    break;
                  case 'resetWatch':
                    t.source.resetWatch();
                    break;
                  case 'bookmark':
                    t.source.sendBookmark();
                    break;
                  case 'failList':
                    t.source.failNextList(new StatusError(failureStatus(500, 'InternalError', 'list down')));
                    break;
                  case 'failWatch':
                    t.source.failNextWatch(new StatusError(failureStatus(429, 'TooManyRequests', 'slow down')));
                    break;
                  case 'step':
                    await t.clock.stepAsync(op.ms);
                    break;
                  case 'handler':
                    addHandler(op.async, op.resync);
                    break;
                }
                await flushMicrotasks();
                sample();
              }
              // The faults stop: time passes for any backoff to run out, then the open watch is told 410 (as a
              // server says once the events a watch lost are compacted away), which forces a relist.
              let relisted = false;
              for (let i = 0; i < 8; i++) {
                await t.clock.stepAsync(30_000);
                await flushMicrotasks();
                sample();
                if (!relisted && t.source.openWatches() > 0) {
                  t.source.sendError(expiredError('too old resource version').status);
                  relisted = true;
                }
              }
              expect(relisted).toBe(true);
              const server = asMap(t.source.items());
              const got = {
                store: asMap(t.informer.getStore().list()),
                handlers: handlers.map((h) =>
                  asMap(
                    [...h.fold.state].map(
                      ([k, rv]) =>
                        ({
                          metadata: { namespace: k.split('/')[0], name: k.split('/')[1], resourceVersion: rv },
                        }) as KubeObject,
                    ),
                  ),
                ),
                problems: handlers.flatMap((h) => h.fold.problems),
                regressions: synced.flatMap((row, i) =>
                  row.flatMap((s, j) => (i > 0 && synced[i - 1]![j] && !s ? [`${j}@${i}`] : [])),
                ),
                synced: synced.at(-1),
              };
              const want = {
                store: server,
                handlers: handlers.map(() => server),
                problems: [],
                regressions: [],
                synced: synced.at(-1)!.map(() => true),
              };
              if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
            } finally {
              await t.stop();
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
