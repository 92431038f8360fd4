/**
 * client-go's `EventCorrelator` (tools/record/events_cache.go): decides, for each recorded Event, whether it
 * is new, a repeat of one already written (same source, object, type, reason and message → the count goes
 * up and the existing Event is patched), or one of many similar Events that differ only in their message
 * (past 10 within 10 minutes they collapse into one "(combined from similar events)" Event). The per-object
 * spam filter (a token bucket, burst 25, one token per 5 minutes) lives in {@link EventSpamFilter}.
 */
import type { Clock } from '@kubecache/apimachinery';

/** A `core/v1` Event as this package writes it (the fields the correlator reads and sets). */
export interface CoreEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: { component?: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: 'Normal' | 'Warning';
  reportingComponent?: string;
  reportingInstance?: string;
}

/** `core/v1` ObjectReference. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** Options of {@link EventCorrelator}. */
export interface EventCorrelatorOptions {
  /** Time source. Required. */
  clock: Clock;
  /** Similar Events (differing only in message) allowed before they are combined. Default 10. */
  maxSimilarEvents?: number;
  /** Window in which similar Events are counted, ms. Default 600 000 (10 min). */
  similarIntervalMs?: number;
  /** Distinct keys remembered (least recently used forgotten first). Default 4096. */
  cacheSize?: number;
}

/** What the correlator made of one Event. */
export interface Correlation {
  /** The Event to write: fresh (`count` 1, a new name) or a repeat (name and count carried forward). */
  event: CoreEvent;
  /** The key identifying the server-side Event this one creates or updates. */
  key: string;
  /** True when an Event with this key was written before (so a PATCH of count/lastTimestamp/message). */
  isRepeat: boolean;
}

interface Observation {
  count: number;
  firstTimestamp: string;
  name: string;
}

interface SimilarRecord {
  messages: Set<string>;
  last: number;
}

/** A Map used as a least-recently-used cache. */
class Lru<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }
  delete(key: string): void {
    this.#map.delete(key);
  }
}

const sep = '\u0000';

/** The full identity of an Event: everything but counts and times. */
export function eventKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [
    e.source.component,
    e.source.host,
    o.kind,
    o.namespace,
    o.name,
    o.fieldPath,
    o.uid,
    o.apiVersion,
    e.type,
    e.reason,
    e.message,
  ].join(sep);
}

/** The object an Event is about, with its source: the spam filter's unit. */
export function spamKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion].join(sep);
}

function similarKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [
    e.source.component,
    e.source.host,
    o.kind,
    o.namespace,
    o.name,
    o.uid,
    o.apiVersion,
    e.type,
    e.reason,
    e.reportingComponent,
    e.reportingInstance,
  ].join(sep);
}

/**
 * Aggregates and counts Events before they are written.
 *
 * @example
 * const c = new EventCorrelator({ clock });
 * const { event, isRepeat } = c.correlate(newEvent); // isRepeat → patch event.count onto event.metadata.name
 */
export class EventCorrelator {
  readonly #clock: Clock;
  readonly #maxSimilar: number;
  readonly #intervalMs: number;
  readonly #similar: Lru<SimilarRecord>;
  readonly #observed: Lru<Observation>;

  constructor(options: EventCorrelatorOptions) {
    this.#clock = options.clock;
    this.#maxSimilar = options.maxSimilarEvents ?? 10;
    this.#intervalMs = options.similarIntervalMs ?? 600_000;
    this.#similar = new Lru(options.cacheSize ?? 4096);
    this.#observed = new Lru(options.cacheSize ?? 4096);
  }

  /** Aggregates, then counts: returns the Event to write and whether it repeats one already written. */
  correlate(incoming: CoreEvent): Correlation {
    const { event, key } = this.#aggregate(incoming);
    const last = this.#observed.get(key);
    const out: CoreEvent = { ...event, metadata: { ...event.metadata } };
    if (last) {
      out.metadata.name = last.name;
      out.firstTimestamp = last.firstTimestamp;
      out.count = last.count + 1;
    }
    this.#observed.set(key, { count: out.count, firstTimestamp: out.firstTimestamp, name: out.metadata.name });
    return { event: out, key, isRepeat: last !== undefined };
  }

  /** Forgets a key (its server-side Event vanished, e.g. expired): the next repeat creates a new one. */
  forget(key: string): void {
    this.#observed.delete(key);
  }

  #aggregate(e: CoreEvent): { event: CoreEvent; key: string } {
    const now = this.#clock.now();
    const aggregateKey = similarKey(e);
    let record = this.#similar.get(aggregateKey);
    if (!record || now - record.last > this.#intervalMs) record = { messages: new Set(), last: now };
    record.messages.add(e.message);
    record.last = now;
    this.#similar.set(aggregateKey, record);
    if (record.messages.size < this.#maxSimilar) return { event: e, key: eventKey(e) };
    // Keep the set from growing past the limit (client-go pops an arbitrary member).
    record.messages.delete(record.messages.values().next().value as string);
    const stamp = new Date(now).toISOString();
    const combined: CoreEvent = {
      ...e,
      metadata: { name: `${e.involvedObject.name ?? 'event'}.${now.toString(16)}`, namespace: e.metadata.namespace },
      message: `(combined from similar events): ${e.message}`,
      count: 1,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
    };
    return { event: combined, key: aggregateKey };
  }
}

/** Options of {@link EventSpamFilter}. */
export interface EventSpamFilterOptions {
  /** Time source. Required. */
  clock: Clock;
  /** Writes allowed at once per object. Default 25. */
  burst?: number;
  /** Refill rate per object, tokens per second. Default 1/300 (one every 5 minutes). */
  qps?: number;
  /** Objects remembered. Default 4096. */
  cacheSize?: number;
}

/** A token bucket per object (client-go's `EventSourceObjectSpamFilter`). */
export class EventSpamFilter {
  readonly #clock: Clock;
  readonly #burst: number;
  readonly #qps: number;
  readonly #buckets: Lru<{ tokens: number; at: number }>;

  constructor(options: EventSpamFilterOptions) {
    this.#clock = options.clock;
    this.#burst = options.burst ?? 25;
    this.#qps = options.qps ?? 1 / 300;
    this.#buckets = new Lru(options.cacheSize ?? 4096);
  }

  /** Takes a token for `key` if one is available. */
  tryAccept(key: string): boolean {
    const b = this.#refill(key);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Milliseconds until `key` has a token again (0 if it has one now). */
  msUntilToken(key: string): number {
    const b = this.#refill(key);
    return b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) / this.#qps) * 1000);
  }

  #refill(key: string): { tokens: number; at: number } {
    const now = this.#clock.now();
    let b = this.#buckets.get(key);
    if (!b) b = { tokens: this.#burst, at: now };
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#qps);
    b.at = now;
    this.#buckets.set(key, b);
    return b;
  }
}
