import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '@kubecache/apimachinery/testing';
import { RetryWithDeadline } from './retry-with-deadline.js';

const retryable = new Error('retry me');
const other = new Error('other');

function window(maxRetryDuration: number) {
  const clock = new FakeClock(0);
  const retry = new RetryWithDeadline({
    maxRetryDurationMs: maxRetryDuration,
    resetAfterMs: 60_000,
    isRetryable: (err) => err === retryable,
    clock,
  });
  return { clock, retry };
}

describe('RetryWithDeadline', () => {
  it('never retries with a zero window', () => {
    const { retry } = window(0);
    retry.after(retryable);
    expect(retry.shouldRetry()).toBe(false);
  });

  it('retries until the window since the first error has passed', () => {
    const { clock, retry } = window(30_000);
    retry.after(retryable);
    clock.step(30_000);
    retry.after(retryable);
    expect(retry.shouldRetry()).toBe(true);
    clock.step(1);
    retry.after(retryable);
    expect(retry.shouldRetry()).toBe(false);
  });

  it('starts a new window after a quiet minute', () => {
    const { clock, retry } = window(30_000);
    retry.after(retryable);
    clock.step(60_000);
    retry.after(retryable);
    clock.step(30_000);
    expect(retry.shouldRetry()).toBe(true);
  });

  it('ignores errors of other kinds and successes', () => {
    const { retry } = window(30_000);
    retry.after(other);
    retry.after(undefined);
    expect(retry.shouldRetry()).toBe(false);
  });
});
