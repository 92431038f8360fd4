// Test support of @kubecache/etcd: real etcd servers on loopback for tests and benchmarks.
export type { EtcdMemberSpec } from './etcd-process.js';
export { EtcdProcess, EtcdStartError } from './etcd-process.js';
export type { EtcdTlsFiles } from './etcd-tls.js';
export { hasOpenssl, makeTestPki } from './etcd-tls.js';
export { freePort } from './free-port.js';
export type { StartEtcdOptions, TestEtcd, TestEtcdCluster } from './start-etcd.js';
export { startEtcd, startEtcdCluster } from './start-etcd.js';
export { describeWithEtcd, hasEtcd } from './etcd-gate.js';
