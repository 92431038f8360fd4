import { describe, expect, it } from '@jest/globals';
import { IndexedStore } from '@kubecache/cache';
import { CronJobLister, JobLister } from './batch-listers.js';
import type { CronJob, Job, Pod } from './kinds.js';

describe('JobLister.getPodJobs', () => {
  const job = (name: string, uid: string): Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ci', uid },
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { spec: { containers: [{ name: 'run', image: 'busybox' }], restartPolicy: 'Never' } },
    },
  });
  const store = new IndexedStore<Job>();
  store.replace([job('build-1', 'u1'), job('build-2', 'u2')], '1');
  const jobs = new JobLister({ indexer: store });
  const pod = (labels: Record<string, string>): Pod => ({
    metadata: { name: 'build-1-abc', namespace: 'ci', labels },
  });

  it('finds the Job whose controller-uid selector matches the pod (on an indexer without the namespace index)', () => {
    const got = jobs.getPodJobs(pod({ 'batch.kubernetes.io/controller-uid': 'u1', 'job-name': 'build-1' }));
    expect(got.map((j) => j.metadata?.name)).toEqual(['build-1']);
  });

  it('reports a pod no Job selects', () => {
    expect(() => jobs.getPodJobs(pod({ 'batch.kubernetes.io/controller-uid': 'u9' }))).toThrow(
      'could not find jobs for pod build-1-abc in namespace ci with labels: map[batch.kubernetes.io/controller-uid:u9]',
    );
  });
});

describe('CronJobLister', () => {
  it('gets cron jobs with a NotFound naming the batch group', () => {
    const store = new IndexedStore<CronJob>();
    store.add({ metadata: { name: 'nightly', namespace: 'ci' }, spec: { schedule: '0 3 * * *', jobTemplate: {} } });
    const lister = new CronJobLister({ indexer: store });
    expect(lister.namespace('ci').get('nightly').spec?.schedule).toBe('0 3 * * *');
    expect(() => lister.namespace('ci').get('hourly')).toThrow('cronjob.batch "hourly" not found');
  });
});
