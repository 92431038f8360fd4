import { describe, expect, it } from '@jest/globals';
import { internalError, type KubeObject } from '@kubecache/apimachinery';
import { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
import { EventRecorder } from './event-recorder.js';
import { MemoryEventSink } from './memory-event-sink.js';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', resourceVersion: '7' },
};

function setup(extra: Partial<ConstructorParameters<typeof EventRecorder>[0]> = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const sink = new MemoryEventSink();
  const errors: unknown[] = [];
  const recorder = new EventRecorder({
    sink,
    component: 'test-controller',
    clock,
    onError: (err) => errors.push(err),
    ...extra,
  });
  return { clock, sink, recorder, errors };
}

describe('EventRecorder', () => {
  it('writes one Event with count 100 for 100 identical events on one object', async () => {
    const { sink, recorder } = setup();
    for (let i = 0; i < 100; i++) recorder.event(pod, 'Normal', 'Synced', 'synced ok');
    await recorder.flush();
    expect(sink.events.size).toBe(1);
    const [event] = [...sink.events.values()];
    expect(event).toMatchObject({
      count: 100,
      reason: 'Synced',
      message: 'synced ok',
      type: 'Normal',
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u-1' },
      source: { component: 'test-controller' },
    });
    // One create, then repeats coalesced into as few patches as the writes in flight allow.
    expect(sink.requests[0]).toMatchObject({ verb: 'create', count: 1 });
    expect(sink.requests.at(-1)).toMatchObject({ verb: 'patch', count: 100 });
    expect(sink.requests.length).toBeLessThanOrEqual(3);
  });

  it('counts repeats spread over time on the same Event, keeping firstTimestamp', async () => {
    const { clock, sink, recorder } = setup();
    recorder.event(pod, 'Warning', 'Failed', 'boom');
    await recorder.flush();
    clock.step(5_000);
    recorder.event(pod, 'Warning', 'Failed', 'boom');
    await recorder.flush();
    const [event] = [...sink.events.values()];
    expect(event?.count).toBe(2);
    expect(Date.parse(event?.lastTimestamp ?? '') - Date.parse(event?.firstTimestamp ?? '')).toBe(5_000);
  });

  it('combines the 10th similar event (same reason, new message) into one aggregate Event', async () => {
    const { sink, recorder } = setup();
    for (let i = 0; i < 12; i++) {
      recorder.event(pod, 'Warning', 'Failed', `attempt ${i}`);
      await recorder.flush();
    }
    const messages = [...sink.events.values()].map((e) => `${e.message} x${e.count}`);
    expect(messages.filter((m) => m.startsWith('attempt'))).toHaveLength(9);
    expect(messages.filter((m) => m.startsWith('(combined from similar events): '))).toEqual([
      '(combined from similar events): attempt 11 x3',
    ]);
  });

  it('drops new Events about an object past the spam budget, and writes again once a token refills', async () => {
    const { clock, sink, recorder } = setup({ spamFilter: { burst: 3, qps: 1 } });
    for (let i = 0; i < 5; i++) {
      recorder.event(pod, 'Normal', `Reason${i}`, 'm');
      await recorder.flush();
    }
    expect(sink.events.size).toBe(3);
    expect(recorder.dropped).toBe(2);
    clock.step(1_000);
    recorder.event(pod, 'Normal', 'Later', 'm');
    await recorder.flush();
    expect(sink.events.size).toBe(4);
  });

  it('never throws or waits: a failing server is retried, then the Event is reported and dropped', async () => {
    const { clock, sink, recorder, errors } = setup({ maxAttempts: 3, retryIntervalMs: 1_000 });
    sink.fail = () => internalError('etcd is down');
    expect(() => recorder.event(pod, 'Normal', 'Synced', 'ok')).not.toThrow();
    for (let i = 0; i < 5; i++) await clock.stepAsync(1_000);
    expect(sink.requests.filter((r) => r.verb === 'create')).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(recorder.dropped).toBe(1);
    await flushMicrotasks();
  });

  it('recreates an Event that vanished from the server, keeping its count', async () => {
    const { sink, recorder } = setup();
    recorder.event(pod, 'Normal', 'Synced', 'ok');
    await recorder.flush();
    sink.events.clear();
    recorder.event(pod, 'Normal', 'Synced', 'ok');
    await recorder.flush();
    expect([...sink.events.values()].map((e) => e.count)).toEqual([2]);
  });

  it('a stopped recorder ignores new events and releases its timers', async () => {
    const { clock, sink, recorder } = setup({ retryIntervalMs: 1_000 });
    sink.fail = () => internalError('down');
    recorder.event(pod, 'Normal', 'Synced', 'ok');
    await flushMicrotasks();
    recorder.stop();
    expect(clock.pendingTimers()).toBe(0);
    recorder.event(pod, 'Normal', 'Synced', 'again');
    await recorder.flush();
    expect(sink.requests).toHaveLength(1);
  });
});
