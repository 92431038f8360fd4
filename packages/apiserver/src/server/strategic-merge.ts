/**
 * Strategic merge patch for the built-in kinds (apimachinery's `strategicpatch`): like a merge patch, but
 * lists of objects with a merge key (containers by `name`, container ports by `containerPort`, …) merge
 * item by item, and the directives kubectl sends (`$patch`, `$setElementOrder/…`, `$retainKeys`,
 * `$deleteFromPrimitiveList/…`) are honoured. Merge keys are looked up by field name rather than from the
 * schema; the table covers the fields of the kinds served.
 */
import type { Json } from './object-meta.js';

/** Merge key per list field name; `''` merges a list of primitives as a set. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
  ownerReferences: 'uid',
  taints: 'key',
  addresses: 'type',
  resourceClaims: 'name',
  finalizers: '',
};

const isMap = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') return items.some((i) => isMap(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.filter((i) => !(isMap(i) && i.$patch === 'delete')).map(stripDirectives);
  if (!isMap(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/**
 * Applies a strategic merge `patch` to `target` (neither is modified).
 *
 * @example
 * strategicMerge({ spec: { containers: [{ name: 'a', image: 'x' }] } },
 *   { spec: { containers: [{ name: 'a', image: 'y' }] } }); // containers: [{ name: 'a', image: 'y' }]
 */
export function strategicMerge(target: Json, patch: Json): Json {
  if (!isMap(patch)) return stripDirectives(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const out: Record<string, Json> = isMap(target) ? { ...target } : {};
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/')) orders.push([k.slice('$setElementOrder/'.length), v]);
    else if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = out[f].filter((x: Json) => !v.includes(x));
    } else if (k.startsWith('$')) continue;
    else if (v === null) delete out[k];
    else if (isMap(v) && v.$patch === 'delete') delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(k, out[k], v);
    else if (isMap(v)) out[k] = strategicMerge(out[k], v);
    else out[k] = v;
  }
  for (const [f, order] of orders)
    if (Array.isArray(out[f]) && Array.isArray(order)) out[f] = reorder(f, out[f], order);
  return out;
}

function mergeList(field: string, current: Json, patch: Json[]): Json[] {
  const key = mergeKeyFor(field, [...patch, ...(Array.isArray(current) ? current : [])]);
  if (key === undefined || !Array.isArray(current)) return stripDirectives(patch);
  if (patch.some((i) => isMap(i) && i.$patch === 'replace'))
    return stripDirectives(patch.filter((i) => !(isMap(i) && i.$patch)));
  if (key === '') return [...current, ...patch.filter((p) => !current.includes(p))];
  const out = [...current];
  for (const item of patch) {
    if (!isMap(item)) continue;
    const at = out.findIndex((c) => isMap(c) && c[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMerge(out[at], item);
    else out.push(stripDirectives(item));
  }
  return out;
}

function reorder(field: string, items: Json[], order: Json[]): Json[] {
  const key = mergeKeyFor(field, items);
  const id = (x: Json): Json => (key && isMap(x) ? x[key] : x);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  const known = items.filter((x) => rank.has(id(x))).sort((a, b) => (rank.get(id(a)) ?? 0) - (rank.get(id(b)) ?? 0));
  return [...known, ...items.filter((x) => !rank.has(id(x)))];
}
