/**
 * Legacy discovery documents (`/api`, `/api/v1`, `/apis`, `/apis/<g>`, `/apis/<g>/<v>`) as kube-apiserver
 * serves them; kubectl 1.27–1.33 falls back to these when aggregated discovery is not offered.
 */
import type { ResourceRegistry, ResourceStore } from '../registry/resource-registry.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `/api`: the core versions. */
export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupOf(registry: ResourceRegistry, name: string) {
  const versions = [...new Set(registry.list(name).map((s) => s.def.version))];
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** `/apis/<group>`: one APIGroup. */
export function apiGroup(registry: ResourceRegistry, name: string) {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupOf(registry, name) };
}

/** `/apis`: every named group. */
export function apiGroupList(registry: ResourceRegistry) {
  const names = [...new Set(registry.list().map((s) => s.def.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map((n) => groupOf(registry, n)) };
}

function entry(s: ResourceStore) {
  const d = s.def;
  return {
    name: d.resource,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: VERBS,
    ...(d.shortNames?.length && { shortNames: d.shortNames }),
    ...(d.categories?.length && { categories: d.categories }),
    storageVersionHash: '',
  };
}

function subresources(s: ResourceStore) {
  const d = s.def;
  const out: object[] = [];
  if (d.status) {
    out.push({
      name: `${d.resource}/status`,
      singularName: '',
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: ['get', 'patch', 'update'],
    });
  }
  if (d.scale) {
    out.push({
      name: `${d.resource}/scale`,
      singularName: '',
      namespaced: d.namespaced,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
  }
  return out;
}

/** `/api/v1` or `/apis/<g>/<v>`: the resources of one group version, or undefined when none. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string) {
  const stores = registry.list(group).filter((s) => s.def.version === version);
  if (stores.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: stores.flatMap((s) => [entry(s), ...subresources(s)]),
  };
}

/** `/version`. */
export function versionInfo() {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-kubecache',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch}`,
  };
}
