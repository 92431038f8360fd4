/**
 * An Event recorder (client-go's `tools/record` recorder and broadcaster): `event(obj, type, reason, message)`
 * returns at once and never throws; the Event is correlated (repeats counted, similar ones combined), checked
 * against the per-object spam filter and written to an {@link EventSink} in the background, with retries.
 *
 * One departure from client-go, so that counts stay exact without more traffic: writes of one Event are
 * serialized, and repeats that arrive while a write is in flight are coalesced into the next write (one
 * PATCH carries the latest count). The spam filter drops *new* Events past its budget, as client-go does;
 * a count update past the budget waits for the next token instead of being lost.
 */
import { type Clock, errorReporter, type KubeObject, realClock, StatusError } from '@kubecache/apimachinery';
import {
  type CoreEvent,
  type Correlation,
  EventCorrelator,
  type EventCorrelatorOptions,
  EventSpamFilter,
  type EventSpamFilterOptions,
  spamKey,
} from './event-correlator.js';

/** Where Events are written (the API server's `core/v1` events, or memory in tests). */
export interface EventSink {
  /** Creates the Event. */
  create(event: CoreEvent, signal: AbortSignal): Promise<CoreEvent>;
  /** Updates count, lastTimestamp and message of an existing Event; rejects with a 404 StatusError if gone. */
  patch(event: CoreEvent, signal: AbortSignal): Promise<CoreEvent>;
}

/** `Normal` for expected progress, `Warning` for something a user should look at. */
export type EventType = 'Normal' | 'Warning';

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** Where Events go. Required. */
  sink: EventSink;
  /** `source.component` and `reportingComponent` (e.g. the controller's name). Required. */
  component: string;
  /** `source.host` and `reportingInstance`. Default none. */
  host?: string;
  /** Time source. Default the real clock. */
  clock?: Clock;
  /** Aggregation settings (max similar Events, window). Defaults client-go's: 10 within 10 minutes. */
  correlator?: Omit<EventCorrelatorOptions, 'clock'>;
  /** Per-object write budget. Defaults client-go's: burst 25, one more every 5 minutes. */
  spamFilter?: Omit<EventSpamFilterOptions, 'clock'>;
  /** Attempts per write before the Event is dropped (and reported). Default 12 (client-go's). */
  maxAttempts?: number;
  /** Wait between attempts, ms; the first wait is jittered. Default 10 000 (client-go's). */
  retryIntervalMs?: number;
  /** Told about Events dropped after their last attempt. Default a log line naming the recorder. */
  onError?: (err: unknown, event: CoreEvent) => void;
}

interface Writer {
  /** The newest correlation not yet written. */
  pending: Correlation | undefined;
  /** The server has this Event (a repeat is a patch). */
  created: boolean;
  inFlight: boolean;
  timer: ReturnType<Clock['setTimeout']> | undefined;
  attempts: number;
}

/**
 * Records Events about objects.
 *
 * @example
 * const recorder = new EventRecorder({ sink: new KubeEventSink({ kubeConfig }), component: 'zone-labeler' });
 * recorder.event(pod, 'Normal', 'Labeled', `set zone=${zone}`);
 * await recorder.flush();
 */
export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #correlator: EventCorrelator;
  readonly #spam: EventSpamFilter;
  readonly #writers = new Map<string, Writer>();
  readonly #idle = new Set<() => void>();
  readonly #report: (err: unknown, event: CoreEvent) => void;
  readonly #stop = new AbortController();
  /** Events dropped by the spam filter or after their last attempt. */
  dropped = 0;
  #sequence = 0;

  constructor(options: EventRecorderOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#correlator = new EventCorrelator({ clock: this.#clock, ...options.correlator });
    this.#spam = new EventSpamFilter({ clock: this.#clock, ...options.spamFilter });
    const report = errorReporter(`event recorder ${options.component}`, { clock: this.#clock });
    this.#report = options.onError ?? ((err, e) => report(err, `${e.involvedObject.kind}/${e.involvedObject.name}`));
  }

  /** Records an Event about `obj`. Returns at once; never throws, never waits for the server. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.#stop.signal.aborted) return;
    let event: CoreEvent | undefined;
    try {
      event = this.#makeEvent(obj, type, reason, message);
      const correlation = this.#correlator.correlate(event);
      const writer = this.#writerFor(correlation.key);
      writer.pending = correlation;
      this.#pump(correlation.key, writer);
    } catch (err) {
      if (event) this.#report(err, event);
    }
  }

  /**
   * Resolves once every Event that can be written now has been: nothing in flight, nothing queued. Writes
   * waiting for a retry or for a spam-filter token do not hold it up.
   */
  flush(signal?: AbortSignal): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#idle.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#idle.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops recording: pending timers are cancelled and in-flight writes aborted. */
  stop(): void {
    this.#stop.abort(new Error(`event recorder ${this.#o.component} stopped`));
    for (const w of this.#writers.values()) if (w.timer !== undefined) this.#clock.clearTimeout(w.timer);
    this.#writers.clear();
    this.#wakeIdle();
  }

  #makeEvent(obj: KubeObject, type: EventType, reason: string, message: string): CoreEvent {
    const meta = obj.metadata ?? {};
    const now = this.#clock.now();
    const stamp = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const name = meta.name ?? 'unknown';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      // client-go names Events `<object>.<unix nanos in hex>`; the sequence keeps names apart within one ms.
      metadata: { name: `${name}.${this.#nanosHex(now)}`, namespace: meta.namespace || 'default' },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      source: { component: this.#o.component, host: this.#o.host },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      type,
      reportingComponent: this.#o.component,
      reportingInstance: this.#o.host ?? '',
    };
  }

  #nanosHex(now: number): string {
    this.#sequence = (this.#sequence + 1) % 1_000_000;
    return (BigInt(Math.floor(now)) * 1_000_000n + BigInt(this.#sequence)).toString(16);
  }

  #writerFor(key: string): Writer {
    let w = this.#writers.get(key);
    if (!w) {
      w = { pending: undefined, created: false, inFlight: false, timer: undefined, attempts: 0 };
      this.#writers.set(key, w);
      if (this.#writers.size > 4096) this.#evictIdleWriter();
    }
    return w;
  }

  #evictIdleWriter(): void {
    for (const [k, w] of this.#writers) {
      if (!w.inFlight && !w.pending && w.timer === undefined) {
        this.#writers.delete(k);
        return;
      }
    }
  }

  #pump(key: string, w: Writer): void {
    if (this.#send(key, w)) return;
    this.#wakeIdle();
  }

  /** Starts the next write of `w` if it may go now; false when nothing was started. */
  #send(key: string, w: Writer): boolean {
    if (w.inFlight || w.timer !== undefined || !w.pending || this.#stop.signal.aborted) return false;
    const c = w.pending;
    const sk = spamKey(c.event);
    if (!this.#spam.tryAccept(sk)) {
      if (!w.created) {
        w.pending = undefined;
        this.dropped++;
        return false;
      }
      w.timer = this.#clock.setTimeout(() => {
        w.timer = undefined;
        this.#pump(key, w);
      }, this.#spam.msUntilToken(sk));
      return false;
    }
    w.pending = undefined;
    w.inFlight = true;
    void this.#write(key, w, c);
    return true;
  }

  async #write(key: string, w: Writer, c: Correlation): Promise<void> {
    const signal = this.#stop.signal;
    try {
      if (w.created) await this.#o.sink.patch(c.event, signal);
      else await this.#o.sink.create(c.event, signal);
      w.created = true;
      w.attempts = 0;
    } catch (err) {
      this.#onWriteError(key, w, c, err);
    } finally {
      w.inFlight = false;
    }
    this.#pump(key, w);
  }

  #onWriteError(key: string, w: Writer, c: Correlation, err: unknown): void {
    if (this.#stop.signal.aborted) return;
    if (w.created && err instanceof StatusError && err.code === 404) {
      // The Event expired on the server: write it again as a new one, keeping the count.
      w.created = false;
      w.pending ??= c;
      return;
    }
    w.attempts++;
    const conflict = !w.created && err instanceof StatusError && err.code === 409;
    if (conflict || w.attempts >= (this.#o.maxAttempts ?? 12)) {
      w.attempts = 0;
      this.dropped++;
      this.#report(err, c.event);
      return;
    }
    w.pending ??= c;
    const interval = this.#o.retryIntervalMs ?? 10_000;
    const wait = w.attempts === 1 ? interval * Math.random() : interval;
    w.timer = this.#clock.setTimeout(() => {
      w.timer = undefined;
      this.#pump(key, w);
    }, wait);
  }

  #isIdle(): boolean {
    for (const w of this.#writers.values()) if (w.inFlight || (w.pending && w.timer === undefined)) return false;
    return true;
  }

  #wakeIdle(): void {
    if (this.#idle.size === 0 || !this.#isIdle()) return;
    for (const fn of [...this.#idle]) fn();
  }
}
