/**
 * The columns kubectl shows for the built-in kinds (kube's `pkg/printers/internalversion`), as cell
 * functions over plain JSON. Only what the common `kubectl get` output needs; priority-1 columns appear
 * with `-o wide`.
 */
import type { PrinterColumn } from './resource-definition.js';

// biome-ignore lint/suspicious/noExplicitAny: printers read arbitrary object shapes.
type Json = any;
const col = (name: string, cell: (o: Json, now: number) => unknown, type = 'string', priority = 0): PrinterColumn => ({
  name,
  type,
  priority,
  description: name,
  cell,
});
const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));
const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const len = (v: unknown): number =>
  Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0;

function podStatus(p: Json): string {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  let reason: string = p.status?.reason || p.status?.phase || 'Pending';
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
  }
  return reason;
}

function podReady(p: Json): string {
  const statuses: Json[] = p.status?.containerStatuses ?? [];
  return `${statuses.filter((c) => c.ready).length}/${len(p.spec?.containers)}`;
}

function servicePorts(s: Json): string {
  const ports: Json[] = s.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function nodeStatus(node: Json): string {
  const ready = (node.status?.conditions ?? []).find((c: Json) => c.type === 'Ready');
  const status = ready?.status === 'True' ? 'Ready' : 'NotReady';
  return node.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
}

function jobStatus(j: Json): string {
  const types = (j.status?.conditions ?? []).filter((c: Json) => c.status === 'True').map((c: Json) => c.type);
  if (types.includes('Complete')) return 'Complete';
  if (types.includes('Failed')) return 'Failed';
  if (j.metadata?.deletionTimestamp) return 'Terminating';
  return types.includes('Suspended') ? 'Suspended' : 'Running';
}

/** Columns after NAME (and before AGE) per built-in resource; `age: false` kinds print no AGE. */
export const BUILTIN_COLUMNS: Record<string, PrinterColumn[]> = {
  pods: [
    col('Ready', podReady),
    col('Status', podStatus),
    col('Restarts', (p) =>
      String((p.status?.containerStatuses ?? []).reduce((s: number, c: Json) => s + n(c.restartCount), 0)),
    ),
    col('IP', (p) => none(p.status?.podIP), 'string', 1),
    col('Node', (p) => none(p.spec?.nodeName), 'string', 1),
    col('Nominated Node', (p) => none(p.status?.nominatedNodeName), 'string', 1),
    col('Readiness Gates', (p) => none((p.spec?.readinessGates ?? []).length || ''), 'string', 1),
  ],
  namespaces: [col('Status', (o) => o.status?.phase ?? 'Active')],
  services: [
    col('Type', (s) => s.spec?.type ?? 'ClusterIP'),
    col('Cluster-IP', (s) => none(s.spec?.clusterIP)),
    col('External-IP', (s) => none((s.spec?.externalIPs ?? []).join(','))),
    col('Port(s)', servicePorts),
  ],
  configmaps: [col('Data', (c) => len(c.data) + len(c.binaryData), 'integer')],
  secrets: [col('Type', (s) => s.type ?? 'Opaque'), col('Data', (s) => len(s.data), 'integer')],
  nodes: [
    col('Status', nodeStatus),
    col('Roles', () => '<none>'),
    col('Version', (o) => o.status?.nodeInfo?.kubeletVersion ?? ''),
  ],
  serviceaccounts: [col('Secrets', (o) => len(o.secrets), 'integer')],
  endpoints: [
    col('Endpoints', (e) => {
      const addrs = (e.subsets ?? []).flatMap((s: Json) =>
        (s.addresses ?? []).flatMap((a: Json) =>
          (s.ports ?? [{}]).map((p: Json) => `${a.ip}${p.port ? `:${p.port}` : ''}`),
        ),
      );
      return addrs.length ? addrs.join(',') : '<none>';
    }),
  ],
  persistentvolumeclaims: [
    col('Status', (o) => o.status?.phase ?? 'Pending'),
    col('Volume', (o) => o.spec?.volumeName ?? ''),
    col('Capacity', (o) => o.status?.capacity?.storage ?? ''),
    col('Access Modes', (o) => (o.status?.accessModes ?? []).join(',')),
    col('StorageClass', (o) => o.spec?.storageClassName ?? '<unset>'),
    col('VolumeAttributesClass', (o) => o.spec?.volumeAttributesClassName ?? '<unset>'),
  ],
  deployments: [
    col('Ready', (d) => `${n(d.status?.readyReplicas)}/${d.spec?.replicas ?? 1}`),
    col('Up-to-date', (d) => n(d.status?.updatedReplicas), 'integer'),
    col('Available', (d) => n(d.status?.availableReplicas), 'integer'),
  ],
  replicasets: [
    col('Desired', (d) => d.spec?.replicas ?? 1, 'integer'),
    col('Current', (d) => n(d.status?.replicas), 'integer'),
    col('Ready', (d) => n(d.status?.readyReplicas), 'integer'),
  ],
  statefulsets: [col('Ready', (d) => `${n(d.status?.readyReplicas)}/${d.spec?.replicas ?? 1}`)],
  daemonsets: [
    col('Desired', (d) => n(d.status?.desiredNumberScheduled), 'integer'),
    col('Current', (d) => n(d.status?.currentNumberScheduled), 'integer'),
    col('Ready', (d) => n(d.status?.numberReady), 'integer'),
    col('Up-to-date', (d) => n(d.status?.updatedNumberScheduled), 'integer'),
    col('Available', (d) => n(d.status?.numberAvailable), 'integer'),
    col('Node Selector', (d) =>
      none(
        Object.entries(d.spec?.template?.spec?.nodeSelector ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      ),
    ),
  ],
  jobs: [
    col('Status', jobStatus),
    col('Completions', (j) => `${n(j.status?.succeeded)}/${j.spec?.completions ?? 1}`),
    col('Duration', () => ''),
  ],
  cronjobs: [
    col('Schedule', (c) => c.spec?.schedule ?? ''),
    col('Timezone', (c) => none(c.spec?.timeZone)),
    col('Suspend', (c) => (c.spec?.suspend ? 'True' : 'False')),
    col('Active', (c) => len(c.status?.active), 'integer'),
    col('Last Schedule', () => '<none>'),
  ],
  leases: [col('Holder', (l) => l.spec?.holderIdentity ?? '')],
};
