// Test helpers users need: fake clock, fake list/watch source, fake expiration policy.
export { FakeClock, flushMicrotasks } from '../clock.js';
export type { FakeExpirationPolicyOptions } from './fake-expiration-policy.js';
export { FakeExpirationPolicy } from './fake-expiration-policy.js';
export type { FakeControllerSourceOptions } from './fake-source.js';
export { FakeControllerSource } from './fake-source.js';
export type { FixturePod, MakePodOptions } from './pods.js';
export { makePod, makePods } from './pods.js';
export type { BenchResult } from './bench-harness.js';
export { bench, benchAsync, report } from './bench-harness.js';
