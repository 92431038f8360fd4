/**
 * The pop side of the {@link Queue} contract as a jest suite, written once and run against FIFO, DeltaFIFO
 * and the in-order FIFO: waiting, serialised processing, errors from `process`, close, abort, `hasSynced` and
 * the order items come out in; plus the write scripts, change format and relist table the implementation tests
 * of DeltaFIFO and the in-order FIFO share. Import it from a `*.test.ts` file; it needs `@jest/globals`, so it
 * is not part of the package's public entry points.
 */
import { describe, expect, it } from '@jest/globals';
import { flushMicrotasks } from '@kubecache/apimachinery/testing';
import { DeletedFinalStateUnknown } from './keys.js';
import { FIFOClosedError, type KeyListerGetter, type Queue } from './queue.js';
import type { RealFIFODelta } from './real-fifo.js';
import { type ContractObject, contractObject } from './store.contract.js';
import type { ReflectorStore } from './store.js';

/** A queue under test: keyed by `ns/name` (the default key function), with its `length`. */
export interface PopContractQueue<Item> extends Queue<ContractObject, Item> {
  /** How many entries are queued. */
  readonly length: number;
}

/** How the implementation under test differs where the contract leaves room. */
export interface QueuePopContractOptions<Item> {
  /** The `value` of the newest object an item carries. */
  valueOf: (item: Item) => string;
  /**
   * What writes to a key that is already queued do: `'merged'` into the one queued item, which keeps its
   * place (FIFO, DeltaFIFO), or `'separate'` items in arrival order (the in-order FIFO).
   */
  sameKeyWrites: 'merged' | 'separate';
}

/** Whether `p` is still pending once the microtask queue has drained. */
export async function isBlocked(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const settle = () => {
    settled = true;
  };
  p.then(settle, settle);
  await flushMicrotasks();
  return !settled;
}

const o = (name: string, value: number | string) => contractObject(name, String(value));
const ignore = (): void => {};

/** Adds the objects of `spec`, written `name=value` separated by spaces, in order. */
function addAll(q: Queue<ContractObject, unknown>, spec: string): void {
  for (const entry of spec.split(' ')) {
    const [name, value] = entry.split('=') as [string, string];
    q.add(o(name, value));
  }
}

/**
 * Defines `describe('<name> (pop contract)')`; `makeQueue` must return a fresh, empty queue each time.
 *
 * @example
 * describeQueuePopContract('FIFO', () => new FIFO<ContractObject>(), {
 *   valueOf: (obj) => obj.value,
 *   sameKeyWrites: 'merged',
 * });
 */
export function describeQueuePopContract<Item>(
  name: string,
  makeQueue: () => PopContractQueue<Item>,
  options: QueuePopContractOptions<Item>,
): void {
  const kit = popKit(makeQueue, options);
  describe(`${name} (pop contract)`, () => {
    describeWaiting(kit);
    describeProcessing(kit);
    describeClose(kit);
    describeAbort(kit);
    describeHasSynced(kit);
    describeOrder(kit);
  });
}

interface PopKit<Item> {
  make: () => PopContractQueue<Item>;
  options: QueuePopContractOptions<Item>;
  /** Pops one item and returns its value. */
  popValue: (q: PopContractQueue<Item>) => Promise<string>;
  /** Pops until the queue is empty and returns the values. */
  popAll: (q: PopContractQueue<Item>) => Promise<string[]>;
}

function popKit<Item>(make: () => PopContractQueue<Item>, options: QueuePopContractOptions<Item>): PopKit<Item> {
  const popValue = async (q: PopContractQueue<Item>) => options.valueOf(await q.pop(ignore));
  const popAll = async (q: PopContractQueue<Item>) => {
    const out: string[] = [];
    while (q.length > 0) out.push(await popValue(q));
    return out;
  };
  return { make, options, popValue, popAll };
}

function describeWaiting<Item>({ make, options, popValue }: PopKit<Item>): void {
  it('wakes a waiting pop when an item arrives', async () => {
    const q = make();
    const waiting = q.pop(ignore);
    expect(await isBlocked(waiting)).toBe(true);
    q.add(o('a', 7));
    expect(options.valueOf(await waiting)).toBe('7');
  });

  it('serves waiting pops one item each', async () => {
    const q = make();
    const pops = [q.pop(ignore), q.pop(ignore), q.pop(ignore)];
    await flushMicrotasks();
    addAll(q, 'a=1 b=2 c=3');
    const got = (await Promise.all(pops)).map(options.valueOf).sort();
    expect(got).toEqual(['1', '2', '3']);
    expect(q.length).toBe(0);
  });

  it('re-queues a popped item with addIfNotPresent only when nothing is queued for its key', async () => {
    const q = make();
    q.add(o('a', 1));
    const popped = await q.pop(ignore);
    q.add(o('b', 2));
    const other = make();
    other.add(o('b', 9));
    q.addIfNotPresent(await other.pop(ignore));
    q.addIfNotPresent(popped);
    expect(await popValue(q)).toBe('2');
    expect(await q.pop(ignore)).toEqual(popped);
    expect(q.length).toBe(0);
  });
}

function describeProcessing<Item>({ make, options, popValue, popAll }: PopKit<Item>): void {
  it.each([
    { kind: 'synchronous', fail: (): void => failWith('boom') },
    { kind: 'async', fail: async (): Promise<void> => failWith('boom') },
  ])('rejects pop with the error a $kind process threw and loses nothing else', async ({ fail }) => {
    const q = make();
    q.add(o('a', 1));
    q.add(o('b', 2));
    await expect(q.pop(fail)).rejects.toThrow('boom');
    expect(q.listKeys()).toEqual(['b']);
    expect(await popValue(q)).toBe('2');
  });

  it('loses only the failed item of a key written twice', async () => {
    const q = make();
    q.add(o('a', 1));
    q.add(o('a', 2));
    await expect(q.pop(() => failWith('boom'))).rejects.toThrow('boom');
    expect(await popAll(q)).toEqual(options.sameKeyWrites === 'merged' ? [] : ['2']);
  });

  it('awaits an async process and serves the next pop only after it', async () => {
    const q = make();
    q.add(o('a', 1));
    q.add(o('b', 2));
    const order: string[] = [];
    let release = () => {};
    const first = q.pop(async (item) => {
      order.push(`start ${options.valueOf(item)}`);
      await new Promise<void>((r) => {
        release = r;
      });
      order.push(`end ${options.valueOf(item)}`);
    });
    const second = q.pop((item) => {
      order.push(`start ${options.valueOf(item)}`);
    });
    await flushMicrotasks();
    expect(order).toEqual(['start 1']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['start 1', 'end 1', 'start 2']);
  });
}

function failWith(message: string): never {
  throw new Error(message);
}

function describeClose<Item>({ make, options, popValue }: PopKit<Item>): void {
  it('unblocks every waiting pop on close with FIFOClosedError', async () => {
    const q = make();
    const pops = Array.from({ length: 10 }, () => q.pop(ignore));
    expect(await isBlocked(pops[0] as Promise<Item>)).toBe(true);
    expect(q.isClosed()).toBe(false);
    q.close();
    expect(q.isClosed()).toBe(true);
    for (const p of pops) await expect(p).rejects.toBeInstanceOf(FIFOClosedError);
  });

  it.each([
    { when: 'before', addFirst: true },
    { when: 'after', addFirst: false },
  ])('drains what was written $when close, then rejects with FIFOClosedError', async ({ addFirst }) => {
    const q = make();
    if (!addFirst) q.close();
    q.add(o('a', 1));
    if (addFirst) q.close();
    expect(await popValue(q)).toBe('1');
    await expect(q.pop(ignore)).rejects.toBeInstanceOf(FIFOClosedError);
  });

  it('rejects a pop that waited through a busy close', async () => {
    const q = make();
    q.add(o('a', 1));
    let release = () => {};
    const busy = q.pop(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const waiting = q.pop(ignore);
    await flushMicrotasks();
    q.close();
    release();
    expect(options.valueOf(await busy)).toBe('1');
    await expect(waiting).rejects.toBeInstanceOf(FIFOClosedError);
  });
}

function describeAbort<Item>({ make, options, popValue }: PopKit<Item>): void {
  it('rejects a waiting pop when its signal aborts, taking nothing', async () => {
    const q = make();
    const ac = new AbortController();
    const aborted = q.pop(ignore, ac.signal);
    ac.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    q.add(o('a', 1));
    expect(await popValue(q)).toBe('1');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const q = make();
    q.add(o('a', 1));
    await expect(q.pop(ignore, AbortSignal.abort(new Error('late')))).rejects.toThrow('late');
    expect(q.length).toBe(1);
  });

  it('passes a wake-up on when the woken pop was aborted', async () => {
    const q = make();
    const ac = new AbortController();
    const first = q.pop(ignore, ac.signal);
    const second = q.pop(ignore);
    await flushMicrotasks();
    q.add(o('a', 1));
    ac.abort(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    expect(options.valueOf(await second)).toBe('1');
  });
}

interface SyncCase {
  name: string;
  /** Objects of a `replace`, by name (values count up from 1); `undefined`: no replace. */
  list?: string[];
  /** Whether an `add` comes first. */
  add?: boolean;
  pops: number;
  synced: boolean;
}

function syncCases(sameKeyWrites: 'merged' | 'separate'): SyncCase[] {
  const merged = sameKeyWrites === 'merged';
  const cases: SyncCase[] = [
    { name: 'no operations', pops: 0, synced: false },
    { name: 'an add', add: true, pops: 0, synced: true },
    { name: 'an empty replace', list: [], pops: 0, synced: true },
    { name: 'a replace of two', list: ['a', 'b'], pops: 0, synced: false },
    { name: 'a replace of two and one pop', list: ['a', 'b'], pops: 1, synced: false },
    { name: 'a replace of two and two pops', list: ['a', 'b'], pops: 2, synced: true },
    { name: 'a replace of one key twice and one pop', list: ['a', 'a'], pops: 1, synced: merged },
  ];
  if (!merged) cases.push({ name: 'a replace of one key twice and two pops', list: ['a', 'a'], pops: 2, synced: true });
  return cases;
}

function describeHasSynced<Item>({ make, options }: PopKit<Item>): void {
  it.each(syncCases(options.sameKeyWrites))('reports hasSynced $synced after $name', async (c) => {
    const q = make();
    if (c.add) q.add(o('a', 1));
    if (c.list !== undefined)
      q.replace(
        c.list.map((n, i) => o(n, i + 1)),
        '0',
      );
    for (let i = 0; i < c.pops; i++) await q.pop(ignore);
    expect(q.hasSynced()).toBe(c.synced);
  });

  it('counts a popped initial item as delivered only after process returns', async () => {
    const q = make();
    q.replace([o('a', 1)], '0');
    const seen: [boolean, boolean][] = [];
    await q.pop((_item, initial) => {
      seen.push([initial, q.hasSynced()]);
    });
    expect(seen).toEqual([[true, false]]);
    expect(q.hasSynced()).toBe(true);
  });

  it('hands out writes after the first replace as not in the initial list', async () => {
    const q = make();
    q.replace([o('a', 1)], '0');
    q.add(o('b', 2));
    const seen: [string, boolean][] = [];
    while (q.length > 0) await q.pop((item, initial) => void seen.push([options.valueOf(item), initial]));
    expect(seen).toEqual([
      ['1', true],
      ['2', false],
    ]);
  });
}

function describeOrder<Item>({ make, options, popValue, popAll }: PopKit<Item>): void {
  const merged = options.sameKeyWrites === 'merged';

  // Merging queues need a key per write to hand every write out; the others also keep repeated keys in order.
  const keyOf = merged
    ? (prefix: string, i: number) => `${prefix}${i}`
    : (prefix: string, i: number) => `${prefix}${i % 10}`;
  it.each([7, 5, 3])('keeps the order of each of two producers yielding every %i writes', async (every) => {
    const q = make();
    const produce = async (prefix: string) => {
      for (let i = 0; i < 500; i++) {
        q.add(o(keyOf(prefix, i), `${prefix}${i + 1}`));
        if (i % every === 0) await Promise.resolve();
      }
    };
    const got: string[] = [];
    const consume = async () => {
      while (got.length < 1000) got.push(await popValue(q));
    };
    await Promise.all([produce('a'), produce('b'), consume()]);
    for (const p of ['a', 'b']) {
      const values = got.filter((v) => v.startsWith(p)).map((v) => Number(v.slice(1)));
      expect(values).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    }
  });

  it('keeps the order across many pops with interleaved adds', async () => {
    const q = make();
    const seen: string[] = [];
    let next = 0;
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 200; i++, next++) q.add(o(`k${next}`, next));
      for (let i = 0; i < 150; i++) seen.push(await popValue(q));
    }
    seen.push(...(await popAll(q)));
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => String(i)));
  });

  it(`hands out writes to a queued key ${merged ? 'at its first place' : 'each at its own place'}`, async () => {
    const q = make();
    addAll(q, 'foo=10 bar=1 foo=11 foo=13 zab=30');
    expect(await popValue(q)).toBe(merged ? '13' : '10');
    q.add(o('foo', 14));
    expect(await popAll(q)).toEqual(merged ? ['1', '30', '14'] : ['1', '11', '13', '30', '14']);
  });

  it(`hands out ${merged ? 'only the replaced value' : 'the add, then the replacement'} after add then replace`, async () => {
    const q = make();
    q.add(o('foo', 10));
    q.replace([o('foo', 15)], '0');
    expect(q.length).toBe(merged ? 1 : 2);
    expect(await popAll(q)).toEqual(merged ? ['15'] : ['10', '15']);
    expect(q.length).toBe(0);
  });
}

/** The objects of the implementation tests of DeltaFIFO and the in-order FIFO, keyed by `name`. */
export interface NamedObj {
  name: string;
  value: number;
}

/** The object named `name` with `value`. */
export const namedObj = (name: string, value: number): NamedObj => ({ name, value });

/** Known objects (an informer's indexer, for a queue) holding `objs`, listed in the order given. */
export function knownOf(...objs: NamedObj[]): KeyListerGetter<NamedObj> {
  const map = new Map(objs.map((o) => [o.name, o]));
  return { listKeys: () => Array.from(map.keys()), getByKey: (k) => map.get(k) };
}

/** Options that make writes fail: the key function rejects an empty `name`, the transformer a negative `value`. */
export const pickyWrites = {
  keyFunction: (obj: NamedObj): string => {
    if (obj.name === '') throw new Error('no name');
    return obj.name;
  },
  transformer: (obj: NamedObj): NamedObj => {
    if (obj.value < 0) throw new Error('negative');
    return obj;
  },
};

/** A transformer that multiplies `value` by 100 and throws when handed an object it produced itself. */
export function transformOnce(): (obj: NamedObj) => NamedObj {
  const produced = new WeakSet<NamedObj>();
  return (obj) => {
    if (produced.has(obj)) throw new Error(`transformed twice: ${obj.name}`);
    const out = { name: obj.name, value: obj.value * 100 };
    produced.add(out);
    return out;
  };
}

/**
 * Applies a write script to `q`: steps separated by `, `, each `add a1`, `update a1`, `delete a1` (the object
 * named `a` with value 1), `replace a1 b2` (a relist of those objects; `replace` alone relists nothing) or
 * `resync`.
 */
export function applyWrites(q: ReflectorStore<NamedObj>, script: string): void {
  for (const step of script.split(', ')) {
    const [verb, ...args] = step.split(' ');
    const objs = args.map(parseNamedObj);
    if (verb === 'replace') q.replace(objs, '0');
    else if (verb === 'resync') q.resync();
    else if (verb === 'add' || verb === 'update' || verb === 'delete') q[verb](objs[0] as NamedObj);
    else throw new Error(`unknown write ${step}`);
  }
}

function parseNamedObj(token: string): NamedObj {
  const match = /^([a-z]+)(\d+)$/.exec(token);
  if (match === null) throw new Error(`bad object ${token}`);
  return { name: match[1] as string, value: Number(match[2]) };
}

/**
 * One queued change as the implementation tests write it: `Added foo10`, `Deleted DFSU(bar6)` (a tombstone
 * with its last known object), `Deleted DFSU(bar)` (without one), `ReplacedAll 12 [a1, b2]`, `SyncAll`,
 * `Bookmark 12`.
 */
export function formatChange(d: RealFIFODelta<NamedObj>): string {
  switch (d.type) {
    case 'ReplacedAll':
      return `ReplacedAll ${d.resourceVersion} [${d.objects.map((o) => `${o.name}${o.value}`).join(', ')}]`;
    case 'SyncAll':
      return 'SyncAll';
    case 'Bookmark':
      return `Bookmark ${d.resourceVersion}`;
    default: {
      const o = d.object;
      if (o instanceof DeletedFinalStateUnknown) {
        return `${d.type} DFSU(${o.obj ? `${o.obj.name}${o.obj.value}` : o.key})`;
      }
      return `${d.type} ${o.name}${o.value}`;
    }
  }
}

/**
 * Writes ending in a relist that must tombstone `a`, which only the queue holds (nothing known, or known
 * objects that lack it): `want` lists the changes queued for `a`, oldest first, with `Listed` standing for
 * the type the queue gives a listed object (`Sync` or `Replaced`). Shared by DeltaFIFO and the in-order FIFO.
 */
export const QUEUE_ONLY_DELETIONS: readonly { writes: string; want: readonly string[] }[] = [
  { writes: 'add a1, replace', want: ['Added a1', 'Deleted DFSU(a1)'] },
  { writes: 'add a1, delete a1, replace', want: ['Added a1', 'Deleted a1'] },
  {
    writes: 'add a1, replace a1, replace a1, replace',
    want: ['Added a1', 'Listed a1', 'Listed a1', 'Deleted DFSU(a1)'],
  },
  { writes: 'add a1, replace, replace', want: ['Added a1', 'Deleted DFSU(a1)'] },
  { writes: 'add a2, delete a2, add a3, replace', want: ['Added a2', 'Deleted a2', 'Added a3', 'Deleted DFSU(a3)'] },
];
