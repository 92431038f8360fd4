// Test helpers users need: fake clock, fake list/watch source, fake expiration policy.
export { FakeClock, flushMicrotasks } from '../clock.js';
export type { FixturePod, MakePodOptions } from './pods.js';
export { makePod, makePods } from './pods.js';
