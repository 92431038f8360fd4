/**
 * `startTestServer`: the API server in-process for tests (envtest's job without binaries): memory storage,
 * a free port on 127.0.0.1, and a kubeconfig for client-node and kubectl.
 */
import type { KubeObject } from '@kubecache/apimachinery';
import type { Storage } from '@kubecache/storage';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ResourceDefinition } from '../registry/resource-definition.js';
import { ApiServer, type ApiServerOptions } from '../server/api-server.js';
import type { StorageBackendConfig } from '../storage/storage-backend.js';
import { kubeconfigYaml } from './kubeconfig.js';

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Resources served besides CRDs. Default: every built-in. */
  resources?: readonly ResourceDefinition[];
  /** Storage config or instance. Default memory. */
  storage?: StorageBackendConfig | Storage<KubeObject>;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Any other server option (tokens, tls, watchCache, …). */
  server?: Omit<ApiServerOptions, 'resources' | 'storage' | 'port'>;
}

/** A running test server. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** A client-node KubeConfig for the server (namespace `default`). */
  kubeConfig: KubeConfig;
  /** The same as kubeconfig YAML, for kubectl. */
  kubeconfigYaml: string;
  /** The server itself (registry, storage). */
  server: ApiServer;
  /** Stops the server and releases everything it holds. */
  stop(): Promise<void>;
}

/**
 * Starts a server with empty memory storage (plus the default namespaces).
 *
 * @example
 * const ts = await startTestServer();
 * const core = ts.kubeConfig.makeApiClient(CoreV1Api);
 * await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } });
 * await ts.stop();
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await ApiServer.start({
    ...options.server,
    ...(options.resources && { resources: options.resources }),
    ...(options.storage && { storage: options.storage }),
    port: options.port ?? 0,
  });
  const yaml = kubeconfigYaml({ url: server.url, caPem: server.caPem, token: options.server?.tokens?.[0] });
  // client-node is an optional peer: loaded only by those who ask for a test server.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(yaml);
  return { url: server.url, kubeConfig, kubeconfigYaml: yaml, server, stop: () => server.stop() };
}
