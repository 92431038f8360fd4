import type { KubeObject } from '../object.js';

/** A pod as the API serves it: the fields a real ~1.2 KB pod has, without managedFields. */
export interface FixturePod extends KubeObject {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean }[];
  };
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

/** Options for {@link makePod}. */
export interface MakePodOptions {
  /** Number of namespaces the pods spread over (round robin). Default 100. */
  namespaces?: number;
  /** Number of nodes the pods spread over. Default 50. */
  nodes?: number;
  /** Resource version to stamp. Default `String(i + 1)`. */
  resourceVersion?: string;
}

/**
 * The `i`-th pod of a realistic fixture set (deterministic): labels, annotations, an owner, one container
 * with resources, probes and env, and a running status. About 1.2 KB of JSON.
 */
export function makePod(i: number, options: MakePodOptions = {}): FixturePod {
  const ns = `ns-${i % (options.namespaces ?? 100)}`;
  const app = `app-${i % 37}`;
  const hash = (i * 2654435761).toString(16).padStart(8, '0').slice(-8);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-${hash}-${i}`,
      namespace: ns,
      uid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      resourceVersion: options.resourceVersion ?? String(i + 1),
      creationTimestamp: '2026-11-01T10:00:00Z',
      labels: { app, 'pod-template-hash': hash, tier: i % 3 === 0 ? 'frontend' : 'backend' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-01T09:59:00Z' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: `rs-${i % 997}`, controller: true },
      ],
    },
    spec: {
      nodeName: `node-${i % (options.nodes ?? 50)}`,
      restartPolicy: 'Always',
      serviceAccountName: 'default',
      containers: [
        {
          name: 'main',
          image: `registry.example.com/${app}:1.${i % 10}.0`,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
          volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
        },
      ],
      volumes: [{ name: 'kube-api-access', projected: { defaultMode: 420 } }],
    },
    status: {
      phase: 'Running',
      podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      hostIP: `192.168.0.${i % 50}`,
      startTime: '2026-11-01T10:00:01Z',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-01T10:00:05Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-01T10:00:00Z' },
      ],
      containerStatuses: [
        { name: 'main', ready: true, restartCount: 0, image: `registry.example.com/${app}:1.${i % 10}.0` },
      ],
    },
  };
}

/** `n` fixture pods (see {@link makePod}). */
export function makePods(n: number, options: MakePodOptions = {}): FixturePod[] {
  const pods = new Array<FixturePod>(n);
  for (let i = 0; i < n; i++) pods[i] = makePod(i, options);
  return pods;
}
