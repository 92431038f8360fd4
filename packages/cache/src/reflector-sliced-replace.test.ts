import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { Reflector } from './reflector.js';
import type { ReflectorStore } from './store.js';
import { FakeControllerSource } from './testing/fake-source.js';

const pod = (name: string): KubeObject => ({ kind: 'Pod', metadata: { namespace: 'ns', name, uid: `uid-${name}` } });

describe('Reflector with a store that replaces in slices', () => {
  it('watches only once the sliced replace of the list has settled, and records its version then', async () => {
    const fake = new FakeControllerSource<KubeObject>();
    fake.add(pod('a'));
    const calls: string[] = [];
    let release: () => void = () => {};
    const store: ReflectorStore<KubeObject> = {
      add: (o) => void calls.push(`add ${o.metadata?.name}`),
      update: (o) => void calls.push(`update ${o.metadata?.name}`),
      delete: (o) => void calls.push(`delete ${o.metadata?.name}`),
      resync: () => {},
      replace: () => void calls.push('replace'),
      replaceSliced: (list) => {
        calls.push(`replaceSliced ${list.length}`);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    };
    const reflector = new Reflector<KubeObject>({ listerWatcher: fake, store, clock: new FakeClock(0) });
    const stop = new AbortController();
    const running = reflector.run(stop.signal);
    try {
      await flushMicrotasks();
      expect(calls).toEqual(['replaceSliced 1']);
      expect(fake.openWatches()).toBe(0);
      expect(reflector.lastSyncResourceVersion()).toBe('');
      release();
      await flushMicrotasks();
      expect(fake.openWatches()).toBe(1);
      expect(reflector.lastSyncResourceVersion()).toBe(fake.resourceVersion());
      fake.add(pod('b'));
      await flushMicrotasks();
      expect(calls).toEqual(['replaceSliced 1', 'add b']);
    } finally {
      stop.abort();
      await running;
    }
  });
});
