import { describe, expect, it } from '@jest/globals';
import {
  expiredError,
  internalError,
  type KubeObject,
  type ListOptions,
  type WatchEvent,
} from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { Observable } from 'rxjs';
import { type BackoffManager, ExponentialBackoff, REFLECTOR_BACKOFF } from './backoff.js';
import type { ListerWatcher, ListResult } from './list-watch.js';
import { Reflector } from './reflector.js';
import { RetryBudget } from './retry-budget.js';
import { IndexedStore } from './thread-safe-store.js';

/** A small seeded generator (mulberry32) for our backoff's jitter. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A server in a fault storm until `stormMs`: every other list fails with a 500, and every watch delivers
 * one event and then a 410 after `watchLifeMs`. After the storm, lists succeed and watches stay open.
 */
class StormSource implements ListerWatcher<KubeObject> {
  readonly requests: { at: number; verb: 'list' | 'watch'; ok: boolean }[] = [];
  #rv = 1;
  #lists = 0;

  constructor(
    readonly clock: FakeClock,
    readonly stormMs: number,
    readonly watchLifeMs: number,
  ) {}

  async list(_options: ListOptions): Promise<ListResult<KubeObject>> {
    const now = this.clock.now();
    const fail = now < this.stormMs && this.#lists++ % 2 === 0;
    this.requests.push({ at: now, verb: 'list', ok: !fail });
    if (fail) throw internalError('etcd leader changed');
    return { metadata: { resourceVersion: String(++this.#rv) }, items: [] };
  }

  watch(_options: ListOptions): Observable<WatchEvent<KubeObject>> {
    return new Observable((sub) => {
      const now = this.clock.now();
      this.requests.push({ at: now, verb: 'watch', ok: true });
      const rv = String(++this.#rv);
      sub.next({
        type: 'ADDED',
        object: { kind: 'Pod', metadata: { namespace: 'ns', name: `p${rv}`, resourceVersion: rv } },
      });
      if (now >= this.stormMs) return;
      const timer = this.clock.setTimeout(() => {
        if (this.clock.now() < this.stormMs) sub.next({ type: 'ERROR', object: expiredError('too old').status });
      }, this.watchLifeMs);
      return () => this.clock.clearTimeout(timer);
    });
  }

  /** Requests made before the storm ended. */
  get stormRequests(): number {
    return this.requests.filter((r) => r.at < this.stormMs).length;
  }

  /** From the end of the storm to the first request after it that succeeded, in ms (0: a watch was open). */
  get recoveryMs(): number {
    const last = this.requests.at(-1);
    const after = this.requests.find((r) => r.at >= this.stormMs && r.ok);
    if (!after) return last && last.at < this.stormMs && last.verb === 'watch' ? 0 : Number.POSITIVE_INFINITY;
    return after.at - this.stormMs;
  }
}

type Policy = 'ours' | 'client-go';

/**
 * How far the fake clock moves per step. Timers due inside a step still fire one by one at their own times
 * (with the promises they settle run in between), so a coarse step changes no request time, only how often
 * the loop stops to check: a 10-minute storm takes a few hundred steps, not twelve thousand.
 */
const STEP_MS = 2_000;

/**
 * Runs a reflector with `policy` through the storm and 60 s after it. client-go's is simulated as the chaos
 * suite does: its backoff stepped before every retry, never reset by progress, no budget.
 */
async function model(policy: Policy, stormMs: number, watchLifeMs: number, seed: number): Promise<StormSource> {
  const clock = new FakeClock(0);
  const source = new StormSource(clock, stormMs, watchLifeMs);
  const random = seeded(seed);
  let backoff: BackoffManager;
  let retryBudget: RetryBudget | undefined;
  if (policy === 'ours') backoff = new ExponentialBackoff({ ...REFLECTOR_BACKOFF, clock, random });
  else {
    // client-go at its average: every step 1.5 times its base (jitter 1 at its mean), a schedule, not a draw.
    const clientGo = new ExponentialBackoff({ clock, random: () => 0.5 });
    backoff = { step: () => clientGo.step() };
    retryBudget = new RetryBudget({ clock, burst: Number.MAX_SAFE_INTEGER });
  }
  const reflector = new Reflector({
    listerWatcher: source,
    store: new IndexedStore<KubeObject>({ freeze: false }),
    clock,
    backoff,
    ...(retryBudget ? { retryBudget } : {}),
    random: () => 0,
    onError: () => {},
  });
  const stop = new AbortController();
  const running = reflector.run(stop.signal);
  await flushMicrotasks();
  for (let t = 0; t < stormMs + 60_000; t += STEP_MS) await clock.stepAsync(STEP_MS);
  stop.abort();
  await running;
  return source;
}

describe('the Reflector’s retry policy against client-go’s, modelled on a fake clock', () => {
  it.each([300, 700])(
    'after a 2 s storm (watches die after %i ms): no more requests than client-go, back in under 1.5 s where client-go takes longer',
    async (life) => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const ours = await model('ours', 2_000, life, seed);
        const clientGo = await model('client-go', 2_000, life, seed);
        expect(ours.stormRequests).toBeLessThanOrEqual(clientGo.stormRequests);
        expect(ours.recoveryMs).toBeLessThan(1_500);
        expect(ours.recoveryMs).toBeLessThan(clientGo.recoveryMs);
      }
    },
  );

  it.each([
    [5_000, 300],
    [10_000, 1_000],
    [600_000, 300],
  ])('in a %i ms storm: never more than one retry (a list and its watch) ahead of client-go', async (stormMs, life) => {
    for (const seed of [1, 2, 3]) {
      const ours = await model('ours', stormMs, life, seed);
      const clientGo = await model('client-go', stormMs, life, seed);
      expect(ours.stormRequests).toBeLessThanOrEqual(clientGo.stormRequests + 2);
    }
  });
});
