import { describe, expect, it } from '@jest/globals';
import type { KubeObject, ListOptions } from '@kubecache/apimachinery';
import {
  expiredError,
  INITIAL_EVENTS_END_ANNOTATION,
  tooManyRequestsError,
  type WatchEvent,
} from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { Observable, type Subscriber } from 'rxjs';
import { ExponentialBackoff } from './backoff.js';
import type { ListerWatcher, ListResult } from './list-watch.js';
import { Reflector, type ReflectorOptions } from './reflector.js';
import { FakeControllerSource } from './testing/fake-source.js';
import { IndexedStore } from './thread-safe-store.js';

function pod(name: string, rv = '', data = ''): KubeObject & { data?: string } {
  return { kind: 'Pod', metadata: { namespace: 'ns', name, resourceVersion: rv }, data };
}

function endBookmark(rv: string, value = 'true'): WatchEvent<KubeObject> {
  return {
    type: 'BOOKMARK',
    object: { metadata: { resourceVersion: rv, annotations: { [INITIAL_EVENTS_END_ANNOTATION]: value } } },
  };
}

const WATCH_LIST = {
  resourceVersion: '',
  resourceVersionMatch: 'NotOlderThan',
  sendInitialEvents: true,
  allowWatchBookmarks: true,
  timeoutSeconds: 300,
};

/** Each watch call runs the next script step with the subscriber; lists return one empty page at RV "1". */
class ScriptedSource implements ListerWatcher<KubeObject> {
  readonly lists: ListOptions[] = [];
  readonly watches: ListOptions[] = [];
  readonly steps: ((sub: Subscriber<WatchEvent<KubeObject>>) => void)[] = [];
  listItems: KubeObject[] = [];

  async list(options: ListOptions): Promise<ListResult<KubeObject>> {
    this.lists.push(options);
    return { metadata: { resourceVersion: '1' }, items: this.listItems };
  }

  watch(options: ListOptions): Observable<WatchEvent<KubeObject>> {
    return new Observable((sub) => {
      this.watches.push(options);
      this.steps.shift()?.(sub);
    });
  }
}

function setup(source: ListerWatcher<KubeObject>, options: Partial<ReflectorOptions<KubeObject>> = {}) {
  const clock = new FakeClock(0);
  const store = new IndexedStore<KubeObject & { data?: string }>({ freeze: false });
  const errors: Error[] = [];
  const reflector = new Reflector<KubeObject>({
    listerWatcher: source,
    store,
    clock,
    useWatchList: true,
    backoff: new ExponentialBackoff({ clock, jitter: 0 }),
    random: () => 0,
    onError: (err) => errors.push(err),
    ...options,
  });
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  const stop = async (): Promise<void> => {
    controller.abort();
    await done;
  };
  const keys = (): string[] => store.listKeys().sort();
  return { clock, store, errors, reflector, stop, keys };
}

describe('Reflector with watch-list', () => {
  it('streams the initial state in one watch request and keeps the same stream (TestReflectorListAndWatch)', async () => {
    const fake = new FakeControllerSource<KubeObject>();
    fake.add(pod('foo'));
    const t = setup(fake);
    await flushMicrotasks();
    expect(fake.listCalls).toEqual([]);
    expect(fake.watchCalls).toEqual([WATCH_LIST]);
    expect(t.reflector.lastSyncResourceVersion()).toBe('1');
    fake.modify(pod('foo', '', 'x'));
    fake.add(pod('bar'));
    expect(t.keys()).toEqual(['ns/bar', 'ns/foo']);
    expect(t.reflector.lastSyncResourceVersion()).toBe('3');
    expect(fake.watchCalls).toHaveLength(1);
    await t.stop();
  });

  it('falls back to list and watch when the server rejects sendInitialEvents', async () => {
    const fake = new FakeControllerSource<KubeObject>({ rejectWatchList: true });
    fake.add(pod('p1'));
    const t = setup(fake);
    await flushMicrotasks();
    fake.add(pod('p2'));
    expect(fake.listCalls).toEqual([{ resourceVersion: '0', limit: 500 }]);
    expect(fake.watchCalls.map((c) => c.resourceVersion)).toEqual(['', '1']);
    expect(t.keys()).toEqual(['ns/p1', 'ns/p2']);
    await t.stop();
  });

  it('honours ADDED, MODIFIED and DELETED while streaming and only then replaces the store', async () => {
    const source = new ScriptedSource();
    source.steps.push((sub) => {
      sub.next({ type: 'ADDED', object: pod('p1', '1') });
      sub.next({ type: 'ADDED', object: pod('p2', '2') });
      sub.next({ type: 'MODIFIED', object: pod('p1', '3', 'modified') });
      sub.next({ type: 'ADDED', object: pod('p3', '4') });
      sub.next({ type: 'DELETED', object: pod('p3', '5') });
      sub.next(endBookmark('5'));
    });
    const t = setup(source);
    await flushMicrotasks();
    expect(t.keys()).toEqual(['ns/p1', 'ns/p2']);
    expect(t.store.getByKey('ns/p1')?.data).toBe('modified');
    expect(t.store.lastStoreSyncResourceVersion()).toBe('5');
    await t.stop();
  });

  it.each([
    ['only ADDED events', '', [{ type: 'ADDED', object: pod('p1', '1') }]],
    [
      'an initial-events-end bookmark of "false"',
      '',
      [{ type: 'ADDED', object: pod('p1', '1') }, endBookmark('2', 'false')],
    ],
    ['ADDED then the end bookmark', '2', [{ type: 'ADDED', object: pod('p1', '1') }, endBookmark('2')]],
  ] as [string, string, WatchEvent<KubeObject>[]][])('after %s the RV is %p', async (_name, rv, events) => {
    const source = new ScriptedSource();
    source.steps.push((sub) => {
      for (const e of events) sub.next(e);
    });
    const t = setup(source);
    await flushMicrotasks();
    expect(t.reflector.lastSyncResourceVersion()).toBe(rv);
    expect(t.store.list()).toHaveLength(rv === '' ? 0 : 1);
    await t.stop();
  });

  it('backs off on 429 and sends the same request again', async () => {
    const source = new ScriptedSource();
    const tooMany = (sub: Subscriber<WatchEvent<KubeObject>>) => sub.error(tooManyRequestsError('busy', 0));
    source.steps.push(tooMany, tooMany, (sub) => {
      sub.next({ type: 'ADDED', object: pod('p1', '1') });
      sub.next(endBookmark('1'));
    });
    const t = setup(source);
    await flushMicrotasks();
    await t.clock.stepAsync(800);
    await t.clock.stepAsync(1600);
    expect(source.watches).toEqual([WATCH_LIST, WATCH_LIST, WATCH_LIST]);
    expect(source.lists).toEqual([]);
    expect(t.keys()).toEqual(['ns/p1']);
    await t.stop();
  });

  it('asks again when the stream closes before the bookmark', async () => {
    const source = new ScriptedSource();
    source.steps.push(
      (sub) => {
        sub.next({ type: 'ADDED', object: pod('p1', '1') });
        sub.complete();
      },
      (sub) => {
        sub.next({ type: 'ADDED', object: pod('p1', '1') });
        sub.next(endBookmark('1'));
      },
    );
    const t = setup(source);
    await flushMicrotasks();
    expect(source.watches).toEqual([WATCH_LIST, WATCH_LIST]);
    expect(t.keys()).toEqual(['ns/p1']);
    await t.stop();
  });

  it('re-watches plainly from the bookmark RV after a close', async () => {
    const source = new ScriptedSource();
    source.steps.push(
      (sub) => {
        sub.next({ type: 'ADDED', object: pod('p1', '1') });
        sub.next(endBookmark('3'));
        sub.next({ type: 'ADDED', object: pod('p2', '4') });
        sub.complete();
      },
      (sub) => sub.next({ type: 'ADDED', object: pod('p3', '5') }),
    );
    const t = setup(source);
    await flushMicrotasks();
    expect(source.watches.map((w) => [w.resourceVersion, w.sendInitialEvents])).toEqual([
      ['', true],
      ['4', undefined],
    ]);
    expect(t.keys()).toEqual(['ns/p1', 'ns/p2', 'ns/p3']);
    expect(t.reflector.lastSyncResourceVersion()).toBe('5');
    await t.stop();
  });

  it('marks the RV unavailable on a 410 start and retries with RV ""', async () => {
    const source = new ScriptedSource();
    source.steps.push(
      (sub) => sub.error(expiredError('too old')),
      (sub) => sub.next(endBookmark('7')),
    );
    const t = setup(source);
    await flushMicrotasks();
    expect(source.watches).toEqual([WATCH_LIST, WATCH_LIST]);
    expect(t.reflector.lastSyncResourceVersion()).toBe('7');
    await t.stop();
  });

  it('retries with RV "" (no list) on a 410 or 429 that arrives mid-stream, after some events', async () => {
    const source = new ScriptedSource();
    source.steps.push(
      (sub) => {
        sub.next({ type: 'ADDED', object: pod('p1', '1') });
        sub.next({ type: 'ADDED', object: pod('p2', '2') });
        sub.error(expiredError('too old'));
      },
      (sub) => {
        sub.next({ type: 'ADDED', object: pod('p1', '3') });
        sub.error(tooManyRequestsError('busy', 0));
      },
      (sub) => {
        sub.next({ type: 'ADDED', object: pod('p1', '3') });
        sub.next(endBookmark('3'));
      },
    );
    const t = setup(source);
    await flushMicrotasks();
    await t.clock.stepAsync(800);
    expect(source.watches).toEqual([WATCH_LIST, WATCH_LIST, WATCH_LIST]);
    expect(source.lists).toEqual([]);
    expect(t.keys()).toEqual(['ns/p1']);
    await t.stop();
  });

  it('falls back to a list when the watch-list stream closes at once with no event', async () => {
    const source = new ScriptedSource();
    source.listItems = [pod('listed', '1')];
    source.steps.push((sub) => sub.complete());
    const t = setup(source);
    await flushMicrotasks();
    expect(source.lists).toEqual([{ resourceVersion: '0', limit: 500 }]);
    expect(t.keys()).toEqual(['ns/listed']);
    expect(t.errors.map((e) => e.name)).toContain('VeryShortWatchError');
    await t.stop();
  });
});
