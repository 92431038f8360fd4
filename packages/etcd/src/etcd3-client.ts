/**
 * The gRPC connection to etcd (the apiserver's `newETCD3Client`): the `etcd3` client configured from the
 * storage options (endpoints, TLS with client certificates, dial and request timeouts), and raw watch
 * streams opened with the "require leader" flag so a member cut off from its cluster ends the stream.
 */
import { readFileSync } from 'node:fs';
import { ConsecutiveBreaker, circuitBreaker, handleWhen, retry } from 'cockatiel';
import {
  Etcd3,
  GRPCResourceExhastedError,
  type IDuplexStream,
  type IWatchRequest,
  type IWatchResponse,
  isRecoverableError,
} from 'etcd3';

/** Connection settings, a subset of `Etcd3StorageOptions`. */
export interface EtcdConnectionOptions {
  serverList: readonly string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  dialTimeoutMs: number;
  requestTimeoutMs: number;
}

const GRPC_CANCELLED = 1;

/** A bad connection setting (no endpoints, unreadable or half-given TLS files). Raised by the constructor. */
export class EtcdConfigError extends Error {
  override readonly name = 'EtcdConfigError';
}

/** A raw etcd watch stream. */
export type RawWatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

interface Metadata {
  clone(): Metadata;
  set(key: string, value: string): void;
}

interface WatchServiceClient {
  watch(metadata: Metadata, options: object): RawWatchStream;
}

interface ConnectionPoolLike {
  withConnection<R>(
    service: 'Watch',
    fn: (args: { resource: unknown; client: WatchServiceClient; metadata: Metadata }) => R,
  ): Promise<R>;
  markFailed(resource: unknown, error: Error): void;
}

/** Creates the client. Throws {@link EtcdConfigError} for bad settings; connects lazily. */
export function connect(options: EtcdConnectionOptions): Etcd3 {
  const hosts = [...options.serverList];
  if (hosts.length === 0) throw new EtcdConfigError('serverList is empty: give at least one etcd endpoint');
  for (const h of hosts) {
    if (!/^https?:\/\/[^/]+$/.test(h)) {
      throw new EtcdConfigError(`etcd endpoint "${h}" must look like http://host:port or https://host:port`);
    }
  }
  const tls = options.caFile !== undefined || options.certFile !== undefined || options.keyFile !== undefined;
  if (tls && hosts.some((h) => h.startsWith('http://'))) {
    throw new EtcdConfigError('TLS files were given but some endpoints use http://; use https:// endpoints');
  }
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new EtcdConfigError('certFile and keyFile must be given together');
  }
  return new Etcd3({
    hosts,
    dialTimeout: options.dialTimeoutMs,
    ...(tls && {
      credentials: {
        rootCertificate: readPem(options.caFile, 'caFile') ?? Buffer.alloc(0),
        ...(options.keyFile && { privateKey: readPem(options.keyFile, 'keyFile') }),
        ...(options.certFile && { certChain: readPem(options.certFile, 'certFile') }),
      },
    }),
    faultHandling: faultHandling(),
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + options.requestTimeoutMs }),
  });
}

/**
 * etcd3's policies, except that grpc-js's own "message too large" (RESOURCE_EXHAUSTED, which etcd3 counts as
 * a host failure) neither retries nor trips a host's breaker: the range reader answers it with smaller pages.
 */
function faultHandling() {
  const hostFailure = handleWhen((err) => isRecoverableError(err) && !(err instanceof GRPCResourceExhastedError));
  return {
    host: () => circuitBreaker(hostFailure, { halfOpenAfter: 5_000, breaker: new ConsecutiveBreaker(3) }),
    global: retry(hostFailure, { maxAttempts: 3 }),
  };
}

function readPem(file: string | undefined, what: string): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new EtcdConfigError(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Opens a raw bidirectional watch stream on one of the client's endpoints, with the `hasleader` metadata
 * etcd honours by cancelling the stream when the member has no leader (Go's `WithRequireLeader`).
 */
export async function openWatchStream(client: Etcd3): Promise<RawWatchStream> {
  const pool = (client as unknown as { pool?: ConnectionPoolLike }).pool;
  if (!pool?.withConnection) return client.watchClient.watch();
  return pool.withConnection('Watch', ({ resource, client: service, metadata }) => {
    const md = metadata.clone();
    md.set('hasleader', 'true');
    const stream = service.watch(md, {});
    // Our own cancel() ends a stream with CANCELLED, which etcd3 would count as a host failure (closing
    // every channel to the host and feeding its circuit breaker); only real failures mark the host.
    (stream as unknown as { on(e: 'error', fn: (err: Error & { code?: number }) => void): void }).on('error', (err) => {
      if (err.code !== GRPC_CANCELLED) pool.markFailed(resource, err);
    });
    return stream;
  });
}
