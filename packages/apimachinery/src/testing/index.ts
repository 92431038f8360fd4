// Test helpers of @kubecache/apimachinery: a fake clock and pod fixtures.
export { FakeClock, flushMicrotasks } from '../clock.js';
export type { FixturePod, MakePodOptions } from './pods.js';
export { makePod, makePods } from './pods.js';
export type { NodeTimerRecorder, RecordedTimer } from './node-timers.js';
export { recordNodeTimers } from './node-timers.js';
