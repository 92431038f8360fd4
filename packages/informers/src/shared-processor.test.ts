import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { ProcessorListener } from './processor-listener.js';
import type { InformerEvent, ResourceEventHandler } from './resource-event-handler.js';
import { SharedProcessor } from './shared-processor.js';

/** A pod whose resource version counts its reads. */
function counted(rv: string): { pod: KubeObject; reads: () => number } {
  let reads = 0;
  const metadata = { name: 'a', namespace: 'default' };
  Object.defineProperty(metadata, 'resourceVersion', {
    enumerable: true,
    get: () => {
      reads++;
      return rv;
    },
  });
  return { pod: { metadata } as KubeObject, reads: () => reads };
}

function processorWith(handler: ResourceEventHandler<KubeObject>, resyncPeriodMs = 0) {
  const clock = new FakeClock(0);
  const processor = new SharedProcessor<KubeObject>(clock);
  processor.add(new ProcessorListener({ handler, name: 'h', clock, resyncPeriodMs, onError: () => {} }));
  return processor;
}

describe('SharedProcessor.distributeUpdate', () => {
  it('does not read the old version when no listener can tell a sync (plain callbacks, no resync)', () => {
    const seen: string[] = [];
    const processor = processorWith({ onUpdate: (_o, n) => void seen.push(n.metadata?.name ?? '') });
    const old = counted('1');
    processor.distributeUpdate(old.pod, { metadata: { name: 'a', namespace: 'default', resourceVersion: '2' } });
    expect(seen).toEqual(['a']);
    expect(old.reads()).toBe(0);
  });

  it('compares the versions for a listener that takes onEvent, and tells it isSync', () => {
    const events: InformerEvent<KubeObject>[] = [];
    const processor = processorWith({ onEvent: (e) => void events.push(e) });
    const old = counted('1');
    processor.distributeUpdate(old.pod, old.pod);
    processor.distributeUpdate(old.pod, { metadata: { name: 'a', resourceVersion: '2' } });
    expect(events.map((e) => e.type === 'update' && e.isSync)).toEqual([true, false]);
    expect(old.reads()).toBeGreaterThan(0);
  });

  it('keeps sync updates from a listener with a resync period that is not due', () => {
    const seen: string[] = [];
    const processor = processorWith({ onUpdate: (_o, n) => void seen.push(n.metadata?.resourceVersion ?? '') }, 60_000);
    const [l] = processor.listeners();
    (l as ProcessorListener<KubeObject>).syncing = false;
    const old = counted('1');
    processor.distributeUpdate(old.pod, old.pod);
    processor.distributeUpdate(old.pod, { metadata: { name: 'a', resourceVersion: '2' } });
    expect(seen).toEqual(['2']);
  });
});
