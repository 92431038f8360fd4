/**
 * The fields the server owns (the registry's `BeforeCreate`/`BeforeUpdate`): uid, resourceVersion,
 * creationTimestamp, generation (bumped when anything outside metadata and status changes),
 * deletionTimestamp; plus the decoding checks and name/label validation that turn bad bodies into
 * 400/422 Status errors.
 */
import { randomUUID } from 'node:crypto';
import {
  badRequestError,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  type KubeObject,
  type StatusCause,
} from '@kubecache/apimachinery';
import { groupVersion, type ResourceDefinition } from '../registry/resource-definition.js';
import { invalidError } from './errors.js';

// biome-ignore lint/suspicious/noExplicitAny: objects are arbitrary JSON.
export type Json = any;

/** Parses a request body as one JSON object (400 otherwise). */
export function decodeObject(body: Buffer): Json {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequestError(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequestError('the body of the request must be a JSON object');
  }
  return value;
}

/** Checks kind/apiVersion (if given) and metadata shapes; fills kind and apiVersion. */
export function checkTypeMeta(def: ResourceDefinition, obj: Json): void {
  const gv = groupVersion(def);
  if (obj.apiVersion !== undefined && obj.apiVersion !== gv) {
    throw badRequestError(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw badRequestError(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
  }
  obj.apiVersion = gv;
  obj.kind = def.kind;
  if (obj.metadata === undefined) obj.metadata = {};
  const m = obj.metadata;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw badRequestError('metadata must be an object');
  for (const field of ['labels', 'annotations']) {
    const map = m[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      throw badRequestError(`metadata.${field} must be a map of strings`);
    }
  }
  for (const field of ['name', 'namespace', 'generateName', 'resourceVersion', 'uid']) {
    if (m[field] !== undefined && m[field] !== null && typeof m[field] !== 'string') {
      throw badRequestError(`metadata.${field} must be a string`);
    }
  }
  if (
    m.finalizers !== undefined &&
    !(Array.isArray(m.finalizers) && m.finalizers.every((f: unknown) => typeof f === 'string'))
  ) {
    throw badRequestError('metadata.finalizers must be a list of strings');
  }
}

/** Validates name, labels and annotations (422 with a cause per field). */
export function validateMeta(def: ResourceDefinition, obj: Json): void {
  const m = obj.metadata;
  const name: string = m.name ?? '';
  const causes: StatusCause[] = [];
  if (name === '') {
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  } else {
    for (const msg of nameErrors(def, name))
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${msg}`, field: 'metadata.name' });
  }
  for (const [k, v] of Object.entries<string>(m.labels ?? {})) {
    for (const msg of isQualifiedName(k))
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${k}": ${msg}`, field: 'metadata.labels' });
    for (const msg of isValidLabelValue(v))
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${v}": ${msg}`, field: `metadata.labels` });
  }
  if (causes.length > 0) throw invalidError(def.group, def.kind, name, causes);
}

function nameErrors(def: ResourceDefinition, name: string): string[] {
  if (!def.dnsLabelNames) return isDNS1123Subdomain(name);
  if (name.length > 63) return ['must be no more than 63 characters'];
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)
    ? []
    : [
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
      ];
}

/** RFC 3339 in whole seconds, as Kubernetes timestamps. */
export function timestamp(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Server-owned fields of a new object: name from generateName, uid, creation time, generation 1. */
export function stampCreate(obj: Json, now: number): void {
  const m = obj.metadata;
  if (!m.name && m.generateName) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
    m.name = `${m.generateName}${suffix}`;
  }
  m.uid = randomUUID();
  m.creationTimestamp = timestamp(now);
  m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
}

/** Whether anything outside metadata and status differs (a "spec" change bumps generation). */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = ({ metadata: _m, status: _s, ...rest }: Json) => rest;
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

/**
 * The object to store for an update of `current` to `incoming`: the server's fields are kept, status
 * (for resources with a status subresource) or everything but status (for `/status`) comes from `current`.
 */
export function mergeUpdate(def: ResourceDefinition, current: Json, incoming: Json, subresource: string): Json {
  let next: Json;
  if (subresource === 'status') {
    next = { ...structuredClone(current), status: incoming.status };
    if (incoming.status === undefined) delete next.status;
    next.metadata = { ...next.metadata };
  } else {
    next = incoming;
    if (def.status) {
      if (current.status === undefined) delete next.status;
      else next.status = structuredClone(current.status);
    }
  }
  const m = next.metadata;
  const cm = current.metadata;
  m.uid = cm.uid;
  m.creationTimestamp = cm.creationTimestamp;
  m.namespace = cm.namespace;
  m.name = cm.name;
  if (cm.deletionTimestamp) {
    m.deletionTimestamp = cm.deletionTimestamp;
    m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (m.namespace === undefined) delete m.namespace;
  delete m.resourceVersion;
  delete m.selfLink;
  m.generation = (cm.generation ?? 1) + (specChanged(current, next) ? 1 : 0);
  return next;
}
