/**
 * Workqueue throughput: 1M distinct items through add → get → done, against a bare array-with-index loop
 * measured in the same run (the practical floor for a FIFO in JavaScript).
 */
import { bench, benchAsync, report } from '@kubecache/cache/testing';
import { DelayingQueue } from '../workqueue/delaying-queue.js';
import { WorkQueue } from '../workqueue/queue.js';

const N = 1_000_000;

async function main(): Promise<void> {
  const baseline = bench(
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
  const queued = await benchAsync(
    'WorkQueue add ×1M, then get+done ×1M',
    N,
    () => new WorkQueue<number>(),
    async (q) => {
      for (let i = 0; i < N; i++) q.add(i);
      for (let i = 0; i < N; i++) {
        const r = await q.get();
        if (!r.shutdown) q.done(r.item);
      }
    },
  );
  const dup = await benchAsync(
    'WorkQueue add ×1M with each item added twice (dedup)',
    N,
    () => new WorkQueue<number>(),
    async (q) => {
      for (let i = 0; i < N; i++) {
        q.add(i);
        q.add(i);
      }
      for (let i = 0; i < N; i++) {
        const r = await q.get();
        if (!r.shutdown) q.done(r.item);
      }
    },
  );
  const waiting = await benchAsync(
    'WorkQueue with 4 waiting workers, 1M adds',
    N,
    () => new WorkQueue<number>(),
    async (q) => {
      let done = 0;
      const worker = async (): Promise<void> => {
        for (;;) {
          const r = await q.get();
          if (r.shutdown) return;
          q.done(r.item);
          if (++done === N) q.shutDown();
        }
      };
      const workers = [worker(), worker(), worker(), worker()];
      for (let i = 0; i < N; i++) {
        q.add(i);
        if ((i & 1023) === 0) await Promise.resolve();
      }
      await Promise.all(workers);
    },
  );
  const delayed = bench(
    'DelayingQueue addAfter ×100k (random delays, one timer)',
    100_000,
    () => new DelayingQueue<number>(),
    (q) => {
      for (let i = 0; i < 100_000; i++) q.addAfter(i, 1000 + ((i * 7919) % 100_000));
      q.shutDown();
    },
  );
  report('workqueue: 1M items', [baseline, queued, dup, waiting, delayed], baseline);
}

await main();
