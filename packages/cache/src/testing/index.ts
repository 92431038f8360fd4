// Test helpers users need: fake clock, fake list/watch source, fake expiration policy.
export { FakeClock, flushMicrotasks } from '@kubecache/apimachinery/testing';
export type { FakeExpirationPolicyOptions } from './fake-expiration-policy.js';
export { FakeExpirationPolicy } from './fake-expiration-policy.js';
export type { FakeControllerSourceOptions } from './fake-source.js';
export { FakeControllerSource } from './fake-source.js';
