import { describe, expect, it, jest } from '@jest/globals';
import type { KubeObject, ListOptions, WatchEvent } from '@kubecache/apimachinery';
import {
  expiredError,
  failureStatus,
  internalError,
  MAX_TIMER_DELAY_MS,
  type Status,
  StatusError,
  timeoutError,
  tooManyRequestsError,
} from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks, recordNodeTimers } from '@kubecache/apimachinery/testing';
import { Observable, type Subscriber } from 'rxjs';
import { ExponentialBackoff } from './backoff.js';
import { DeltaFIFO } from './delta-fifo.js';
import { DeletedFinalStateUnknown } from './keys.js';
import type { ListerWatcher, ListResult } from './list-watch.js';
import { nextAfterWatch, Reflector, type ReflectorOptions, type WatchNext } from './reflector.js';
import { ReflectorStoreError, UnexpectedObjectError, VeryShortWatchError } from './reflector-errors.js';
import { FakeControllerSource } from './testing/fake-source.js';
import { IndexedStore } from './thread-safe-store.js';
import type { WatchEnd } from './watch-session.js';

interface Obj extends KubeObject {
  data?: string;
}

function pod(name: string, extra: Partial<Obj> & { uid?: string } = {}): Obj {
  const { uid, ...rest } = extra;
  return { kind: 'Pod', metadata: { namespace: 'ns', name, uid: uid ?? `uid-${name}` }, ...rest };
}

function names(store: IndexedStore<Obj>): string[] {
  return store
    .list()
    .map((o) => o.metadata?.name ?? '')
    .sort();
}

const connectionRefused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

function setup(options: Partial<ReflectorOptions<Obj>> & { source?: ListerWatcher<Obj> } = {}) {
  const clock = new FakeClock(0);
  const fake = new FakeControllerSource<Obj>();
  const store = new IndexedStore<Obj>({ freeze: false });
  const errors: Error[] = [];
  const reflector = new Reflector<Obj>({
    listerWatcher: options.source ?? fake,
    store,
    clock,
    backoff: new ExponentialBackoff({ clock, jitter: 0 }),
    random: () => 0,
    onError: (err) => errors.push(err),
    ...options,
  });
  const controller = new AbortController();
  let done: Promise<void> | undefined;
  return {
    clock,
    fake,
    store,
    errors,
    reflector,
    controller,
    start: async () => {
      done = reflector.run(controller.signal);
      await flushMicrotasks();
    },
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Sends `n` ADDED events of distinct pods, at versions 2…n+1, synchronously (one run of events). */
function addPods(sub: Subscriber<WatchEvent<Obj>>, n: number): void {
  for (let i = 0; i < n; i++) {
    const object: Obj = { kind: 'Pod', metadata: { namespace: 'ns', name: `p${i}`, resourceVersion: `${i + 2}` } };
    sub.next({ type: 'ADDED', object });
  }
}

/** A hand-driven ListerWatcher: lists from a queue, records calls, exposes each watch's subscriber. */
class ManualSource implements ListerWatcher<Obj> {
  readonly lists: ListOptions[] = [];
  readonly watches: ListOptions[] = [];
  readonly subscribers: Subscriber<WatchEvent<Obj>>[] = [];
  unsubscribed = 0;
  listResults: (ListResult<Obj> | Error | Promise<ListResult<Obj>>)[] = [];
  onWatch: ((sub: Subscriber<WatchEvent<Obj>>, call: number) => void) | undefined;

  async list(options: ListOptions): Promise<ListResult<Obj>> {
    this.lists.push(options);
    const next = this.listResults.shift() ?? { metadata: { resourceVersion: '1' }, items: [] };
    if (next instanceof Error) throw next;
    return next;
  }

  watch(options: ListOptions): Observable<WatchEvent<Obj>> {
    return new Observable((sub) => {
      this.watches.push(options);
      this.subscribers.push(sub);
      this.onWatch?.(sub, this.watches.length);
      return () => {
        this.unsubscribed++;
      };
    });
  }

  get last(): Subscriber<WatchEvent<Obj>> {
    return this.subscribers[this.subscribers.length - 1] as Subscriber<WatchEvent<Obj>>;
  }
}

describe('Reflector', () => {
  describe('nextAfterWatch', () => {
    it.each([
      ['stopped', { kind: 'stopped' }, 0, 0, false, 'stop'],
      ['a clean close after events', { kind: 'closed' }, 10, 3, false, 'rewatch'],
      ['a clean close after 1 s without events', { kind: 'closed' }, 1000, 0, false, 'rewatch'],
      ['a close within 1 s without events', { kind: 'closed' }, 999, 0, false, 'relist'],
      ['an inactivity timeout', { kind: 'inactive', error: new Error('idle') }, 400_000, 0, false, 'rewatch'],
      [
        'a 429 start error',
        { kind: 'start-error', error: tooManyRequestsError('x', 1) },
        0,
        0,
        false,
        'backoff-rewatch',
      ],
      ['connection refused', { kind: 'start-error', error: connectionRefused }, 0, 0, false, 'backoff-rewatch'],
      ['a 410 start error', { kind: 'start-error', error: expiredError('old') }, 0, 0, false, 'throw'],
      ['a 429 ERROR event', { kind: 'error', error: tooManyRequestsError('x', 1) }, 5, 1, false, 'backoff-rewatch'],
      ['an InternalError inside the window', { kind: 'error', error: internalError('x') }, 5, 1, true, 'rewatch'],
      ['an InternalError past the window', { kind: 'error', error: internalError('x') }, 5, 1, false, 'relist'],
      ['a 410 ERROR event', { kind: 'error', error: expiredError('old') }, 5, 1, true, 'relist'],
    ] as [string, WatchEnd, number, number, boolean, WatchNext][])(
      'after %s decides the next step',
      (_name, end, elapsed, events, retryInternal, expected) => {
        expect(nextAfterWatch(end, elapsed, events, retryInternal)).toBe(expected);
      },
    );
  });

  describe('listing', () => {
    it('lists at RV "0" first, replaces the store at the list RV, then watches from it with bookmarks', async () => {
      const t = setup();
      t.fake.add(pod('a'));
      t.fake.add(pod('b'));
      await t.start();
      expect(t.fake.listCalls).toEqual([{ resourceVersion: '0', limit: 500 }]);
      expect(names(t.store)).toEqual(['a', 'b']);
      expect(t.store.lastStoreSyncResourceVersion()).toBe('2');
      expect(t.fake.watchCalls).toEqual([{ resourceVersion: '2', allowWatchBookmarks: true, timeoutSeconds: 300 }]);
      expect(t.reflector.lastSyncResourceVersion()).toBe('2');
      await t.stop();
    });

    it.each([
      [undefined, 0, 300],
      [undefined, 0.999, 599],
      [1000, 0.5, 450],
      [30 * 60_000, 0, 1800],
      [30 * 60_000, 0.999, 3598],
    ])('sends a watch timeout from minWatchTimeout %p and random %p: %p s', async (minWatchTimeout, r, expected) => {
      const t = setup({ minWatchTimeoutMs: minWatchTimeout, random: () => r });
      await t.start();
      expect(t.fake.watchCalls[0]?.timeoutSeconds).toBe(expected);
      await t.stop();
    });

    it('relists at the last synced RV after a watch ends with a 410 ERROR event', async () => {
      const t = setup();
      t.fake.add(pod('a'));
      await t.start();
      t.fake.add(pod('b'));
      t.fake.sendError(expiredError('too old resource version').status);
      await t.clock.stepAsync(1600);
      expect(t.fake.listCalls.map((c) => c.resourceVersion)).toEqual(['0', '2']);
      expect(t.fake.listCalls[1]?.limit).toBe(0);
      expect(names(t.store)).toEqual(['a', 'b']);
      await t.stop();
    });

    it('retries a list that fails with 410 at once with RV ""', async () => {
      const source = new ManualSource();
      source.listResults = [
        { metadata: { resourceVersion: '10' }, items: [pod('a')] },
        expiredError('too old'),
        { metadata: { resourceVersion: '12' }, items: [pod('b')] },
      ];
      const t = setup({ source });
      await t.start();
      source.last.complete();
      await t.clock.stepAsync(1600);
      expect(source.lists.map((c) => c.resourceVersion)).toEqual(['0', '10', '']);
      expect(t.reflector.lastSyncResourceVersion()).toBe('12');
      await t.stop();
    });

    it.each([
      [
        'a ResourceVersionTooLarge cause',
        new StatusError(
          failureStatus(504, 'Timeout', 'Too large resource version', {
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          }),
        ),
      ],
      ['an old server Timeout message', timeoutError('Too large resource version: 20, current: 10', 1)],
      [
        'a cause on another code',
        new StatusError(failureStatus(500, 'InternalError', 'x', { causes: [{ reason: 'ResourceVersionTooLarge' }] })),
      ],
    ])('relists with RV "" at once after %s', async (_name, err) => {
      const source = new ManualSource();
      source.listResults = [{ metadata: { resourceVersion: '20' }, items: [] }, err];
      const t = setup({ source });
      await t.start();
      source.last.complete();
      await t.clock.stepAsync(1600);
      expect(source.lists.map((c) => c.resourceVersion)).toEqual(['0', '20', '']);
      await t.stop();
    });

    it('does not paginate a relist at a specific RV, and uses pageSize when given', async () => {
      const t = setup();
      t.fake.add(pod('seed'));
      await t.start();
      t.fake.closeWatches();
      await t.clock.stepAsync(1600);
      expect(t.fake.listCalls.map((c) => c.limit)).toEqual([500, 0]);
      const u = setup({ pageSize: 4 });
      await u.start();
      u.fake.closeWatches();
      await u.clock.stepAsync(1600);
      expect(u.fake.listCalls.map((c) => c.limit)).toEqual([4, 4]);
      await t.stop();
      await u.stop();
    });

    it('keeps paging later relists when the RV "0" list came back paginated', async () => {
      const t = setup();
      for (let i = 0; i < 501; i++) t.fake.add(pod(`p${i}`));
      await t.start();
      expect(t.store.list()).toHaveLength(501);
      t.fake.closeWatches();
      await t.clock.stepAsync(1600);
      expect(t.fake.listCalls.map((c) => [c.resourceVersion, c.limit])).toEqual([
        ['0', 500],
        [undefined, 500],
        ['501', 500],
        [undefined, 500],
      ]);
      await t.stop();
    });

    it('rejects listAndWatch with the list error and backs off before the next attempt', async () => {
      const source = new ManualSource();
      source.listResults = [internalError('boom')];
      const seen: Error[] = [];
      const t = setup({ source, watchErrorHandler: (_r, err) => seen.push(err) });
      await expect(t.reflector.listAndWatch(new AbortController().signal)).rejects.toThrow('boom');
      source.listResults = [internalError('again')];
      await t.start();
      expect(seen.map((e) => e.message)).toEqual(['Internal error occurred: again']);
      await t.clock.stepAsync(799);
      expect(source.lists).toHaveLength(2);
      await t.clock.stepAsync(1);
      expect(source.lists).toHaveLength(3);
      await t.stop();
    });
  });

  describe('watching', () => {
    it('applies watch events, drops wrong kinds and tracks the RV (TestReflectorWatchHandler)', async () => {
      const t = setup({ expectedKind: 'Pod' });
      const foo = t.fake.add(pod('foo'));
      const bar = t.fake.add(pod('bar'));
      await t.start();
      t.fake.add({ kind: 'Service', metadata: { namespace: 'ns', name: 'rejected' } });
      t.fake.delete(foo);
      t.fake.modify({ ...bar, data: 'changed' });
      const baz = t.fake.add(pod('baz'));
      expect(names(t.store)).toEqual(['bar', 'baz']);
      expect(t.store.getByKey('ns/bar')?.data).toBe('changed');
      expect(t.reflector.lastSyncResourceVersion()).toBe(baz.metadata?.resourceVersion);
      expect(t.errors).toEqual([expect.any(UnexpectedObjectError)]);
      await t.stop();
    });

    it('holds back the RV of ADDED events on a watch from RV "0" until another event arrives', async () => {
      const t = setup();
      await t.start();
      expect(t.fake.watchCalls[0]?.resourceVersion).toBe('0');
      const a = t.fake.add(pod('a'));
      t.fake.add(pod('b'));
      expect(t.reflector.lastSyncResourceVersion()).toBe('0');
      t.fake.modify(a);
      expect(t.reflector.lastSyncResourceVersion()).toBe('3');
      t.fake.add(pod('c'));
      expect(t.reflector.lastSyncResourceVersion()).toBe('4');
      await t.stop();
    });

    it('drops listed objects of the wrong kind with an error', async () => {
      const t = setup({ expectedKind: 'Pod' });
      t.fake.add(pod('a'));
      t.fake.add({ kind: 'Service', metadata: { namespace: 'ns', name: 'svc' } });
      t.fake.add({ metadata: { namespace: 'ns', name: 'kindless' } });
      await t.start();
      expect(names(t.store)).toEqual(['a', 'kindless']);
      expect(t.errors).toEqual([expect.any(UnexpectedObjectError)]);
      await t.stop();
    });

    it('#6 drops listed and watched objects outside the expected namespace or of another kind', async () => {
      const t = setup({ expectedKind: 'Pod', expectedNamespace: 'ns' });
      t.fake.add(pod('a'));
      t.fake.add({ kind: 'Secret', metadata: { namespace: 'kube-system', name: 'token' } });
      t.fake.add({ kind: 'Pod', metadata: { namespace: 'other', name: 'listed' } });
      await t.start();
      t.fake.add({ kind: 'Pod', metadata: { namespace: 'other', name: 'watched' } });
      t.fake.add({ metadata: { namespace: 'kube-system', name: 'kindless' } });
      t.fake.add(pod('b'));
      t.fake.sendBookmark();
      expect(names(t.store)).toEqual(['a', 'b']);
      expect(t.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('kind Secret'),
        expect.stringContaining('namespace other'),
        expect.stringContaining('namespace other'),
        expect.stringContaining('namespace kube-system'),
      ]);
      expect(t.errors.every((e) => e instanceof UnexpectedObjectError)).toBe(true);
      await t.stop();
    });

    it('passes versions to the store in event order, bookmarks included', async () => {
      const source = new ManualSource();
      const bookmarks: string[] = [];
      const t = setup({ source });
      t.store.bookmark = (rv) => bookmarks.push(rv);
      await t.start();
      source.last.next({ type: 'ADDED', object: { ...pod('a'), metadata: { name: 'a', resourceVersion: '10' } } });
      expect(t.reflector.lastSyncResourceVersion()).toBe('10');
      source.last.next({ type: 'MODIFIED', object: { ...pod('a'), metadata: { name: 'a', resourceVersion: '20' } } });
      source.last.next({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '30' } } });
      expect(t.reflector.lastSyncResourceVersion()).toBe('30');
      source.last.next({ type: 'DELETED', object: { ...pod('a'), metadata: { name: 'a', resourceVersion: '40' } } });
      expect(t.reflector.lastSyncResourceVersion()).toBe('40');
      expect(bookmarks).toEqual(['30']);
      await t.stop();
    });

    it('#2 keeps the last good resourceVersion when an event has none', async () => {
      const source = new ManualSource();
      const t = setup({ source });
      await t.start();
      source.last.next({ type: 'ADDED', object: { ...pod('a'), metadata: { name: 'a', resourceVersion: '10' } } });
      source.last.next({ type: 'MODIFIED', object: { ...pod('a'), metadata: { name: 'a' } } });
      source.last.next({ type: 'BOOKMARK', object: { metadata: {} } });
      source.last.next({ type: 'ADDED', object: { ...pod('b'), metadata: { name: 'b', resourceVersion: '' } } });
      expect(t.reflector.lastSyncResourceVersion()).toBe('10');
      expect(t.errors.map((e) => e.name)).toEqual([
        'MissingResourceVersionError',
        'MissingResourceVersionError',
        'MissingResourceVersionError',
      ]);
      source.last.complete();
      await flushMicrotasks();
      expect(source.watches.at(-1)?.resourceVersion).toBe('10');
      await t.stop();
    });

    it('#2 keeps the last good resourceVersion when the store refuses an event without one', async () => {
      const source = new ManualSource();
      const t = setup({ source });
      t.store.add = () => {
        throw new Error('refused');
      };
      await t.start();
      source.last.next({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } });
      source.last.next({ type: 'ADDED', object: { kind: 'Pod', metadata: {} } });
      expect(t.reflector.lastSyncResourceVersion()).toBe('7');
      await t.stop();
    });

    it('stops the watch on an ERROR event (unsubscribes once)', async () => {
      const source = new ManualSource();
      const t = setup({ source });
      await t.start();
      source.last.next({ type: 'ERROR', object: internalError('x').status });
      expect(source.unsubscribed).toBe(1);
      await t.stop();
      expect(source.unsubscribed).toBe(1);
    });

    it('resumes a watch dropped mid-stream from the last RV without relisting', async () => {
      const t = setup();
      t.fake.add(pod('seed'));
      await t.start();
      t.fake.add(pod('a'));
      t.fake.closeWatches();
      t.fake.add(pod('b'));
      await flushMicrotasks();
      expect(t.fake.listCalls).toHaveLength(1);
      expect(t.fake.watchCalls.map((c) => c.resourceVersion)).toEqual(['1', '2']);
      expect(names(t.store)).toEqual(['a', 'b', 'seed']);
      await t.stop();
    });

    it('treats a watch closed within 1 s with no events as an error, then backs off and relists', async () => {
      const source = new ManualSource();
      source.onWatch = (sub) => sub.complete();
      const t = setup({ source });
      await t.start();
      expect(t.errors[0]).toBeInstanceOf(VeryShortWatchError);
      expect(source.lists).toHaveLength(1);
      await t.clock.stepAsync(800);
      expect(source.lists).toHaveLength(2);
      await t.stop();
    });

    it('never storms on clean immediate closes: attempts are spaced by the backoff', async () => {
      const source = new ManualSource();
      source.onWatch = (sub) => sub.complete();
      const t = setup({ source });
      await t.start();
      for (let i = 0; i < 60; i++) await t.clock.stepAsync(1000);
      // Every list succeeds, so only the retry budget spaces the attempts: client-go's average schedule
      // (1.2 + 2.4 + 4.8 + 9.6 + 19.2 = 37.2 s, 6 attempts in a minute) plus at most one. Not thousands.
      expect(source.watches).toHaveLength(7);
      await t.stop();
    });

    it('backs off on 429 at watch start and re-watches without relisting (TestNoRelistOnTooManyRequests)', async () => {
      const t = setup();
      for (let i = 0; i < 4; i++) t.fake.failNextWatch(tooManyRequestsError('slow down', 0));
      await t.start();
      for (let i = 0; i < 10; i++) await t.clock.stepAsync(30_000);
      expect(t.fake.listCalls).toHaveLength(1);
      expect(t.fake.watchCalls).toHaveLength(5);
      expect(t.fake.openWatches()).toBe(1);
      await t.stop();
    });

    it('backs off on connection refused at watch start without relisting', async () => {
      const t = setup();
      t.fake.failNextWatch(connectionRefused);
      t.fake.failNextWatch(connectionRefused);
      await t.start();
      await t.clock.stepAsync(799);
      expect(t.fake.watchCalls).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(t.fake.watchCalls).toHaveLength(2);
      await t.clock.stepAsync(1600);
      expect(t.fake.watchCalls).toHaveLength(3);
      expect(t.fake.listCalls).toHaveLength(1);
      await t.stop();
    });

    it('honours Retry-After when it is longer than the backoff', async () => {
      const t = setup();
      t.fake.failNextWatch(tooManyRequestsError('slow down', 10));
      await t.start();
      await t.clock.stepAsync(9_999);
      expect(t.fake.watchCalls).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(t.fake.watchCalls).toHaveLength(2);
      await t.stop();
    });

    it.each([
      ['100000 s', 100_000],
      ['2200000 s (over the 2^31-1 ms timer limit)', 2_200_000],
    ])('caps a Retry-After of %s at 60 s by default', async (_label, seconds) => {
      const t = setup();
      t.fake.failNextWatch(tooManyRequestsError('slow down', seconds));
      await t.start();
      await t.clock.stepAsync(59_999);
      expect(t.fake.watchCalls).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(t.fake.watchCalls).toHaveLength(2);
      expect(t.fake.listCalls).toHaveLength(1);
      await t.stop();
    });

    it('caps Retry-After at maxRetryAfterMs', async () => {
      const t = setup({ maxRetryAfterMs: 5_000 });
      t.fake.failNextWatch(tooManyRequestsError('slow down', 100_000));
      await t.start();
      await t.clock.stepAsync(4_999);
      expect(t.fake.watchCalls).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(t.fake.watchCalls).toHaveLength(2);
      await t.stop();
    });

    it('backs off and re-watches after a 429 ERROR event on an open watch', async () => {
      const t = setup();
      t.fake.add(pod('seed'));
      await t.start();
      t.fake.add(pod('a'));
      t.fake.sendError(tooManyRequestsError('slow down', 0).status);
      await t.clock.stepAsync(799);
      expect(t.fake.watchCalls).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(t.fake.watchCalls.map((c) => c.resourceVersion)).toEqual(['1', '2']);
      expect(t.fake.listCalls).toHaveLength(1);
      await t.stop();
    });

    it('rejects listAndWatch on a watch start error that is not retriable', async () => {
      const t = setup();
      t.fake.failNextWatch(new StatusError(failureStatus(403, 'Forbidden', 'nope')));
      await expect(t.reflector.listAndWatch(new AbortController().signal)).rejects.toThrow('nope');
    });

    it.each([
      [0, false, 1],
      [30_000, false, 32],
      [30_000, true, 41],
    ])(
      're-watches after InternalError events within a %p ms window (jump %p): %p watches before relisting',
      async (max, jump, expected) => {
        const clockRef: { clock?: FakeClock } = {};
        const source = new ManualSource();
        source.onWatch = (sub, call) => {
          if (source.lists.length > 1) return;
          clockRef.clock?.step(jump && call === 10 ? 60_000 : 1000);
          sub.next({ type: 'ERROR', object: internalError('etcd hiccup').status });
        };
        const t = setup({ source, maxInternalErrorRetryDurationMs: max });
        clockRef.clock = t.clock;
        await t.start();
        expect(source.lists).toHaveLength(1);
        expect(source.watches).toHaveLength(expected);
        await t.stop();
      },
    );

    it('drops a silent watch after the inactivity timeout and re-watches from the last RV', async () => {
      const t = setup({ inactivityTimeoutMs: 60_000 });
      t.fake.add(pod('seed'));
      await t.start();
      await t.clock.stepAsync(30_000);
      t.fake.add(pod('a'));
      await t.clock.stepAsync(59_999);
      expect(t.fake.watchCalls).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(t.fake.watchCalls.map((c) => c.resourceVersion)).toEqual(['1', '2']);
      expect(t.fake.openWatches()).toBe(1);
      expect(t.fake.listCalls).toHaveLength(1);
      await t.stop();
    });

    it('reads the clock once at the start and once at the end of a run of events, not per event', async () => {
      const source = new ManualSource();
      const t = setup({ source, inactivityTimeoutMs: 60_000 });
      await t.start();
      const now = jest.spyOn(t.clock, 'now');
      addPods(source.last, 100);
      // Time passes inside the run (a slow handler): the end of the run is the last activity.
      t.clock.step(10_000);
      await flushMicrotasks();
      expect(now.mock.calls.length).toBeLessThanOrEqual(3);
      expect(t.store.size).toBe(100);
      await t.clock.stepAsync(59_999);
      expect(source.watches).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(source.watches).toHaveLength(2);
      now.mockRestore();
      await t.stop();
    });

    it('tells onWatchProgress at the start and the end of a run of events, with the clock time, not per event', async () => {
      const source = new ManualSource();
      const progress: number[] = [];
      const t = setup({ source, onWatchProgress: (at) => progress.push(at) });
      await t.start();
      t.clock.step(5);
      addPods(source.last, 100);
      t.clock.step(7);
      await flushMicrotasks();
      expect(progress).toEqual([5, 12]);
      expect(t.store.size).toBe(100);
      // A run of nothing but an ERROR event is no progress.
      t.clock.step(1);
      source.last.next({ type: 'ERROR', object: internalError('boom').status });
      await flushMicrotasks();
      expect(progress).toEqual([5, 12]);
      await t.stop();
    });

    it('reports a throwing onStatus to onError and goes on listing and watching', async () => {
      const t = setup({
        onStatus: () => {
          throw new Error('status hook failed');
        },
      });
      t.fake.add(pod('a'));
      await t.start();
      expect(t.store.size).toBe(1);
      expect(t.fake.openWatches()).toBe(1);
      expect(t.errors.map((e) => e.message)).toContain('status hook failed');
      await t.stop();
    });

    it('tells onWatchStreamError what the stream failed with; a throwing hook goes to onError', async () => {
      const source = new ManualSource();
      const seen: Error[] = [];
      const t = setup({
        source,
        onWatchStreamError: (err) => {
          seen.push(err);
          throw new Error('hook failed');
        },
        onWatchProgress: () => {
          throw new Error('progress hook failed');
        },
      });
      await t.start();
      const object: Obj = { kind: 'Pod', metadata: { namespace: 'ns', name: 'a', resourceVersion: '2' } };
      source.last.next({ type: 'ADDED', object });
      expect(t.store.size).toBe(1);
      const cut = new Error('connection reset');
      source.last.error(cut);
      await flushMicrotasks();
      expect(seen).toEqual([cut]);
      expect(t.errors.map((e) => e.message)).toEqual(expect.arrayContaining(['progress hook failed', 'hook failed']));
      await t.stop();
    });

    it('sees a delete-and-recreate during a gap as delete then add with the new uid', async () => {
      const t = setup();
      t.fake.add(pod('seed'));
      const old = t.fake.add(pod('a', { uid: 'u1' }));
      await t.start();
      t.fake.add(pod('x'));
      const ops: string[] = [];
      const store = t.store;
      store.add = (o) => {
        ops.push(`add ${o.metadata?.uid}`);
        IndexedStore.prototype.add.call(store, o);
      };
      store.delete = (o) => {
        ops.push(`delete ${o.metadata?.uid}`);
        IndexedStore.prototype.delete.call(store, o);
      };
      t.fake.closeWatches();
      t.fake.delete(old);
      t.fake.add(pod('a', { uid: 'u2' }));
      await flushMicrotasks();
      expect(ops).toEqual(['delete u1', 'add u2']);
      expect(store.getByKey('ns/a')?.metadata?.uid).toBe('u2');
      expect(t.fake.listCalls).toHaveLength(1);
      await t.stop();
    });
  });

  describe('retry schedule', () => {
    it('#15 resets the backoff once a watch delivered an event: a 410 after it waits only the first step', async () => {
      const t = setup();
      t.fake.failNextList(internalError('etcd down'));
      t.fake.failNextList(internalError('etcd down'));
      await t.start();
      await t.clock.stepAsync(800 + 1600);
      expect(t.fake.listCalls).toHaveLength(3);
      await t.clock.stepAsync(60_000);
      t.fake.add(pod('a'));
      t.fake.sendError(expiredError('too old resource version').status);
      await t.clock.stepAsync(799);
      expect(t.fake.listCalls).toHaveLength(3);
      await t.clock.stepAsync(1);
      expect(t.fake.listCalls).toHaveLength(4);
      expect(t.fake.openWatches()).toBe(1);
      await t.stop();
    });

    it('#15 waits only the first backoff step for a server error after progress, however many failed before', async () => {
      const t = setup();
      for (let i = 0; i < 4; i++) t.fake.failNextList(internalError('etcd down'));
      await t.start();
      for (const wait of [800, 1600, 3200, 6400]) await t.clock.stepAsync(wait);
      expect(t.fake.listCalls).toHaveLength(5);
      await t.clock.stepAsync(60_000);
      t.fake.add(pod('a'));
      t.fake.sendError(internalError('watch broke').status);
      await t.clock.stepAsync(799);
      expect(t.fake.listCalls).toHaveLength(5);
      await t.clock.stepAsync(1);
      expect(t.fake.listCalls).toHaveLength(6);
      await t.stop();
    });

    it('#15 backs off only on consecutive failures: 0.8, 1.6, 3.2 s between failed lists', async () => {
      const t = setup();
      for (let i = 0; i < 3; i++) t.fake.failNextList(internalError('etcd down'));
      await t.start();
      for (const wait of [800, 1600, 3200]) {
        const before = t.fake.listCalls.length;
        await t.clock.stepAsync(wait - 1);
        expect(t.fake.listCalls).toHaveLength(before);
        await t.clock.stepAsync(1);
        expect(t.fake.listCalls).toHaveLength(before + 1);
      }
      expect(t.fake.listCalls).toHaveLength(4);
      await t.stop();
    });

    it('#15 keeps retries during a storm within client-go’s schedule, even when every cycle progresses', async () => {
      const source = new ManualSource();
      let rv = 1;
      source.onWatch = (sub) => {
        rv++;
        sub.next({
          type: 'ADDED',
          object: { ...pod(`p${rv}`), metadata: { name: `p${rv}`, resourceVersion: `${rv}` } },
        });
        sub.next({ type: 'ERROR', object: expiredError('too old').status });
      };
      const t = setup({ source });
      await t.start();
      for (let i = 0; i < 120; i++) await t.clock.stepAsync(500);
      // client-go at its average relists at 1.2, 3.6, 8.4, 18 and 37.2 s: 6 lists in the minute. Ours, at
      // most one ahead of it: 7 lists, never more.
      expect(source.lists).toHaveLength(7);
      await t.stop();
    });

    it('#14 does not fall back to 0.8 s every 2 minutes during a continuous outage', async () => {
      const source = new ManualSource();
      const times: number[] = [];
      const t = setup({ source, backoff: undefined });
      source.list = async () => {
        times.push(t.clock.now());
        throw internalError('apiserver down');
      };
      await t.start();
      for (let i = 0; i < 600; i++) await t.clock.stepAsync(1000);
      const gaps = times.slice(1).map((at, i) => at - (times[i] as number));
      expect(gaps[0]).toBeGreaterThanOrEqual(800);
      expect(gaps[0]).toBeLessThan(1600 + 1000);
      expect(gaps.length).toBeGreaterThan(10);
      // The retry budget holds the outage to client-go's pace: 30 s apart once its steps reach the cap.
      expect(Math.min(...gaps.slice(7))).toBeGreaterThanOrEqual(29_999);
      await t.stop();
    });
  });

  describe('stores that fail', () => {
    it('keeps watching when the store throws on an event, reporting a ReflectorStoreError', async () => {
      const t = setup();
      t.store.add = (o) => {
        if (o.metadata?.name === 'bad') throw new Error('cannot store');
        IndexedStore.prototype.add.call(t.store, o);
      };
      await t.start();
      t.fake.add(pod('bad'));
      t.fake.add(pod('ok'));
      expect(names(t.store)).toEqual(['ok']);
      expect(t.errors).toEqual([expect.any(ReflectorStoreError)]);
      expect(t.fake.openWatches()).toBe(1);
      await t.stop();
    });

    it('keeps going when the error hooks themselves throw', async () => {
      const t = setup({
        expectedKind: 'Pod',
        onError: () => {
          throw new Error('hook bug');
        },
        watchErrorHandler: () => {
          throw new Error('handler bug');
        },
      });
      t.fake.failNextList(internalError('list failed'));
      await t.start();
      await t.clock.stepAsync(800);
      t.fake.add({ kind: 'Service', metadata: { namespace: 'ns', name: 'svc' } });
      t.fake.add(pod('ok'));
      expect(names(t.store)).toEqual(['ok']);
      await t.stop();
    });

    it('#3 reports the objects a relist left out and goes on watching from the list RV', async () => {
      const fifo = new DeltaFIFO<Obj>({
        transformer: (o) => {
          if (o.metadata?.name === 'bad') throw new Error('cannot transform');
          return o;
        },
      });
      const t = setup({ store: fifo as never });
      t.fake.add(pod('a'));
      t.fake.add(pod('bad'));
      await t.start();
      expect(fifo.listKeys()).toEqual(['ns/a']);
      expect(t.errors.map((e) => e.message)).toEqual([expect.stringContaining('ns/bad: TransformError')]);
      expect(t.fake.listCalls).toHaveLength(1);
      expect(t.fake.watchCalls.map((c) => c.resourceVersion)).toEqual(['2']);
      await t.stop();
    });

    it('retries after a replace that throws, and never stops', async () => {
      const t = setup();
      t.fake.add(pod('a'));
      let failures = 2;
      const replace = t.store.replace.bind(t.store);
      t.store.replace = (list, rv) => {
        if (failures-- > 0) throw new Error('disk full');
        replace(list, rv);
      };
      await t.start();
      expect(t.fake.watchCalls).toHaveLength(0);
      await t.clock.stepAsync(800);
      await t.clock.stepAsync(1600);
      expect(names(t.store)).toEqual(['a']);
      expect(t.fake.openWatches()).toBe(1);
      expect(t.errors.filter((e) => e instanceof ReflectorStoreError)).toHaveLength(2);
      await t.stop();
    });
  });

  describe('resync', () => {
    it('calls store.resync every period when shouldResync allows', async () => {
      let allow = true;
      let resyncs = 0;
      const t = setup({ resyncPeriodMs: 1000, shouldResync: () => allow });
      t.store.resync = () => {
        resyncs++;
      };
      await t.start();
      await t.clock.stepAsync(3000);
      expect(resyncs).toBe(3);
      allow = false;
      await t.clock.stepAsync(3000);
      expect(resyncs).toBe(3);
      await t.stop();
      await t.clock.stepAsync(3000);
      expect(resyncs).toBe(3);
    });

    it('ends the watch and relists when a resync throws (TestReflectorResync)', async () => {
      let calls = 0;
      const t = setup({ resyncPeriodMs: 1000 });
      t.store.resync = () => {
        if (++calls === 2) throw new Error('resync failed');
      };
      await t.start();
      await t.clock.stepAsync(2000);
      expect(calls).toBe(2);
      expect(t.errors).toEqual([expect.any(ReflectorStoreError)]);
      // The list had succeeded: the relist waits only the first step.
      expect(t.fake.listCalls).toHaveLength(1);
      await t.clock.stepAsync(800);
      expect(t.fake.listCalls).toHaveLength(2);
      expect(t.fake.openWatches()).toBe(1);
      await t.stop();
    });
  });

  describe('run and stop', () => {
    it('calls neither list nor watch when the signal is already aborted', async () => {
      const t = setup();
      t.controller.abort();
      await t.reflector.run(t.controller.signal);
      expect(t.fake.listCalls).toHaveLength(0);
      expect(t.fake.watchCalls).toHaveLength(0);
    });

    it('takes a stop during the initial list into effect: nothing stored, no watch', async () => {
      const source = new ManualSource();
      let resolve!: (r: ListResult<Obj>) => void;
      source.listResults = [new Promise((r) => (resolve = r))];
      const t = setup({ source });
      await t.start();
      const stopped = t.stop();
      resolve({ metadata: { resourceVersion: '5' }, items: [pod('late')] });
      await stopped;
      await flushMicrotasks();
      expect(t.store.list()).toEqual([]);
      expect(source.watches).toHaveLength(0);
    });

    it('abandons a list that never answers (a half-open connection) after listTimeout and lists again', async () => {
      const source = new ManualSource();
      source.listResults = [new Promise<ListResult<Obj>>(() => {})];
      const t = setup({ source, listTimeoutMs: 5000 });
      await t.start();
      await t.clock.stepAsync(4999);
      expect(source.lists).toHaveLength(1);
      await t.clock.stepAsync(1);
      expect(t.errors.map((e) => e.name)).toEqual(['ListTimeoutError']);
      await t.clock.stepAsync(800);
      expect(source.lists).toHaveLength(2);
      expect(source.watches).toHaveLength(1);
      await t.stop();
    });

    it('resolves run at the abort even when the list ignores the signal and never answers', async () => {
      const source = new ManualSource();
      source.listResults = [new Promise<ListResult<Obj>>(() => {})];
      const t = setup({ source });
      await t.start();
      let resolved = false;
      const stopped = t.stop().then(() => {
        resolved = true;
      });
      await flushMicrotasks();
      expect(resolved).toBe(true);
      await stopped;
      expect(source.watches).toHaveLength(0);
      const again = new AbortController();
      source.listResults = [new Promise<ListResult<Obj>>(() => {})];
      const listing = t.reflector.listAndWatch(again.signal);
      again.abort();
      await expect(listing).resolves.toBeUndefined();
      expect(t.clock.pendingTimers()).toBe(0);
    });

    it('stops the watch when aborted while watching, and run resolves', async () => {
      const source = new ManualSource();
      const t = setup({ source });
      await t.start();
      expect(source.watches).toHaveLength(1);
      await t.stop();
      expect(source.unsubscribed).toBe(1);
      expect(t.clock.pendingTimers()).toBe(0);
    });

    it('survives a watch whose teardown throws: reports it, stops and resolves run', async () => {
      const source = new ManualSource();
      const broken: ListerWatcher<Obj> = {
        list: (o) => source.list(o),
        watch: (o) =>
          new Observable<WatchEvent<Obj>>((sub) => {
            const inner = source.watch(o).subscribe(sub);
            return () => {
              inner.unsubscribe();
              throw new Error('teardown failed');
            };
          }),
      };
      const t = setup({ source: broken });
      await t.start();
      source.subscribers[0]?.next({ type: 'ERROR', object: expiredError('gone').status });
      await t.clock.stepAsync(800);
      expect(source.watches).toHaveLength(2);
      await t.stop();
      expect(t.errors.filter((e) => /teardown failed/.test(e.message))).toHaveLength(2);
    });

    it('opens one watch when run is called twice', async () => {
      const t = setup();
      await t.start();
      const again = t.reflector.run(t.controller.signal);
      await flushMicrotasks();
      expect(t.fake.listCalls).toHaveLength(1);
      expect(t.fake.openWatches()).toBe(1);
      await t.stop();
      await again;
    });

    it('turns a delete missed during a disconnect into a tombstone after the relist', async () => {
      const clock = new FakeClock(0);
      const fake = new FakeControllerSource<Obj>();
      const known = new IndexedStore<Obj>({ freeze: false });
      const fifo = new DeltaFIFO<Obj>({ knownObjects: known });
      const reflector = new Reflector<Obj>({ listerWatcher: fake, store: fifo, clock, onError: () => {} });
      const a = fake.add(pod('a'));
      fake.add(pod('b'));
      const controller = new AbortController();
      const done = reflector.run(controller.signal);
      await flushMicrotasks();
      while (fifo.length > 0) await fifo.pop((deltas) => known.add(deltas[deltas.length - 1]?.object as Obj));
      fake.deleteDropWatch(a);
      fake.resetWatch();
      await clock.stepAsync(2000);
      const deleted = fifo.getByKey('ns/a');
      expect(deleted?.map((d) => d.type)).toEqual(['Deleted']);
      expect(deleted?.[0]?.object).toBeInstanceOf(DeletedFinalStateUnknown);
      controller.abort();
      await done;
    });
  });
});

export type { Status };

describe('Reflector on the real clock', () => {
  it('resyncs after a resync period over 24.8 days, never at once', async () => {
    const timers = recordNodeTimers();
    const fake = new FakeControllerSource<Obj>();
    let resyncs = 0;
    const store = Object.assign(new IndexedStore<Obj>({ freeze: false }), {
      resync: () => {
        resyncs++;
      },
    });
    const controller = new AbortController();
    try {
      const reflector = new Reflector<Obj>({ listerWatcher: fake, store, resyncPeriodMs: 30 * 86_400_000 });
      const done = reflector.run(controller.signal);
      await flushMicrotasksWithoutTimers();
      const resyncTimer = timers.pending().find((t) => t.delayMs === MAX_TIMER_DELAY_MS);
      expect(timers.timers.every((t) => t.delayMs <= MAX_TIMER_DELAY_MS)).toBe(true);
      expect(resyncTimer).toBeDefined();
      resyncTimer?.fn();
      expect(resyncs).toBe(0);
      controller.abort();
      await done;
    } finally {
      timers.restore();
    }
  });
});

/** Lets promise continuations run (the Node timers are being recorded, so no setImmediate-free helper sleeps). */
async function flushMicrotasksWithoutTimers(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}
