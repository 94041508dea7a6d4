/**
 * What a LocalCluster can be asked for: how many replicas with which settings, which etcd, which
 * ports, TLS and extra environment, where output and exits go. Apart from the class so callers
 * (the CLI, test helpers, benchmarks) read the options without the machinery behind them.
 */
import type { ExitInfo, ManagedProcess, ProcessEnv } from './managed-process';
import type { FsyncPolicy, ReplicaProcessOptions } from './replica-process';
import type { ClusterTlsFiles } from './throwaway-ca';

export interface LocalClusterOptions {
  /** How many replicas to start (default 3), ids replica-1..N. */
  replicas?: number;
  /** DISTILLED_MIN_INSYNC for every replica (default 1). */
  minInsync?: number;
  /** DISTILLED_FSYNC for every replica (default 'always'). */
  fsync?: FsyncPolicy;
  /** Start the HTTP API too (default true). */
  api?: boolean;
  /**
   * Where replica (and etcd) data goes: `<dataRoot>/<replica id>`, `<dataRoot>/etcd`. A given
   * directory is never removed; a temporary one is made when omitted and removed by stop()
   * unless `keepData`.
   */
  dataRoot?: string;
  /** Keep the temporary dataRoot after stop() (to look at a failed test's logs). */
  keepData?: boolean;
  /** Use this running etcd (comma-separated endpoints) instead of starting one. */
  etcdEndpoint?: string;
  /** The address of the etcd this cluster starts (default 127.0.0.1). */
  etcdHost?: string;
  /** Ports for the etcd this cluster starts (free ones when omitted or busy). */
  etcdClientPort?: number;
  etcdPeerPort?: number;
  /** DISTILLED_CLUSTER; unique per LocalCluster when omitted, so clusters can share an etcd. */
  cluster?: string;
  /** Replica gRPC ports are basePort, basePort+1, ... (a free one where busy); all free ones when omitted. */
  basePort?: number;
  /** DISTILLED_GRPC_HOST of the replicas (default 127.0.0.1). */
  grpcHost?: string;
  /** DISTILLED_API_PORT (a free one when omitted) and DISTILLED_API_HOST (default 127.0.0.1). */
  apiPort?: number;
  apiHost?: string;
  /**
   * TLS: every process gets DISTILLED_GRPC_TLS_* (mutual TLS between the API and the replicas
   * and between replicas), the API also DISTILLED_API_TLS_* (HTTPS only); the launcher's own
   * Status calls use the same certificate. `env`/`replicaEnv`/`apiEnv` can override them
   * (a replica given empty values runs plaintext).
   */
  tls?: ClusterTlsFiles;
  /** Extra environment for every replica and the API. */
  env?: ProcessEnv;
  /** Extra environment for the replicas only / the API only (applied after `env`). */
  replicaEnv?: ProcessEnv;
  apiEnv?: ProcessEnv;
  /**
   * Per-replica settings applied over the cluster-wide ones, e.g. its own `grpcHost` and a
   * `wrapper` that runs it in its own network namespace (the fault-injection suite does).
   */
  replicaOptions?: (id: string) => Partial<ReplicaProcessOptions>;
  /** Node flags of the replicas / the API (node-flags.ts by default). */
  replicaNodeArgs?: string[];
  apiNodeArgs?: string[];
  /** Built scripts; dist/apps/{server,api}/main.js under the repository root by default. */
  serverScript?: string;
  apiScript?: string;
  /**
   * Every output line of every process, with its source ("etcd", "replica-1", "api").
   * When omitted and DISTILLED_LAUNCHER_LOGS is set, lines go to stderr prefixed with the source.
   */
  onOutput?: (source: string, line: string) => void;
  /** Called when any process of the cluster exits; `info.expected` is false for a crash. */
  onExit?: (process: ManagedProcess, info: ExitInfo) => void;
  /** SIGTERM grace before SIGKILL in stop() (default 10 s). */
  stopTimeoutMs?: number;
  /** How long each process may take to become ready (default 30 s). */
  readyTimeoutMs?: number;
}

export interface WaitForIsrOptions {
  /** Require the ISR to be exactly `ids` (default) rather than to contain them. */
  exact?: boolean;
}
