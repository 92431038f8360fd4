/** Typed listers of the `batch/v1` kinds, with client-go's expansion: the Jobs selecting a pod. */
import type { V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';
import type { GenericLister } from './lister.js';
import { findSelecting, objectSelector, specSelectorSearch } from './pod-selection.js';
import { namespacedLister } from './typed-lister.js';

const GROUP = 'batch';

// GetPodJobs reads the selector without an Empty() guard: an empty one selects every labelled pod.
const JOBS_OF_POD = specSelectorSearch<V1Job>('Job', 'jobs', 'jobs', {
  selectorOf: (job) => objectSelector(job.spec?.selector),
});

/** Jobs (`batch/v1/jobs`), with the jobs selecting a pod. */
export class JobLister extends namespacedLister<V1Job>(GROUP, 'job') {
  /**
   * The Jobs of the pod's namespace whose selector matches its labels. As in client-go, a Job with an empty
   * selector matches every labelled pod (there is no `Empty()` guard here, unlike the apps expansions); a
   * nil or invalid selector matches nothing. Throws {@link NoMatchError} when the pod has no labels or none
   * matches.
   */
  getPodJobs(pod: V1Pod): V1Job[] {
    return findSelecting(this, pod, JOBS_OF_POD);
  }
}

/** CronJobs (`batch/v1/cronjobs`). */
export const CronJobLister = namespacedLister<V1CronJob>(GROUP, 'cronjob');
/** A lister of CronJobs. */
export type CronJobLister = GenericLister<V1CronJob>;
