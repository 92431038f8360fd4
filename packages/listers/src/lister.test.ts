import { describe, expect, it, jest } from '@jest/globals';
import { labelSelectorNothing, parseLabelSelector, SelectorError, StatusError } from '@kubecache/apimachinery';
import { type FixturePod, makePods } from '@kubecache/apimachinery/testing';
import { IndexedStore, type Indexer, metaNamespaceIndexFunc, NAMESPACE_INDEX } from '@kubecache/cache';
import { GenericLister, listAll, listAllByNamespace } from './lister.js';

type Setup = { name: string; make: () => Indexer<FixturePod> };

const setups: Setup[] = [
  {
    name: 'an indexer with the namespace index',
    make: () => new IndexedStore<FixturePod>({ indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } }),
  },
  { name: 'an indexer without the namespace index', make: () => new IndexedStore<FixturePod>() },
];

function names(pods: readonly FixturePod[]): string[] {
  return pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
}

describe.each(setups)('GenericLister on $name', ({ make }) => {
  const pods = makePods(300, { namespaces: 10 });
  function lister(): { indexer: Indexer<FixturePod>; pods: GenericLister<FixturePod> } {
    const indexer = make();
    indexer.replace(pods, '300');
    return { indexer, pods: new GenericLister({ indexer, resource: 'pods' }) };
  }

  it('lists everything with no selector or an empty one', () => {
    const { pods: l } = lister();
    expect(l.list()).toHaveLength(300);
    expect(l.list('')).toHaveLength(300);
    expect(l.list(parseLabelSelector(''))).toHaveLength(300);
  });

  it('lists nothing with the match-nothing selector', () => {
    const { pods: l } = lister();
    expect(l.list(labelSelectorNothing())).toEqual([]);
    expect(l.namespace('ns-1').list(labelSelectorNothing())).toEqual([]);
  });

  it.each([
    ['tier=frontend', (p: FixturePod) => p.metadata.labels.tier === 'frontend'],
    [
      'app in (app-1,app-2),tier!=frontend',
      (p: FixturePod) => ['app-1', 'app-2'].includes(p.metadata.labels.app!) && p.metadata.labels.tier !== 'frontend',
    ],
    ['!tier', () => false],
    ['app notin (app-0)', (p: FixturePod) => p.metadata.labels.app !== 'app-0'],
  ])('lists cluster-wide by %j', (selector, predicate) => {
    const { pods: l } = lister();
    expect(names(l.list(selector))).toEqual(names(pods.filter(predicate)));
  });

  it.each([
    ['', () => true],
    ['tier=frontend', (p: FixturePod) => p.metadata.labels.tier === 'frontend'],
    ['app in (app-3, app-13)', (p: FixturePod) => ['app-3', 'app-13'].includes(p.metadata.labels.app!)],
  ])('lists one namespace by %j', (selector, predicate) => {
    const { pods: l } = lister();
    const expected = pods.filter((p) => p.metadata.namespace === 'ns-3' && predicate(p));
    expect(expected.length).toBeGreaterThan(0);
    expect(names(l.namespace('ns-3').list(selector))).toEqual(names(expected));
  });

  it('lists all namespaces for the empty namespace', () => {
    const { pods: l } = lister();
    expect(l.namespace('').list('tier=frontend')).toHaveLength(
      pods.filter((p) => p.metadata.labels.tier === 'frontend').length,
    );
  });

  it('lists nothing for an unknown namespace', () => {
    expect(lister().pods.namespace('nope').list()).toEqual([]);
  });

  it('hands out the stored frozen objects, not copies', () => {
    const { indexer, pods: l } = lister();
    const pod = pods[42]!;
    const got = l.namespace(pod.metadata.namespace).get(pod.metadata.name);
    expect(got).toBe(indexer.getByKey(`${pod.metadata.namespace}/${pod.metadata.name}`));
    expect(Object.isFrozen(got)).toBe(true);
    expect(l.list()).toContain(got);
    expect(l.get(`${pod.metadata.namespace}/${pod.metadata.name}`)).toBe(got);
  });

  it('throws a typed 404 NotFound naming the resource and the name on a miss', () => {
    const { pods: l } = lister();
    let caught: unknown;
    try {
      l.namespace('ns-1').get('missing');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    const err = caught as StatusError;
    expect(err.code).toBe(404);
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('pods "missing" not found');
    expect(err.status.details).toMatchObject({ name: 'missing', group: '', kind: 'pods' });
  });

  it('names the group of non-core resources in NotFound', () => {
    const indexer = make();
    const l = new GenericLister({ indexer, group: 'apps', resource: 'deployments' });
    expect(() => l.namespace('d').get('web')).toThrow('deployments.apps "web" not found');
  });

  it('throws SelectorError for a selector string that does not parse', () => {
    const { pods: l } = lister();
    expect(() => l.list('a in (')).toThrow(SelectorError);
    expect(() => l.namespace('ns-1').list('!')).toThrow(SelectorError);
  });

  it('sees later writes', () => {
    const { indexer, pods: l } = lister();
    const extra = { ...makePods(1)[0]!, metadata: { ...makePods(1)[0]!.metadata, name: 'late', namespace: 'ns-3' } };
    indexer.add(extra);
    expect(l.namespace('ns-3').get('late')).toBe(indexer.getByKey('ns-3/late'));
  });
});

describe('listAllByNamespace', () => {
  it('uses the namespace index and never scans the store when the index exists', () => {
    const indexer = new IndexedStore<FixturePod>({ indexers: { [NAMESPACE_INDEX]: metaNamespaceIndexFunc } });
    const pods = makePods(100, { namespaces: 10 });
    indexer.replace(pods, '1');
    const list = jest.spyOn(indexer, 'list');
    const byIndex = jest.spyOn(indexer, 'byIndex');
    const want = pods
      .filter((p) => p.metadata.namespace === 'ns-2' && p.metadata.labels.tier === 'backend')
      .map((p) => p.metadata.name)
      .sort();
    expect(want.length).toBeGreaterThan(0);
    const got = listAllByNamespace(indexer, 'ns-2', 'tier=backend').map((p) => p.metadata.name);
    expect(got.sort()).toEqual(want);
    expect(list).not.toHaveBeenCalled();
    expect(byIndex).toHaveBeenCalledWith(NAMESPACE_INDEX, 'ns-2');
  });

  it('falls back to a full scan filtered by namespace when the index is missing', () => {
    const indexer = new IndexedStore<FixturePod>({ indexers: { byApp: (p) => [p.metadata.labels.app ?? ''] } });
    indexer.replace(makePods(100, { namespaces: 10 }), '1');
    const byIndex = jest.spyOn(indexer, 'byIndex');
    const got = listAllByNamespace(indexer, 'ns-2');
    expect(got).toHaveLength(10);
    expect(got.every((p) => p.metadata.namespace === 'ns-2')).toBe(true);
    expect(byIndex).not.toHaveBeenCalled();
  });

  it('picks up a namespace index added later', () => {
    const indexer = new IndexedStore<FixturePod>();
    indexer.replace(makePods(20, { namespaces: 2 }), '1');
    indexer.addIndexers({ [NAMESPACE_INDEX]: metaNamespaceIndexFunc });
    const list = jest.spyOn(indexer, 'list');
    expect(listAllByNamespace(indexer, 'ns-1')).toHaveLength(10);
    expect(list).not.toHaveBeenCalled();
  });

  it('lists objects without labels only for selectors they satisfy', () => {
    const indexer = new IndexedStore<{
      metadata: { name: string; namespace: string; labels?: Record<string, string> };
    }>();
    indexer.add({ metadata: { name: 'bare', namespace: 'a' } });
    expect(listAllByNamespace(indexer, 'a', '!app')).toHaveLength(1);
    expect(listAllByNamespace(indexer, 'a', 'app')).toHaveLength(0);
    expect(listAll(indexer, 'app!=x')).toHaveLength(1);
  });
});
