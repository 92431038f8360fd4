import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { DelayingQueue } from './delaying-queue.js';
import type { WorkQueueMetricsProvider } from './metrics.js';

class Recorder {
  value = 0;
  samples: number[] = [];
  inc(): void {
    this.value++;
  }
  dec(): void {
    this.value--;
  }
  set(v: number): void {
    this.value = v;
  }
  observe(v: number): void {
    this.samples.push(v);
  }
}

function recordingProvider() {
  const m = {
    depth: new Recorder(),
    adds: new Recorder(),
    latency: new Recorder(),
    work: new Recorder(),
    unfinished: new Recorder(),
    longest: new Recorder(),
    retries: new Recorder(),
  };
  const provider: WorkQueueMetricsProvider = {
    newDepthMetric: () => m.depth,
    newAddsMetric: () => m.adds,
    newLatencyMetric: () => m.latency,
    newWorkDurationMetric: () => m.work,
    newUnfinishedWorkSecondsMetric: () => m.unfinished,
    newLongestRunningProcessorSecondsMetric: () => m.longest,
    newRetriesMetric: () => m.retries,
  };
  return { m, provider };
}

describe('workqueue metrics', () => {
  it('reports depth, adds, latency, work duration and unfinished work (TestMetrics)', async () => {
    const clock = new FakeClock(0);
    const { m, provider } = recordingProvider();
    const q = new DelayingQueue<string>({ name: 'test', clock, metricsProvider: provider });
    q.add('foo');
    expect(m.adds.value).toBe(1);
    expect(m.depth.value).toBe(1);
    clock.step(50);
    await q.get();
    expect(m.latency.samples).toEqual([0.05]);
    for (let i = 0; i < 5; i++) q.add('foo');
    expect(m.adds.value).toBe(2);
    expect(m.depth.value).toBe(1);
    clock.step(25);
    q.done('foo');
    expect(m.work.samples).toEqual([0.025]);
    await q.get();
    clock.step(500); // the periodic update runs at t=500 (item running since t=75)
    expect(m.unfinished.value).toBeCloseTo(0.425);
    expect(m.longest.value).toBeCloseTo(0.425);
    q.addAfter('bar', 10);
    expect(m.retries.value).toBe(1);
    q.shutDown();
  });

  it('stops updating after shutdown (TestMetricShutdown)', () => {
    const clock = new FakeClock(0);
    const { m, provider } = recordingProvider();
    const q = new DelayingQueue<string>({ clock, metricsProvider: provider });
    q.shutDown();
    q.add('foo');
    clock.step(5000);
    expect(m.adds.value).toBe(0);
    expect(m.unfinished.value).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
