/**
 * The Store contract as a jest suite, written once and run against every Store implementation (client-go's
 * `doTestStore`). Import it from a `*.test.ts` file; it is not part of the package's public entry points
 * because it needs `@jest/globals`.
 */
import { describe, expect, it } from '@jest/globals';
import { KeyError } from './keys.js';
import { SkippedObjectsError } from './queue.js';
import type { Store } from './store.js';

/** The objects the contract stores: keyed by `metadata` as Kubernetes objects, carrying a `value`. */
export interface ContractObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
  value: string;
}

/** What the implementation under test does beyond the bare contract. */
export interface StoreContractOptions {
  /** Assert that stored objects (and their nested objects) come back deep-frozen. Default `false`. */
  deepFrozen?: boolean;
  /** Assert `lastStoreSyncResourceVersion` follows writes, replaces and bookmarks. Default `false`. */
  tracksResourceVersion?: boolean;
  /**
   * What `replace` does with an object it cannot key: `'all-or-nothing'` (throws a `KeyError`, changes
   * nothing) or `'left-out'` (a queue: relists the rest, then throws a `SkippedObjectsError`). Default
   * `'all-or-nothing'`.
   */
  badListItems?: 'all-or-nothing' | 'left-out';
}

/** A contract object `{ metadata: { name, namespace? }, value }`, keyed `namespace/name` or `name`. */
export function contractObject(name: string, value: string, namespace?: string, resourceVersion?: string) {
  const metadata: ContractObject['metadata'] = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  return { metadata, value } satisfies ContractObject;
}

const nameless: ContractObject = { metadata: {}, value: 'nameless' };

function values(store: Store<ContractObject>): string[] {
  return store
    .list()
    .map((o) => o.value)
    .sort();
}

/**
 * Defines `describe('<name> (Store contract)')` with the Store contract's tests; `makeStore` must return a
 * fresh, empty store keyed by `ns/name` each time it is called.
 *
 * @example
 * describeStoreContract('IndexedStore', () => new IndexedStore<ContractObject>(), { deepFrozen: true });
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Store<ContractObject>,
  options: StoreContractOptions = {},
): void {
  describe(`${name} (Store contract)`, () => {
    describeReadsAndWrites(makeStore);
    describeReplace(makeStore);
    describeBadInput(makeStore, options.badListItems ?? 'all-or-nothing');
    if (options.deepFrozen) describeFreezing(makeStore);
    if (options.tracksResourceVersion) describeResourceVersion(makeStore);
  });
}

function describeReadsAndWrites(makeStore: () => Store<ContractObject>): void {
  it('returns an added object by object and by key', () => {
    const store = makeStore();
    store.add(contractObject('foo', 'bar'));
    expect(store.get(contractObject('foo', ''))?.value).toBe('bar');
    expect(store.getByKey('foo')?.value).toBe('bar');
  });

  it('replaces the object on update', () => {
    const store = makeStore();
    store.add(contractObject('foo', 'bar'));
    store.update(contractObject('foo', 'baz'));
    expect(store.get(contractObject('foo', ''))?.value).toBe('baz');
    expect(store.listKeys()).toEqual(['foo']);
  });

  it('forgets a deleted object', () => {
    const store = makeStore();
    store.add(contractObject('foo', 'bar'));
    store.delete(contractObject('foo', 'bar'));
    expect(store.get(contractObject('foo', ''))).toBeUndefined();
    expect(store.getByKey('foo')).toBeUndefined();
    expect(store.list()).toEqual([]);
  });

  it('ignores the delete of an unknown key', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    expect(() => store.delete(contractObject('zzz', ''))).not.toThrow();
    expect(values(store)).toEqual(['b']);
  });

  it('lists exactly the stored objects and keys', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    store.add(contractObject('c', 'd'));
    store.add(contractObject('e', 'e'));
    expect(values(store)).toEqual(['b', 'd', 'e']);
    expect(store.listKeys().sort()).toEqual(['a', 'c', 'e']);
  });

  it('keys namespaced objects as namespace/name', () => {
    const store = makeStore();
    store.add(contractObject('web', 'v1', 'prod'));
    store.add(contractObject('web', 'v2', 'dev'));
    expect(store.getByKey('prod/web')?.value).toBe('v1');
    expect(store.getByKey('dev/web')?.value).toBe('v2');
    expect(store.getByKey('web')).toBeUndefined();
  });

  it('hands out list snapshots that do not change the store', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    const listed = store.list();
    const keys = store.listKeys();
    listed.length = 0;
    keys.push('intruder');
    expect(values(store)).toEqual(['b']);
    expect(store.listKeys()).toEqual(['a']);
  });

  it('returns undefined from getByKey for an unknown or malformed key', () => {
    const store = makeStore();
    expect(store.getByKey('nope')).toBeUndefined();
    expect(store.getByKey('a/b/c')).toBeUndefined();
    expect(store.getByKey('')).toBeUndefined();
  });

  it('keeps its contents on resync', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    store.resync();
    expect(store.getByKey('a')?.value).toBe('b');
  });
}

function describeReplace(makeStore: () => Store<ContractObject>): void {
  it('holds exactly the replacement list after replace', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    store.add(contractObject('foo', 'old'));
    store.replace([contractObject('foo', 'foo'), contractObject('bar', 'bar')], '0');
    expect(values(store)).toEqual(['bar', 'foo']);
    expect(store.getByKey('a')).toBeUndefined();
  });

  it('empties the store on replace with an empty list', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    store.replace([], '1');
    expect(store.list()).toEqual([]);
    expect(store.listKeys()).toEqual([]);
  });

  it('accepts writes after a replace', () => {
    const store = makeStore();
    store.replace([contractObject('a', '1')], '1');
    store.add(contractObject('b', '2'));
    store.delete(contractObject('a', ''));
    expect(values(store)).toEqual(['2']);
  });
}

function describeBadInput(makeStore: () => Store<ContractObject>, badListItems: 'all-or-nothing' | 'left-out'): void {
  it('throws a KeyError and stores nothing when an added object has no name', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    expect(() => store.add(nameless)).toThrow(KeyError);
    expect(() => store.update(nameless)).toThrow(KeyError);
    expect(values(store)).toEqual(['b']);
  });

  it('throws a KeyError from get and delete for an object without a name', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b'));
    expect(() => store.get(nameless)).toThrow(KeyError);
    expect(() => store.delete(nameless)).toThrow(KeyError);
    expect(values(store)).toEqual(['b']);
  });

  if (badListItems === 'all-or-nothing') {
    it('changes nothing when one item of a replace cannot be keyed', () => {
      const store = makeStore();
      store.add(contractObject('a', 'b'));
      expect(() => store.replace([contractObject('x', 'y'), nameless], '9')).toThrow(KeyError);
      expect(values(store)).toEqual(['b']);
      expect(store.getByKey('x')).toBeUndefined();
    });
  } else {
    it('relists the others when one item of a replace cannot be keyed, then names it', () => {
      const store = makeStore();
      store.add(contractObject('a', 'b'));
      expect(() => store.replace([contractObject('x', 'y'), nameless], '9')).toThrow(SkippedObjectsError);
      expect(values(store)).toEqual(['y']);
    });
  }
}

function describeFreezing(makeStore: () => Store<ContractObject>): void {
  it('hands out deep-frozen objects', () => {
    const store = makeStore();
    store.add(contractObject('a', 'b', 'ns'));
    store.replace([contractObject('c', 'd'), ...store.list().map((o) => ({ ...o, metadata: { ...o.metadata } }))], '1');
    const objects = store.list();
    expect(objects).toHaveLength(2);
    for (const obj of objects) {
      expect(Object.isFrozen(obj)).toBe(true);
      expect(Object.isFrozen(obj.metadata)).toBe(true);
    }
  });
}

function describeResourceVersion(makeStore: () => Store<ContractObject>): void {
  it('tracks the resource version of the last write, replace and bookmark', () => {
    const store = makeStore();
    const rv = () => store.lastStoreSyncResourceVersion?.();
    expect(rv()).toBe('');
    store.add(contractObject('a', 'b', undefined, '10'));
    expect(rv()).toBe('10');
    store.update(contractObject('a', 'c', undefined, '5'));
    expect(rv()).toBe('5');
    store.delete(contractObject('a', '', undefined, '20'));
    expect(rv()).toBe('20');
    store.replace([contractObject('a', 'b', undefined, '7')], '30');
    expect(rv()).toBe('30');
    store.bookmark?.('40');
    expect(rv()).toBe('40');
  });
}
