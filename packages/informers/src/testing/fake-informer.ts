/**
 * A shared informer wired to the fake list/watch source and a fake clock, for tests of code that consumes
 * informers (handlers, controllers) without a server: drive the source, step the clock, read the store.
 */

import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { ExponentialBackoff, RetryBudget } from '@kubecache/cache';
import { FakeControllerSource } from '@kubecache/cache/testing';
import { type InformerQueueKind, SharedIndexInformer } from '../shared-informer.js';

/** Options of {@link fakeInformer}. */
export interface FakeInformerOptions {
  /** The informer's resync period, in ms. Default 0 (none). */
  resyncPeriodMs?: number;
  /** The informer's queue. Default `'in-order'`. */
  queue?: InformerQueueKind;
  /** The clock's start time, in ms. Default 0. */
  now?: number;
}

/** What {@link fakeInformer} returns. */
export interface FakeInformer<T extends KubeObject> {
  readonly clock: FakeClock;
  readonly source: FakeControllerSource<T>;
  readonly informer: SharedIndexInformer<T>;
  /** Aborting it stops the informer. */
  readonly ac: AbortController;
  /** Errors the informer reported (handler failures, list/watch errors). */
  readonly errors: Error[];
  /** Runs the informer and lets the first list and watch happen. */
  start(): Promise<void>;
  /** Aborts and waits until the informer has stopped. */
  stop(): Promise<void>;
  /** The promise of the last {@link start} (resolved before any). */
  running(): Promise<void>;
}

/**
 * A shared informer over a {@link FakeControllerSource}, on a {@link FakeClock}, with a jitter-free
 * backoff (800 ms, 1.6 s, …) and retry budget, and errors collected instead of logged.
 *
 * @example
 * const t = fakeInformer<Pod>();
 * t.source.add(pod);
 * await t.start();
 * expect(t.informer.getStore().list()).toHaveLength(1);
 * await t.stop();
 */
export function fakeInformer<T extends KubeObject = KubeObject>(options: FakeInformerOptions = {}): FakeInformer<T> {
  const clock = new FakeClock(options.now ?? 0);
  const source = new FakeControllerSource<T>();
  const errors: Error[] = [];
  const informer = new SharedIndexInformer<T>({
    listerWatcher: source,
    clock,
    resyncPeriodMs: options.resyncPeriodMs ?? 0,
    queue: options.queue ?? 'in-order',
    backoff: new ExponentialBackoff({ clock, random: () => 0 }),
    retryBudget: new RetryBudget({ clock, random: () => 0 }),
    onError: (e) => errors.push(e),
  });
  const ac = new AbortController();
  let run: Promise<void> = Promise.resolve();
  return {
    clock,
    source,
    informer,
    ac,
    errors,
    start: async () => {
      run = informer.run(ac.signal);
      await flushMicrotasks();
    },
    stop: async () => {
      ac.abort();
      await run;
    },
    running: () => run,
  };
}
