/** Typed listers of the `batch/v1` kinds, with client-go's expansion: the Jobs selecting a pod. */
import type { CronJob, Job, Pod } from './kinds.js';
import type { GenericLister } from './lister.js';
import { findSelecting, objectSelector, specSelectorSearch } from './pod-selection.js';
import { namespacedLister } from './typed-lister.js';

const GROUP = 'batch';

// GetPodJobs reads the selector without an Empty() guard: an empty one selects every labelled pod.
const JOBS_OF_POD = specSelectorSearch<Job>('Job', 'jobs', 'jobs', {
  selectorOf: (job) => objectSelector(job.spec?.selector),
});

/** Jobs (`batch/v1/jobs`), with the jobs selecting a pod. */
export class JobLister extends namespacedLister<Job>(GROUP, 'job') {
  /**
   * The Jobs of the pod's namespace whose selector matches its labels. As in client-go, a Job with an empty
   * selector matches every labelled pod (there is no `Empty()` guard here, unlike the apps expansions); a
   * nil or invalid selector matches nothing. Throws {@link NoMatchError} when the pod has no labels or none
   * matches.
   */
  getPodJobs(pod: Pod): Job[] {
    return findSelecting(this, pod, JOBS_OF_POD);
  }
}

/** CronJobs (`batch/v1/cronjobs`). */
export const CronJobLister = namespacedLister<CronJob>(GROUP, 'cronjob');
/** A lister of CronJobs. */
export type CronJobLister = GenericLister<CronJob>;
