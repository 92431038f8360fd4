/**
 * Messages between the processes of the head-to-head benchmark (`versus-client-node.bench.ts`): the
 * orchestrator, the pod server (`versus-server.ts`) and one client process per measured case
 * (`versus-client.ts`). Each role runs in its own process so that neither the server's serialization nor
 * the previous case's garbage is billed to the case being measured, and so that RSS is per client.
 */

/** The clients compared. */
export type ClientKind =
  | 'ours'
  | 'ours-no-freeze'
  | 'ours-delta-fifo'
  | 'ours-transport'
  | 'client-node'
  | 'bare'
  | 'bare-client-node';

/** Orchestrator → server. */
export type ServerCommand =
  /** Build the list bytes of `n` pods and `m` MODIFIED watch events, then answer `prepared`. */
  | {
      readonly type: 'prepare';
      readonly n: number;
      readonly m: number;
      /** Serve lists in pages (honour `limit`/`continue`); default: the whole list whatever the limit. */
      readonly paged?: boolean;
      /** Pad each pod with an annotation to about this many bytes of JSON. Default: no padding. */
      readonly podBytes?: number;
      /**
       * The `m` events as a churn mix instead of MODIFIED only: 60% MODIFIED of listed pods, 20% ADDED of new
       * pods, 20% DELETED of the pod added just before. Default false.
       */
      readonly churn?: boolean;
    }
  /**
   * Write the prepared events to the newest open watch stream, then answer `sent`. With `relist`, end the
   * stream with a 410 Expired `ERROR` event instead, so the client relists.
   */
  | { readonly type: 'go'; readonly relist?: boolean }
  /** Cut every open connection (between cases), then answer `reset`. */
  | { readonly type: 'reset' }
  /** Close the server and exit. */
  | { readonly type: 'exit' };

/** Server → orchestrator. */
export type ServerReply =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'prepared'; readonly listBytes: number; readonly eventBytes: number; readonly ms: number }
  | { readonly type: 'watch-open' }
  | { readonly type: 'sent' }
  | { readonly type: 'reset' };

/** What a client process is asked to measure (passed as its only argument, JSON). */
export interface ClientTask {
  readonly kind: ClientKind;
  /** Server base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Pods in the list. */
  readonly n: number;
  /** MODIFIED events the watch stream will carry. */
  readonly m: number;
  /** Give up after this many ms (the case is then reported as capped). */
  readonly timeoutMs: number;
  /** List in pages of 500 (the bare client; ours pages by itself and the server decides). Default false. */
  readonly paged?: boolean;
  /** After the sync, have the server expire the watch and measure the relist (ours and bare). Default false. */
  readonly relist?: boolean;
}

/** Event-loop stalls of one phase (ms): the median, 99th percentile and longest of the delay samples. */
export interface StallFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Garbage-collection pauses of one kind during a phase (ms). */
export interface GcKindFigures {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

/** Garbage-collection pauses of a phase by kind (the `gc` performance entries' `detail.kind`). */
export interface GcFigures {
  readonly scavenge: GcKindFigures;
  readonly markSweepCompact: GcKindFigures;
  readonly incremental: GcKindFigures;
  readonly weakCallbacks: GcKindFigures;
}

/**
 * Figures of one case; a figure is missing when the case stopped before it. Times in ms, memory in MB
 * (deltas from the process's baseline after imports).
 */
export interface ClientResult {
  readonly kind: ClientKind;
  readonly n: number;
  readonly m: number;
  /** Start → the store holds the whole list (our `hasSynced`; client-node's last list add; bare's last `Map.set`). */
  readonly syncMs?: number;
  /** Start → every handler saw every listed object (equals `syncMs` where handlers run inline). */
  readonly handlersMs?: number;
  /** CPU time (user + system, all threads) of the client process from start to `handlersMs`. */
  readonly syncCpuMs?: number;
  /** Longest the event loop was blocked during the sync (ms, wall clock). */
  readonly loopBlockMs?: number;
  /** Event-loop stalls from start to `handlersMs`, CPU-attributed to the main thread (see `stall-sampler.ts`). */
  readonly syncStall?: StallFigures;
  /** The same stalls by the wall clock (including time the OS gave the cores to other processes). */
  readonly syncStallWall?: StallFigures;
  /** The sync's stalls attributed to the whole process's CPU (GC helper threads included). */
  readonly syncStallProcess?: StallFigures;
  /** The sync's stalls, CPU-attributed, minus the GC pauses inside them. */
  readonly syncStallExGc?: StallFigures;
  /** The longest garbage-collection pause during the sync (ms). */
  readonly syncGcMs?: number;
  /** The sync's GC pauses by kind. */
  readonly syncGc?: GcFigures;
  /** `go` → every handler saw the relisted objects (relist cases; includes the Reflector's backoff). */
  readonly relistMs?: number;
  /** Event-loop stalls during the relist, CPU-attributed. */
  readonly relistStall?: StallFigures;
  /** The same by the wall clock. */
  readonly relistStallWall?: StallFigures;
  /** The relist's stalls attributed to the whole process's CPU. */
  readonly relistStallProcess?: StallFigures;
  /** The relist's stalls, CPU-attributed, minus the GC pauses inside them. */
  readonly relistStallExGc?: StallFigures;
  /** The longest garbage-collection pause during the relist (ms). */
  readonly relistGcMs?: number;
  /** The relist's GC pauses by kind. */
  readonly relistGc?: GcFigures;
  /** Heap used after sync and a full GC, minus the baseline. */
  readonly heapMB?: number;
  /** Resident set size after sync and a full GC, minus the baseline. */
  readonly rssMB?: number;
  /** Peak resident set size from start to sync (the OS's high-water mark), minus the baseline. */
  readonly peakRssMB?: number;
  /** `go` → the handler counted all `m` updates (and the store holds them). */
  readonly eventsMs?: number;
  /** CPU time of the client process from `go` to `eventsMs`. */
  readonly eventsCpuMs?: number;
  /**
   * Main-thread busy time from `go` to `eventsMs` (event-loop utilization × time): what is left of `eventsMs`
   * was spent waiting for bytes.
   */
  readonly eventsBusyMs?: number;
  /** The garbage-collection pauses from `go` to `eventsMs`, by kind. */
  readonly eventsGc?: GcFigures;
  /** Why the case stopped early, if it did. */
  readonly error?: string;
}

/** Client → orchestrator. */
export type ClientReply =
  /** Synced and measured memory; the orchestrator answers `go` once the server has the watch open. */
  { readonly type: 'synced' } | { readonly type: 'result'; readonly result: ClientResult };

/** Orchestrator → client. */
export type ClientCommand = { readonly type: 'go' };
