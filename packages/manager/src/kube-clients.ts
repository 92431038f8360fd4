/**
 * The HTTP side of leader election and Events, through `@kubernetes/client-node`: a {@link LeaseLock} on a
 * `coordination.k8s.io/v1` Lease and an {@link EventSink} on `core/v1` Events. Failures become `StatusError`s
 * carrying the server's Status, so callers read `code` and `reason` as elsewhere in kubecache.
 */
import { failureStatus, isStatus, StatusError, type StatusReason } from '@kubecache/apimachinery';
import {
  CoordinationV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Lease,
  V1MicroTime,
} from '@kubernetes/client-node';
import type { CoreEvent } from './event-correlator.js';
import type { EventSink } from './event-recorder.js';
import type { LeaderElectionRecord, LeaseLock, VersionedRecord } from './lease-lock.js';

/** Counts requests by method and HTTP code (`'<error>'` without a response); the manager feeds its metrics. */
export type RequestObserver = (method: string, code: string) => void;

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** client-node's ApiException (code + body) → StatusError; anything else passes through. */
export function toStatusError(err: unknown): unknown {
  const e = err as { code?: unknown; body?: unknown };
  if (typeof e?.code !== 'number' || e.code < 300) return err;
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: build the Status from the code
    }
  }
  const status = isStatus(body)
    ? body
    : failureStatus(e.code, REASONS[e.code] ?? 'Unknown', `the server answered ${e.code}`);
  return new StatusError(status, { cause: err });
}

async function observed<T>(observer: RequestObserver | undefined, method: string, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    observer?.(method, method === 'POST' ? '201' : '200');
    return result;
  } catch (err) {
    const converted = toStatusError(err);
    observer?.(method, converted instanceof StatusError ? String(converted.code) : '<error>');
    throw converted;
  }
}

/** Options of {@link KubeLeaseLock}. */
export interface KubeLeaseLockOptions {
  /** Cluster and credentials. Required. */
  kubeConfig: KubeConfig;
  /** Namespace of the Lease. Required. */
  namespace: string;
  /** Name of the Lease (one per election). Required. */
  name: string;
  /** Told about each request's outcome. Default none. */
  onRequest?: RequestObserver;
}

/**
 * A leader-election lock on a Lease (client-go's `LeaseLock`). `update` sends the resourceVersion it read, so a
 * concurrent writer makes it fail with 409 Conflict.
 *
 * @example
 * const lock = new KubeLeaseLock({ kubeConfig, namespace: 'kube-system', name: 'my-operator' });
 */
export class KubeLeaseLock implements LeaseLock {
  readonly #o: KubeLeaseLockOptions;
  readonly #api: CoordinationV1Api;

  constructor(options: KubeLeaseLockOptions) {
    this.#o = options;
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  describe(): string {
    return `${this.#o.namespace}/${this.#o.name}`;
  }

  async get(): Promise<VersionedRecord | undefined> {
    const { name, namespace } = this.#o;
    try {
      return fromLease(
        await observed(this.#o.onRequest, 'GET', () => this.#api.readNamespacedLease({ name, namespace })),
      );
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  async create(record: LeaderElectionRecord): Promise<VersionedRecord> {
    const body = this.#lease(record, undefined);
    const { namespace } = this.#o;
    return fromLease(
      await observed(this.#o.onRequest, 'POST', () => this.#api.createNamespacedLease({ namespace, body })),
    );
  }

  async update(record: LeaderElectionRecord, resourceVersion: string): Promise<VersionedRecord> {
    const body = this.#lease(record, resourceVersion);
    const { name, namespace } = this.#o;
    return fromLease(
      await observed(this.#o.onRequest, 'PUT', () => this.#api.replaceNamespacedLease({ name, namespace, body })),
    );
  }

  #lease(r: LeaderElectionRecord, resourceVersion: string | undefined): V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.#o.name, namespace: this.#o.namespace, resourceVersion },
      spec: {
        holderIdentity: r.holderIdentity,
        leaseDurationSeconds: r.leaseDurationSeconds,
        acquireTime: r.acquireTime === undefined ? undefined : new V1MicroTime(r.acquireTime),
        renewTime: r.renewTime === undefined ? undefined : new V1MicroTime(r.renewTime),
        leaseTransitions: r.leaseTransitions,
      },
    };
  }
}

function time(value: Date | string | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function fromLease(lease: V1Lease): VersionedRecord {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: time(spec.acquireTime),
      renewTime: time(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}

/** Options of {@link KubeEventSink}. */
export interface KubeEventSinkOptions {
  /** Cluster and credentials. Required. */
  kubeConfig: KubeConfig;
  /** Told about each request's outcome. Default none. */
  onRequest?: RequestObserver;
}

/**
 * Writes `core/v1` Events: POST for a new Event, a JSON merge patch of count, lastTimestamp and message for a
 * repeat (client-go sends the same three fields as a strategic merge patch).
 *
 * @example
 * const recorder = new EventRecorder({ sink: new KubeEventSink({ kubeConfig }), component: 'my-operator' });
 */
export class KubeEventSink implements EventSink {
  readonly #o: KubeEventSinkOptions;
  readonly #api: CoreV1Api;

  constructor(options: KubeEventSinkOptions) {
    this.#o = options;
    this.#api = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  async create(event: CoreEvent): Promise<CoreEvent> {
    const namespace = event.metadata.namespace;
    const body = event as unknown as CoreV1Event;
    await observed(this.#o.onRequest, 'POST', () => this.#api.createNamespacedEvent({ namespace, body }));
    return event;
  }

  async patch(event: CoreEvent): Promise<CoreEvent> {
    const { name, namespace } = event.metadata;
    const body = { count: event.count, lastTimestamp: event.lastTimestamp, message: event.message };
    const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await observed(this.#o.onRequest, 'PATCH', () =>
      this.#api.patchNamespacedEvent({ name, namespace, body }, options),
    );
    return event;
  }
}
