/** Typed listers of the `batch/v1` kinds, with the Jobs selecting a pod. */
import type { V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';
import type { TypedListerOptions } from './core-listers.js';
import { GenericLister } from './lister.js';
import { controllerSelector, hasLabels, noLabels, notFoundFor, selecting } from './pod-selection.js';

const GROUP = 'batch';

/** Jobs (`batch/v1/jobs`), with the jobs selecting a pod. */
export class JobLister extends GenericLister<V1Job> {
  constructor(options: TypedListerOptions<V1Job>) {
    super({ ...options, group: GROUP, resource: 'jobs' });
  }

  /**
   * The Jobs of the pod's namespace whose selector matches its labels. Throws {@link NoMatchError} when the
   * pod has no labels or none matches.
   */
  getPodJobs(pod: V1Pod): V1Job[] {
    if (!hasLabels(pod)) throw noLabels('jobs', 'Job', pod);
    const inNamespace = this.namespace(pod.metadata?.namespace ?? '').list();
    const found = selecting(inNamespace, pod, (job) => controllerSelector(job.spec?.selector));
    if (found.length === 0) throw notFoundFor('jobs', 'Job', pod);
    return found;
  }
}

/** CronJobs (`batch/v1/cronjobs`). */
export class CronJobLister extends GenericLister<V1CronJob> {
  constructor(options: TypedListerOptions<V1CronJob>) {
    super({ ...options, group: GROUP, resource: 'cronjobs' });
  }
}
