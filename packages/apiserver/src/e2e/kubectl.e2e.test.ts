/**
 * kubectl 1.32 against the server over HTTP on 127.0.0.1, each command with its exact expected output
 * (ages, which depend on timing, are normalised to `<age>`). Without kubectl the suite fails under CI and
 * is skipped loudly elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { findKubectl, Kubectl } from './kubectl.js';
import { waitFor } from './wait.js';

const bin = findKubectl();
if (!bin && process.env.CI) throw new Error('kubectl is required under CI (install kubectl 1.27–1.33)');
if (!bin) console.warn('\n*** kubectl not found on PATH: SKIPPING the kubectl end-to-end tests ***\n');
const describeKubectl = bin ? describe : describe.skip;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
`;

/** Replaces AGE cells (`0s`, `12s`, `3m4s`) at the end of table lines with `<age>`. */
function ages(text: string): string {
  return text.replace(/ +\d+(s|m\d*s?)$/gm, (m) => `${' '.repeat(m.length - m.trimStart().length)}<age>`);
}

describeKubectl('kubectl against the server', () => {
  let ts: TestServer;
  let kubectl: Kubectl;
  beforeAll(async () => {
    ts = await startTestServer();
    kubectl = new Kubectl(bin as string, ts.kubeconfigYaml);
  });
  afterAll(async () => {
    kubectl?.dispose();
    await ts?.stop();
  });

  const ok = async (args: string[]) => {
    const r = await kubectl.run(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };

  it('creates from a file, applies twice (unchanged), applies a change and reads it back as a table, JSON and YAML', async () => {
    const file = kubectl.file('deploy.yaml', DEPLOYMENT);
    expect(await ok(['create', '-f', file])).toBe('deployment.apps/web created\n');
    expect(ages(await ok(['get', 'deployments']))).toBe(
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    0/2     0            0           <age>\n',
    );
    const first = await kubectl.run(['apply', '-f', file]);
    expect(first.stdout).toBe('deployment.apps/web configured\n');
    expect(first.stderr).toContain('missing the kubectl.kubernetes.io/last-applied-configuration annotation');
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/web unchanged\n');
    const changed = kubectl.file('deploy2.yaml', DEPLOYMENT.replace('nginx:1.25', 'nginx:1.26'));
    expect(await ok(['apply', '-f', changed])).toBe('deployment.apps/web configured\n');
    const json = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json']));
    expect(json.spec.template.spec.containers).toEqual([
      { name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80 }] },
    ]);
    expect(json.metadata.generation).toBe(2);
    const yaml = await ok(['get', 'deployment', 'web', '-o', 'yaml']);
    expect(yaml).toContain('  name: web\n  namespace: default\n');
    expect(yaml).toContain('      - image: nginx:1.26\n        name: nginx\n');
  });

  it('labels, annotates, scales and patches with all three patch types', async () => {
    expect(await ok(['label', 'deployment', 'web', 'tier=front'])).toBe('deployment.apps/web labeled\n');
    expect(await ok(['annotate', 'deployment', 'web', 'note=hi'])).toBe('deployment.apps/web annotated\n');
    expect(await ok(['scale', 'deployment', 'web', '--replicas=5'])).toBe('deployment.apps/web scaled\n');
    expect(
      await ok([
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.spec.replicas} {.metadata.labels.tier} {.metadata.annotations.note}',
      ]),
    ).toBe('5 front hi');
    expect(await ok(['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"replicas":1}}'])).toBe(
      'deployment.apps/web patched\n',
    );
    expect(
      await ok([
        'patch',
        'deployment',
        'web',
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/spec/replicas","value":3}]',
      ]),
    ).toBe('deployment.apps/web patched\n');
    const smp = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}';
    expect(await ok(['patch', 'deployment', 'web', '-p', smp])).toBe('deployment.apps/web patched\n');
    expect(await ok(['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"replicas":3}}'])).toBe(
      'deployment.apps/web patched (no change)\n',
    );
    const json = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json']));
    // The strategic merge patch merged the container by name: its ports survived.
    expect(json.spec.template.spec.containers).toEqual([
      { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
    ]);
    expect(json.spec.replicas).toBe(3);
  });

  it('prints pods with the pod columns, watches a change with get -w, and deletes', async () => {
    const pod = kubectl.file(
      'pod.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\nspec:\n  containers:\n  - name: c\n    image: busybox\n',
    );
    expect(await ok(['apply', '-f', pod])).toBe('pod/p1 created\n');
    expect(ages(await ok(['get', 'pods']))).toBe(
      'NAME   READY   STATUS    RESTARTS   AGE\np1     0/1     Pending   0          <age>\n',
    );
    const watching = kubectl.run(['get', 'pods', '-w', '--request-timeout=3s'], 10_000);
    await waitFor(
      () => ts.server.faults.openWatches > 0,
      () => 'kubectl get -w never opened its watch',
    );
    expect(await ok(['label', 'pod', 'p1', 'x=y'])).toBe('pod/p1 labeled\n');
    const watched = await watching;
    expect(ages(watched.stdout)).toBe(
      'NAME   READY   STATUS    RESTARTS   AGE\np1     0/1     Pending   0          <age>\np1     0/1     Pending   0          <age>\n',
    );
    expect(await ok(['delete', 'pod', 'p1'])).toBe('pod "p1" deleted\n');
    const gone = await kubectl.run(['get', 'pod', 'p1']);
    expect([gone.code, gone.stderr]).toEqual([1, 'Error from server (NotFound): pods "p1" not found\n']);
  });

  it('lists the served resources with api-resources', async () => {
    const out = await ok(['api-resources', '--no-headers', '-o', 'name']);
    expect(out.split('\n').filter(Boolean).sort()).toEqual(
      [
        'configmaps',
        'customresourcedefinitions.apiextensions.k8s.io',
        'cronjobs.batch',
        'daemonsets.apps',
        'deployments.apps',
        'endpoints',
        'events',
        'jobs.batch',
        'leases.coordination.k8s.io',
        'namespaces',
        'nodes',
        'persistentvolumeclaims',
        'pods',
        'replicasets.apps',
        'secrets',
        'serviceaccounts',
        'services',
        'statefulsets.apps',
      ].sort(),
    );
  });
});
