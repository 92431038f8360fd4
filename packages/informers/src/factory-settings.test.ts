import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeControllerSource } from '@kubecache/cache/testing';
import { InformerConflictError, SharedInformerFactory, type SharedInformerFactoryOptions } from './factory.js';

const byNode = (o: KubeObject): string[] => [(o as { spec?: { nodeName?: string } }).spec?.nodeName ?? ''];
const byName = (o: KubeObject): string[] => [o.metadata?.name ?? ''];

function factory(options: Partial<SharedInformerFactoryOptions> = {}): SharedInformerFactory {
  return new SharedInformerFactory({ listerWatcherFor: () => new FakeControllerSource<KubeObject>(), ...options });
}

describe('SharedInformerFactory settings', () => {
  it('adds the indexers a second request names to the shared informer', () => {
    const f = factory();
    const a = f.informerFor({ version: 'v1', resource: 'pods', indexers: { node: byNode } });
    const b = f.informerFor({ version: 'v1', resource: 'pods', indexers: { node: byNode, name: byName } });
    expect(b).toBe(a);
    expect(Object.keys(a.indexers()).sort()).toEqual(['name', 'namespace', 'node']);
  });

  it('refuses a second request whose index name is taken by another function', () => {
    const f = factory();
    f.informerFor({ version: 'v1', resource: 'pods', indexers: { node: byNode } });
    expect(() => f.informerFor({ version: 'v1', resource: 'pods', indexers: { node: byName } })).toThrow(
      new InformerConflictError('informer /v1/pods|ns=|l=|f= already has an index named "node" with another function'),
    );
  });

  it('refuses a second request with another resync period instead of ignoring it', () => {
    const f = factory({ defaultResyncPeriodMs: 30_000 });
    f.informerFor({ version: 'v1', resource: 'pods' });
    expect(() => f.informerFor({ version: 'v1', resource: 'pods', resyncPeriodMs: 5_000 })).toThrow(
      InformerConflictError,
    );
    expect(() => f.informerFor({ version: 'v1', resource: 'pods', resyncPeriodMs: 30_000 })).not.toThrow();
  });

  it('names each informer after its request, whatever informerOptions a JavaScript caller passes', () => {
    const options = { informerOptions: { name: 'mine' } } as unknown as Partial<SharedInformerFactoryOptions>;
    expect(() => factory(options)).toThrow(
      new TypeError(
        'SharedInformerFactory: informerOptions.name is set by the factory; pass it per request or as a factory option',
      ),
    );
    const resync = { informerOptions: { resyncPeriodMs: 1 } } as unknown as Partial<SharedInformerFactoryOptions>;
    expect(() => factory(resync)).toThrow(TypeError);
    expect(factory().informerFor({ version: 'v1', resource: 'pods', namespace: 'a' }).name).toBe('/v1/pods|ns=a|l=|f=');
  });
});
