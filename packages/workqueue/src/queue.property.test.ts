/**
 * Model-based test of WorkQueue and DelayingQueue against an independent model of client-go's
 * `util/workqueue` (queue.go, delaying_queue.go): dirty and processing sets, blocked getters woken in
 * order, `done` of any item, shutdown with and without drain, and delayed adds on a fake clock. Three items
 * so that adds, re-adds and delays collide; every observable is compared after every operation.
 */
import { describe, expect, it } from '@jest/globals';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import fc from 'fast-check';
import { DelayingQueue } from './delaying-queue.js';
import type { GetResult } from './queue.js';

const RUNS = Number(process.env.KUBECACHE_PROPERTY_RUNS) || 1000;
/** Generous: the machine may be shared, and `npm run test:deep` raises RUNS a hundredfold. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 100);

type Op =
  | { op: 'add' | 'done'; item: string }
  | { op: 'addAfter'; item: string; delay: number }
  | { op: 'get' }
  | { op: 'shutDown' }
  | { op: 'shutDownWithDrain' }
  | { op: 'step'; ms: number };

const item = fc.constantFrom('a', 'b', 'c');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('add' as const, 'done' as const), item }), weight: 4 },
  {
    arbitrary: fc.record({ op: fc.constant('addAfter' as const), item, delay: fc.constantFrom(0, 5, 10, 20) }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('get' as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('shutDown' as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('shutDownWithDrain' as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('step' as const), ms: fc.constantFrom(1, 5, 10, 30) }), weight: 2 },
);

/** What a get resolved to, or `pending`. */
type Outcome = string;

/** client-go's workqueue and delaying queue as a plain state machine. */
class Model {
  queue: string[] = [];
  dirty = new Set<string>();
  processing = new Set<string>();
  shuttingDown = false;
  /** Indexes (into `gets`) of blocked getters, in arrival order. */
  waiters: number[] = [];
  gets: Outcome[] = [];
  drains: Outcome[] = [];
  now = 0;
  waiting = new Map<string, number>();

  add(x: string): void {
    if (this.shuttingDown || this.dirty.has(x)) return;
    this.dirty.add(x);
    if (this.processing.has(x)) return;
    this.enqueue(x);
  }
  enqueue(x: string): void {
    const w = this.waiters.shift();
    if (w === undefined) this.queue.push(x);
    else this.gets[w] = this.claim(x);
  }
  claim(x: string): Outcome {
    this.processing.add(x);
    this.dirty.delete(x);
    return `item ${x}`;
  }
  get(): void {
    if (this.queue.length > 0) this.gets.push(this.claim(this.queue.shift() as string));
    else if (this.shuttingDown) this.gets.push('shutdown');
    else {
      this.waiters.push(this.gets.length);
      this.gets.push('pending');
    }
  }
  done(x: string): void {
    this.processing.delete(x);
    if (this.dirty.has(x)) this.enqueue(x);
    if (this.processing.size === 0) this.endDrains();
  }
  endDrains(): void {
    this.drains = this.drains.map(() => 'drained');
  }
  shutDown(drain: boolean): void {
    this.shuttingDown = true;
    for (const w of this.waiters) this.gets[w] = 'shutdown';
    this.waiters = [];
    if (drain) this.drains.push('pending');
    if (!drain || this.processing.size === 0) this.endDrains();
  }
  addAfter(x: string, delay: number): void {
    if (this.shuttingDown) return;
    if (delay <= 0) {
      this.add(x);
      return;
    }
    const readyAt = this.now + delay;
    const prev = this.waiting.get(x);
    if (prev === undefined || readyAt < prev) this.waiting.set(x, readyAt);
  }
  step(ms: number): void {
    this.now += ms;
    if (this.shuttingDown) return;
    const ready = [...this.waiting].filter(([, at]) => at <= this.now).sort((p, q) => p[1] - q[1]);
    for (const [x] of ready) {
      this.waiting.delete(x);
      this.add(x);
    }
  }
}

/** Compares cheaply, and with `expect` (for its diff) only when they differ. */
function same<X>(got: X, want: X): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
}

describe('WorkQueue and DelayingQueue (model-based)', () => {
  it(
    `match client-go's workqueue on every observable after every operation (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
          const clock = new FakeClock(0);
          const q = new DelayingQueue<string>({ clock });
          const model = new Model();
          const gets: Outcome[] = [];
          const drains: Outcome[] = [];
          for (const [i, op] of ops.entries()) {
            switch (op.op) {
              case 'add':
                model.add(op.item);
                q.add(op.item);
                break;
              case 'done':
                model.done(op.item);
                q.done(op.item);
                break;
              case 'addAfter': {
                // A distinct fraction per operation keeps ready times unique: client-go's heap does not order
                // ties, so equal ready times could fire in either order.
                const delay = op.delay === 0 ? 0 : op.delay + (i + 1) / 1024;
                model.addAfter(op.item, delay);
                q.addAfter(op.item, delay);
                break;
              }
              case 'get': {
                model.get();
                const slot = gets.length;
                gets.push('pending');
                void q.get().then((r: GetResult<string>) => {
                  gets[slot] = r.shutdown ? 'shutdown' : `item ${r.item}`;
                });
                break;
              }
              case 'shutDown':
                model.shutDown(false);
                q.shutDown();
                break;
              case 'shutDownWithDrain': {
                model.shutDown(true);
                const slot = drains.length;
                drains.push('pending');
                void q.shutDownWithDrain().then(() => {
                  drains[slot] = 'drained';
                });
                break;
              }
              case 'step':
                model.step(op.ms);
                clock.step(op.ms);
                break;
            }
            await flushMicrotasks();
            same(
              {
                len: q.len(),
                processing: q.processingCount(),
                shuttingDown: q.shuttingDown(),
                waiting: q.waitingCount(),
                gets,
                drains,
              },
              {
                len: model.queue.length,
                processing: model.processing.size,
                shuttingDown: model.shuttingDown,
                waiting: model.waiting.size,
                gets: model.gets,
                drains: model.drains,
              },
            );
          }
          q.shutDown();
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
