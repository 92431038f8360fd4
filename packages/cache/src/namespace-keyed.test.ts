import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { newNamespaceKeyedIndexerAndReflector } from './namespace-keyed.js';
import { NAMESPACE_INDEX } from './store.js';
import { FakeControllerSource } from './testing/fake-source.js';

describe('newNamespaceKeyedIndexerAndReflector', () => {
  it('fills a namespace-indexed store keyed ns/name from the lister-watcher', async () => {
    const source = new FakeControllerSource<KubeObject>();
    source.add({ metadata: { name: 'a', namespace: 'x' } });
    source.add({ metadata: { name: 'b', namespace: 'y' } });
    const { indexer, reflector } = newNamespaceKeyedIndexerAndReflector(source, { clock: new FakeClock(0) });
    const stop = new AbortController();
    const done = reflector.run(stop.signal);
    await flushMicrotasks();
    expect(indexer.listKeys().sort()).toEqual(['x/a', 'y/b']);
    expect(indexer.byIndex(NAMESPACE_INDEX, 'y').map((o) => o.metadata?.name)).toEqual(['b']);
    source.add({ metadata: { name: 'c', namespace: 'y' } });
    await flushMicrotasks();
    expect(indexer.indexKeys(NAMESPACE_INDEX, 'y')).toEqual(['y/b', 'y/c']);
    stop.abort();
    await done;
  });
});
