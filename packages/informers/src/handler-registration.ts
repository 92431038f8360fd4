/**
 * The handle `addEventHandler` returns (client-go's `ResourceEventHandlerRegistration`), with the handler's
 * own sync state and backlog.
 */
import type { HandlerError, ProcessorListener } from './processor-listener.js';

/**
 * One handler's registration on one informer.
 *
 * `hasSynced()` is true once the informer has synced *and* this handler has processed every object of the
 * initial list (or, for a late joiner, the synthetic adds of the objects present when it joined). A handler
 * that throws on an initial object still syncs; the failure is in `errors()`.
 */
export interface HandlerRegistration {
  /** The handler's name. */
  readonly name: string;
  /** See above. */
  hasSynced(): boolean;
  /** Events waiting for this handler. */
  backlog(): number;
  /** Age in ms of the oldest event waiting for (or being handled by) this handler; 0 when idle. */
  oldestPendingAgeMs(): number;
  /** Handler failures so far, and the last one. */
  errors(): { count: number; last: HandlerError | undefined };
  /** Whether it was removed (or its informer stopped). */
  isRemoved(): boolean;
}

/** The concrete registration; `owner` tells an informer its own registrations from foreign ones. */
export class ListenerRegistration<T> implements HandlerRegistration {
  constructor(
    readonly owner: object,
    readonly listener: ProcessorListener<T>,
    readonly upstreamSynced: () => boolean,
  ) {}

  get name(): string {
    return this.listener.name;
  }

  hasSynced(): boolean {
    return this.upstreamSynced() && this.listener.pendingInitial() === 0;
  }

  backlog(): number {
    return this.listener.backlog();
  }

  oldestPendingAgeMs(): number {
    return this.listener.oldestPendingAgeMs();
  }

  errors(): { count: number; last: HandlerError | undefined } {
    return this.listener.errors();
  }

  isRemoved(): boolean {
    return this.listener.isStopped();
  }
}
