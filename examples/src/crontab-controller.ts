/**
 * A status-reporting reconciler for a custom resource, `CronTab` (`examples.kubecache.io/v1`, the CRD of the
 * Kubernetes docs' example): it parses `spec.cronSpec`, reports in `status` whether it is valid (and why
 * not), the next run time and, each time that time passes, one more run (`status.runs`,
 * `status.lastScheduleTime`). It wakes for the next run with `requeueAfterMs` rather than polling.
 */
import { type Immutable, isStatusCode, produce, type Wire } from '@kubecache/apimachinery';
import { splitMetaNamespaceKey } from '@kubecache/cache';
import type { ControllerRunner, ReconcileResult, SharedIndexInformer } from '@kubecache/informers';
import { namespacedLister } from '@kubecache/listers';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { EXAMPLES_GROUP } from './crd.js';
import { CronSchedule } from './cron-schedule.js';
import { type ExampleControllerOptions, runnerOf } from './example-controller.js';
import { getOrUndefined, keyOf } from './lister-helpers.js';

/** What the controller reports. */
export interface CronTabStatus {
  observedGeneration?: number;
  valid?: boolean;
  message?: string;
  nextScheduleTime?: string;
  lastScheduleTime?: string;
  runs?: number;
}

/** A CronTab as it arrives on the wire. */
export interface CronTab {
  apiVersion?: string;
  kind?: string;
  metadata?: Wire<V1ObjectMeta>;
  spec?: { cronSpec?: string; image?: string; suspend?: boolean };
  status?: CronTabStatus;
}

/** The CronTab resource. */
export const CRONTABS = { group: EXAMPLES_GROUP, version: 'v1', resource: 'crontabs' } as const;

/** A lister of CronTabs. */
export const CronTabLister = namespacedLister<Immutable<CronTab>>(EXAMPLES_GROUP, 'crontab');

/** Options of {@link CronTabController}. */
export interface CronTabControllerOptions extends ExampleControllerOptions {
  /** Time source in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** Counts of what the controller did. */
export interface CronTabStats {
  reconciles: number;
  statusWrites: number;
  runs: number;
}

/** Computes the status a CronTab should have at `now` (pure: the reconcile writes what differs). */
export function desiredStatus(ct: Immutable<CronTab>, now: number): { status: CronTabStatus; wakeInMs?: number } {
  const generation = ct.metadata?.generation;
  const prev = ct.status ?? {};
  const base: CronTabStatus = {
    ...(generation !== undefined && { observedGeneration: generation }),
    runs: prev.runs ?? 0,
    ...(prev.lastScheduleTime && { lastScheduleTime: prev.lastScheduleTime }),
  };
  let schedule: CronSchedule;
  try {
    schedule = new CronSchedule(ct.spec?.cronSpec ?? '');
  } catch (err) {
    return { status: { ...base, valid: false, message: `spec.cronSpec: ${(err as Error).message}` } };
  }
  if (ct.spec?.suspend) return { status: { ...base, valid: true, message: 'suspended' } };
  const due = prev.nextScheduleTime && prev.observedGeneration === generation ? Date.parse(prev.nextScheduleTime) : NaN;
  if (due <= now) {
    base.runs = (base.runs ?? 0) + 1;
    base.lastScheduleTime = new Date(due).toISOString();
  }
  const next = due > now ? due : schedule.next(now);
  if (next === undefined) return { status: { ...base, valid: true, message: 'no run within a year' } };
  return { status: { ...base, valid: true, nextScheduleTime: new Date(next).toISOString() }, wakeInMs: next - now };
}

function sameStatus(a: Immutable<CronTabStatus> | undefined, b: CronTabStatus): boolean {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b)]);
  return [...keys].every((k) => a?.[k as keyof CronTabStatus] === b[k as keyof CronTabStatus]);
}

/** Reports every CronTab's validity and schedule in its status until stopped. */
export class CronTabController {
  readonly #o: CronTabControllerOptions;
  readonly cronTabs: SharedIndexInformer<CronTab>;
  readonly #lister: InstanceType<typeof CronTabLister>;
  readonly #runner: ControllerRunner;
  readonly stats: CronTabStats = { reconciles: 0, statusWrites: 0, runs: 0 };

  constructor(options: CronTabControllerOptions) {
    this.#o = options;
    this.cronTabs = options.factory.informerFor<CronTab>({ ...CRONTABS });
    this.#lister = new CronTabLister({ indexer: this.cronTabs.getIndexer() });
    this.#runner = runnerOf(options, {
      name: 'crontab-controller',
      waitFor: [this.cronTabs],
      reconcile: (key) => this.#reconcile(key),
      ...(options.onError && { onError: options.onError }),
    });
    this.cronTabs.addEventHandler({
      name: 'crontabs',
      onAdd: (ct) => this.#runner.enqueue(keyOf(ct)),
      onUpdate: (_old, ct) => this.#runner.enqueue(keyOf(ct)),
      onDelete: (deleted) => this.#o.log?.(`crontab ${deleted.key} deleted (${deleted.kind})`),
    });
  }

  /** The CronTabs, read through the lister. */
  list(): Immutable<CronTab>[] {
    return this.#lister.list();
  }

  /** Runs the workers until `signal` aborts; then drains in-flight reconciles. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#runner.run(signal);
  }

  async #reconcile(key: string): Promise<ReconcileResult | undefined> {
    this.stats.reconciles++;
    const [namespace, name] = splitMetaNamespaceKey(key);
    const ct = getOrUndefined(() => this.#lister.namespace(namespace).get(name));
    if (!ct) return undefined;
    const { status, wakeInMs } = desiredStatus(ct, (this.#o.now ?? Date.now)());
    const wake = wakeInMs === undefined ? undefined : { requeueAfterMs: Math.max(1, wakeInMs) };
    if (sameStatus(ct.status, status)) return wake;
    try {
      await this.#o.client.replace(
        { ...CRONTABS, namespace },
        produce(ct, (d) => {
          d.status = status;
        }),
        'status',
      );
    } catch (err) {
      if (isStatusCode(err, 409)) return { requeue: true };
      if (isStatusCode(err, 404)) return undefined;
      throw err;
    }
    this.stats.statusWrites++;
    const ran = (status.runs ?? 0) > (ct.status?.runs ?? 0);
    if (ran) this.stats.runs++;
    const what = !status.valid
      ? `invalid: ${status.message}`
      : ran
        ? `ran (#${status.runs}) at ${status.lastScheduleTime}; next ${status.nextScheduleTime}`
        : `valid; next ${status.nextScheduleTime ?? status.message}`;
    this.#o.log?.(`crontab ${key}: ${what}`);
    return wake;
  }
}
