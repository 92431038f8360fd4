// The contracts run against every queue. The pop contract: FIFO, DeltaFIFO and the non-atomic in-order FIFO
// directly. The Store contract: FIFO directly (it is a Store of the queued objects), DeltaFIFO and the
// non-atomic in-order FIFO through their "pending state" view (the newest queued object per key, a key whose
// newest change is a delete counting as absent).
import { describe, expect, it } from '@jest/globals';
import { DeltaFIFO, type Deltas } from './delta-fifo.js';
import { FIFO } from './fifo.js';
import { KeyError } from './keys.js';
import { describeQueuePopContract } from './queue.contract.js';
import { RealFIFO, type RealFIFODeltas } from './real-fifo.js';
import { type ContractObject, describeStoreContract } from './store.contract.js';
import type { ReflectorStore, Store } from './store.js';

interface ChangeLog<T> extends ReflectorStore<T> {
  listKeys(): string[];
  getByKey(key: string): readonly { readonly type: string; readonly object?: unknown }[] | undefined;
  keyOf(obj: T): string;
}

/** The newest non-deleted object queued per key, as a Store. */
function pendingState<T>(queue: ChangeLog<T>): Store<T> {
  const newest = (key: string): T | undefined => {
    const last = queue.getByKey(key)?.at(-1);
    return last === undefined || last.type === 'Deleted' ? undefined : (last.object as T);
  };
  const keys = () => queue.listKeys().filter((k) => newest(k) !== undefined);
  return {
    add: (obj) => queue.add(obj),
    update: (obj) => queue.update(obj),
    delete: (obj) => queue.delete(obj),
    replace: (list, rv) => queue.replace(list, rv),
    resync: () => queue.resync(),
    list: () => keys().map((k) => newest(k) as T),
    listKeys: keys,
    get: (obj) => newest(queue.keyOf(obj)),
    getByKey: newest,
  };
}

const noneKnown = { listKeys: (): string[] => [], getByKey: (): ContractObject | undefined => undefined };

describeStoreContract('FIFO', () => new FIFO<ContractObject>());
const leftOut = { badListItems: 'left-out' } as const;
describeStoreContract(
  'DeltaFIFO pending state',
  () => pendingState<ContractObject>(new DeltaFIFO<ContractObject>()),
  leftOut,
);
describeStoreContract(
  'DeltaFIFO pending state with known objects',
  () =>
    pendingState<ContractObject>(
      new DeltaFIFO<ContractObject>({ knownObjects: noneKnown, emitDeltaTypeReplaced: true }),
    ),
  leftOut,
);
describeStoreContract(
  'RealFIFO pending state',
  () => pendingState<ContractObject>(new RealFIFO<ContractObject>({ knownObjects: noneKnown })),
  leftOut,
);

/** The value of the newest object a change list carries. */
function newestValue(changes: Deltas<ContractObject> | RealFIFODeltas<ContractObject>): string {
  const newest = changes.at(-1);
  return newest !== undefined && 'object' in newest ? (newest.object as ContractObject).value : '';
}

describeQueuePopContract('FIFO', () => new FIFO<ContractObject>(), {
  valueOf: (obj) => obj.value,
  sameKeyWrites: 'merged',
});
describeQueuePopContract('DeltaFIFO', () => new DeltaFIFO<ContractObject>(), {
  valueOf: newestValue,
  sameKeyWrites: 'merged',
});
describeQueuePopContract('RealFIFO', () => new RealFIFO<ContractObject>({ knownObjects: noneKnown }), {
  valueOf: newestValue,
  sameKeyWrites: 'separate',
});

describe('queues: divergences found by differential testing', () => {
  it.each([
    ['DeltaFIFO', () => new DeltaFIFO<ContractObject>()],
    ['RealFIFO', () => new RealFIFO<ContractObject>({ knownObjects: noneKnown })],
    ['RealFIFO atomic', () => new RealFIFO<ContractObject>({ atomicEvents: true })],
  ])('#8 a refused write marks %s populated, as client-go sets populated before keying', (_name, make) => {
    const q = make();
    const unkeyable = { spec: {} } as unknown as ContractObject;
    expect(() => q.add(unkeyable)).toThrow(KeyError);
    expect(q.hasSynced()).toBe(true);
    expect(q.length).toBe(0);
  });
});
