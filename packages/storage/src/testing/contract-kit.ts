/**
 * Shared pieces of the Storage contract suites: the backend-under-test shape, the stored objects, tiny
 * selectors that do not depend on the selectors module, and assertion helpers. Test support only (it
 * needs `@jest/globals`).
 */
import { expect } from '@jest/globals';
import type { KubeObject } from '@kubecache/apimachinery';
import { StatusError } from '@kubecache/apimachinery';
import { firstValueFrom, type Observable, take, toArray } from 'rxjs';
import type { Storage } from '../interfaces.js';
import type { FieldSelectorLike, LabelSelectorLike } from '../predicate.js';

/** A backend under test, with the hooks the contract needs beyond the interface. */
export interface StorageUnderTest<T extends KubeObject> {
  storage: Storage<T>;
  /** Compacts history below `revision`. */
  compact(revision: number): Promise<void>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

/** The objects the contract stores. */
export interface ContractPod extends KubeObject {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec: { value: string };
}

/** A contract pod in `ns` named `name`. */
export function contractPod(ns: string, name: string, value = 'v', labels: Record<string, string> = {}): ContractPod {
  return { kind: 'Pod', metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`, labels }, spec: { value } };
}

/** A minimal equality label selector (`k=v,…`) for tests that must not depend on the selectors module. */
export function labelEquals(required: Record<string, string>): LabelSelectorLike {
  const entries = Object.entries(required);
  return {
    matches: (labels) => entries.every(([k, v]) => labels[k] === v),
    empty: () => entries.length === 0,
    toString: () => entries.map(([k, v]) => `${k}=${v}`).join(','),
  };
}

/** A minimal equality field selector (`f=v,…`) for tests. */
export function fieldEquals(required: Record<string, string>): FieldSelectorLike {
  const entries = Object.entries(required);
  return {
    matches: (fields) => entries.every(([k, v]) => (fields[k] ?? '') === v),
    empty: () => entries.length === 0,
    requiresExactMatch: (field) => required[field],
    toString: () => entries.map(([k, v]) => `${k}=${v}`).join(','),
  };
}

/** The contract's key of pod `ns/name`. */
export const key = (ns: string, name: string) => `/pods/${ns}/${name}`;
/** An object's resource version as a number. */
export const rvOf = (o: KubeObject) => Number(o.metadata?.resourceVersion);
/** The names of `items`, in order. */
export const names = (items: readonly KubeObject[]) => items.map((o) => o.metadata?.name);

/** The first `n` values of `obs`. */
export function collect<T>(obs: Observable<T>, n: number): Promise<T[]> {
  return firstValueFrom(obs.pipe(take(n), toArray()));
}

/** Awaits a rejection with a StatusError of `code` (and `message`). */
export async function expectStatus(p: Promise<unknown>, code: number, message?: string | RegExp): Promise<StatusError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StatusError);
  expect((err as StatusError).code).toBe(code);
  if (message !== undefined) expect((err as StatusError).message).toMatch(message);
  return err as StatusError;
}

/** Runs one contract test on a fresh backend, closing it afterwards. */
export type WithStorage = (
  fn: (s: Storage<ContractPod>, t: StorageUnderTest<ContractPod>) => Promise<void>,
) => Promise<void>;
