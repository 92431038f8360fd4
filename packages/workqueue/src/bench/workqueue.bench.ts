/**
 * Workqueue throughput: 1M distinct items through add → get → done, against a bare array-with-index loop
 * measured in the same run (the practical floor for a FIFO in JavaScript).
 */
import { type BenchResult, bench, benchAsync, report } from '@kubecache/cache/internal';
import { DelayingQueue } from '../delaying-queue.js';
import { WorkQueue } from '../queue.js';

const N = 1_000_000;

function bareArray(): BenchResult {
  return bench(
    'bare array + head index (push, read, Set add/delete)',
    N,
    () => undefined,
    () => {
      const arr: number[] = [];
      const seen = new Set<number>();
      for (let i = 0; i < N; i++) {
        seen.add(i);
        arr.push(i);
      }
      for (let h = 0; h < arr.length; h++) seen.delete(arr[h] as number);
    },
  );
}

/** Takes `n` items one by one, marking each done. */
async function drain(q: WorkQueue<number>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await q.get();
    if (!r.shutdown) q.done(r.item);
  }
}

/** `copies` adds of each of N items, then N get+done. */
function addThenDrain(name: string, copies: number): Promise<BenchResult> {
  return benchAsync(
    name,
    N,
    () => new WorkQueue<number>(),
    async (q) => {
      for (let i = 0; i < N; i++) for (let c = 0; c < copies; c++) q.add(i);
      await drain(q, N);
    },
  );
}

/** One worker of {@link waitingWorkers}: shuts the queue down after the N-th item overall. */
async function worker(q: WorkQueue<number>, count: { done: number }): Promise<void> {
  for (;;) {
    const r = await q.get();
    if (r.shutdown) return;
    q.done(r.item);
    if (++count.done === N) q.shutDown();
  }
}

function waitingWorkers(): Promise<BenchResult> {
  return benchAsync(
    'WorkQueue with 4 waiting workers, 1M adds',
    N,
    () => new WorkQueue<number>(),
    async (q) => {
      const count = { done: 0 };
      const workers = [worker(q, count), worker(q, count), worker(q, count), worker(q, count)];
      for (let i = 0; i < N; i++) {
        q.add(i);
        if ((i & 1023) === 0) await Promise.resolve();
      }
      await Promise.all(workers);
    },
  );
}

function delayedAdds(): BenchResult {
  return bench(
    'DelayingQueue addAfter ×100k (random delays, one timer)',
    100_000,
    () => new DelayingQueue<number>(),
    (q) => {
      for (let i = 0; i < 100_000; i++) q.addAfter(i, 1000 + ((i * 7919) % 100_000));
      q.shutDown();
    },
  );
}

const baseline = bareArray();
const results = [
  baseline,
  await addThenDrain('WorkQueue add ×1M, then get+done ×1M', 1),
  await addThenDrain('WorkQueue add ×1M with each item added twice (dedup)', 2),
  await waitingWorkers(),
  delayedAdds(),
];
report('workqueue: 1M items', results, baseline);
