// Test doubles of @kubecache/manager: an in-memory Lease lock and Event sink, and a Prometheus text parser.
export { MemoryLeaseLock } from '../lease-lock.js';
export { MemoryEventSink } from '../memory-event-sink.js';
export type { PromSample } from './prom-text.js';
export { PromTextError, parsePromText, sampleValue } from './prom-text.js';
