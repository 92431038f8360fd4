/**
 * What the registry strategies of a few kinds add on write: a namespace starts `Active`, a pod `Pending`,
 * and a CRD is checked (name = `<plural>.<group>`, one storage version) and marked Established with its
 * accepted names, as kube-apiserver's CRD controllers do within a second.
 */
import type { StatusCause } from '@kubecache/apimachinery';
import type { ResourceDefinition } from '../registry/resource-definition.js';
import { invalidError } from './errors.js';
import { type Json, timestamp } from './object-meta.js';

/** Fills defaults and checks kind-specific rules before `obj` is stored (`current` is set on update). */
export function prepareSpecial(def: ResourceDefinition, obj: Json, current: Json | undefined): void {
  if (def.crd !== undefined || def.group === 'apps' || def.group === 'batch') return;
  if (def.resource === 'namespaces') {
    obj.spec ??= { finalizers: ['kubernetes'] };
    obj.status ??= { phase: 'Active' };
  } else if (def.resource === 'pods' && current === undefined) {
    obj.status = { phase: 'Pending', ...obj.status };
  } else if (def.resource === 'customresourcedefinitions') {
    prepareCrd(obj, current);
  }
}

function prepareCrd(crd: Json, current: Json | undefined): void {
  const spec = crd.spec ?? {};
  const causes: StatusCause[] = [];
  const need = (cond: boolean, field: string, message: string) => {
    if (!cond) causes.push({ reason: 'FieldValueRequired', message, field });
  };
  need(
    typeof spec.group === 'string' && spec.group.includes('.'),
    'spec.group',
    'Required value: a DNS subdomain with at least one dot',
  );
  need(typeof spec.names?.plural === 'string' && spec.names.plural !== '', 'spec.names.plural', 'Required value');
  need(typeof spec.names?.kind === 'string' && spec.names.kind !== '', 'spec.names.kind', 'Required value');
  need(
    spec.scope === 'Namespaced' || spec.scope === 'Cluster',
    'spec.scope',
    'Unsupported value: must be "Namespaced" or "Cluster"',
  );
  const versions: Json[] = Array.isArray(spec.versions) ? spec.versions : [];
  need(
    versions.length > 0 && versions.every((v) => typeof v?.name === 'string'),
    'spec.versions',
    'Required value: at least one version with a name',
  );
  need(
    versions.filter((v) => v?.storage === true).length === 1,
    'spec.versions',
    'Invalid value: must have exactly one version marked as storage version',
  );
  if (causes.length === 0 && crd.metadata.name !== `${spec.names.plural}.${spec.group}`) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group`,
      field: 'metadata.name',
    });
  }
  if (current && causes.length === 0) {
    if (current.spec?.group !== spec.group || current.spec?.names?.plural !== spec.names.plural) {
      causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable', field: 'spec.group' });
    }
  }
  if (causes.length > 0)
    throw invalidError('apiextensions.k8s.io', 'CustomResourceDefinition', crd.metadata.name ?? '', causes);
  const now = timestamp(Date.now());
  const names = { singular: spec.names.kind.toLowerCase(), listKind: `${spec.names.kind}List`, ...spec.names };
  if (current?.status?.conditions) {
    crd.status = { ...current.status, acceptedNames: names };
    return;
  }
  crd.status = {
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        lastTransitionTime: now,
        reason: 'NoConflicts',
        message: 'no conflicts found',
      },
      {
        type: 'Established',
        status: 'True',
        lastTransitionTime: now,
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
      },
    ],
    acceptedNames: names,
    storedVersions: [versions.find((v) => v.storage)?.name],
  };
}
