/**
 * An {@link EventSink} that keeps Events in memory, for unit tests of code that records Events: the same
 * create/patch contract as the API server (409 on a duplicate name, 404 when patching a missing Event).
 */
import { alreadyExistsError, notFoundError } from '@kubecache/apimachinery';
import type { CoreEvent } from './event-correlator.js';
import type { EventSink } from './event-recorder.js';

/**
 * Events by `namespace/name`, with the requests made.
 *
 * @example
 * const sink = new MemoryEventSink();
 * const recorder = new EventRecorder({ sink, component: 'test', clock });
 */
export class MemoryEventSink implements EventSink {
  readonly events = new Map<string, CoreEvent>();
  readonly requests: { verb: 'create' | 'patch'; name: string; count: number }[] = [];
  /** When set, each request waits for this promise first (hold writes in flight). */
  gate: Promise<void> | undefined;
  /** When set, each request rejects with what it returns (a failing server). */
  fail: (() => Error) | undefined;

  async create(event: CoreEvent, signal: AbortSignal): Promise<CoreEvent> {
    this.requests.push({ verb: 'create', name: event.metadata.name, count: event.count });
    await this.#enter(signal);
    const id = `${event.metadata.namespace}/${event.metadata.name}`;
    if (this.events.has(id)) throw alreadyExistsError('', 'events', event.metadata.name);
    const stored = structuredClone(event);
    this.events.set(id, stored);
    return stored;
  }

  async patch(event: CoreEvent, signal: AbortSignal): Promise<CoreEvent> {
    this.requests.push({ verb: 'patch', name: event.metadata.name, count: event.count });
    await this.#enter(signal);
    const id = `${event.metadata.namespace}/${event.metadata.name}`;
    const stored = this.events.get(id);
    if (!stored) throw notFoundError('', 'events', event.metadata.name);
    stored.count = event.count;
    stored.lastTimestamp = event.lastTimestamp;
    stored.message = event.message;
    return stored;
  }

  async #enter(signal: AbortSignal): Promise<void> {
    if (this.gate) await this.gate;
    signal.throwIfAborted();
    if (this.fail) throw this.fail();
  }
}
