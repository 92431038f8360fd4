#!/usr/bin/env node
/**
 * `kubecache-apiserver`: runs the API server until SIGINT/SIGTERM and writes a kubeconfig kubectl can use.
 *
 *   kubecache-apiserver [--port 6443] [--host 127.0.0.1] [--kubeconfig-out file] [--token-file f] [--tls]
 *                       [--etcd-servers url,…] [--etcd-prefix /registry]
 *                       [--etcd-cafile f] [--etcd-certfile f] [--etcd-keyfile f] [--no-watch-cache]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiServer } from '../server/api-server.js';
import { readTokenFile } from '../server/authn.js';
import type { StorageBackendConfig } from '../storage/storage-backend.js';
import { kubeconfigYaml } from '../testing/kubeconfig.js';

const USAGE = `usage: kubecache-apiserver [--port N] [--host ADDR] [--kubeconfig-out FILE] [--token-file FILE] [--tls]
       [--etcd-servers URL[,URL…]] [--etcd-prefix PREFIX] [--etcd-cafile F] [--etcd-certfile F] [--etcd-keyfile F]
       [--no-watch-cache]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '6443' },
      host: { type: 'string', default: '127.0.0.1' },
      'kubeconfig-out': { type: 'string' },
      'token-file': { type: 'string' },
      tls: { type: 'boolean', default: false },
      'etcd-servers': { type: 'string' },
      'etcd-prefix': { type: 'string', default: '/registry' },
      'etcd-cafile': { type: 'string' },
      'etcd-certfile': { type: 'string' },
      'etcd-keyfile': { type: 'string' },
      'no-watch-cache': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535, got ${values.port}`);
  const storage: StorageBackendConfig = values['etcd-servers']
    ? {
        type: 'etcd3',
        serverList: values['etcd-servers']
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        prefix: values['etcd-prefix'],
        ...(values['etcd-cafile'] && { caFile: values['etcd-cafile'] }),
        ...(values['etcd-certfile'] && { certFile: values['etcd-certfile'] }),
        ...(values['etcd-keyfile'] && { keyFile: values['etcd-keyfile'] }),
      }
    : { type: 'memory' };
  const tokens = values['token-file'] ? readTokenFile(values['token-file']) : [];
  const server = await ApiServer.start({
    port,
    host: values.host,
    storage,
    tls: values.tls,
    tokens,
    watchCache: !values['no-watch-cache'],
  });
  const yaml = kubeconfigYaml({ url: server.url, caPem: server.caPem, token: tokens[0] });
  const out = values['kubeconfig-out'];
  if (out) writeFileSync(out, yaml, { mode: 0o600 });
  console.error(`kubecache-apiserver: serving on ${server.url}${out ? `; kubeconfig written to ${out}` : ''}`);
  const shutdown = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(`kubecache-apiserver: ${(err as Error).message ?? err}`);
  process.exit(1);
});
