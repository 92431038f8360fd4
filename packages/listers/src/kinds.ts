/**
 * The types listers hand out: what an informer's store really holds for each kind. Objects arrive as JSON
 * (timestamps are strings, so client-node's models are mapped with `Wire`) and stores freeze them (so they are
 * `Immutable`). Derive a changed copy with `produce` from @kubecache/apimachinery.
 */
import type { Immutable, Wire } from '@kubecache/apimachinery';
import type * as k8s from '@kubernetes/client-node';

/** A cached object of client-node model `T`: its JSON form, deep read-only. */
export type Cached<T> = Immutable<Wire<T>>;

export type ConfigMap = Cached<k8s.V1ConfigMap>;
export type ControllerRevision = Cached<k8s.V1ControllerRevision>;
export type CronJob = Cached<k8s.V1CronJob>;
export type DaemonSet = Cached<k8s.V1DaemonSet>;
export type Deployment = Cached<k8s.V1Deployment>;
export type Endpoints = Cached<k8s.V1Endpoints>;
export type Event = Cached<k8s.CoreV1Event>;
export type Job = Cached<k8s.V1Job>;
export type LabelSelectorSpec = Cached<k8s.V1LabelSelector>;
export type Namespace = Cached<k8s.V1Namespace>;
export type Node = Cached<k8s.V1Node>;
export type PersistentVolume = Cached<k8s.V1PersistentVolume>;
export type PersistentVolumeClaim = Cached<k8s.V1PersistentVolumeClaim>;
export type Pod = Cached<k8s.V1Pod>;
export type ReplicaSet = Cached<k8s.V1ReplicaSet>;
export type ReplicationController = Cached<k8s.V1ReplicationController>;
export type Secret = Cached<k8s.V1Secret>;
export type Service = Cached<k8s.V1Service>;
export type ServiceAccount = Cached<k8s.V1ServiceAccount>;
export type StatefulSet = Cached<k8s.V1StatefulSet>;
