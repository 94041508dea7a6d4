// The replica's configuration as its services use it, read from the environment in one step.
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { FsyncPolicy, RetentionPolicy } from '@distilled/log-store';
import { readGrpcTls, validateEnv, type Env } from '@distilled/config';
import type { GrpcTlsMaterial } from '@distilled/proto';
import { ServerEnv, type LogFormat } from './server-env';

/** Everything a replica is configured with; built once at boot from the environment. */
export interface ServerConfig {
  etcdEndpoints: string[];
  cluster: string;
  nodeId: string;
  grpcHost: string;
  grpcPort: number;
  /** host:port the other replicas and the API dial. */
  advertise: string;
  dataDir: string;
  minInsync: number;
  fsync: FsyncPolicy;
  segmentBytes: number;
  /** Retention limits (both unset: keep everything). */
  retention: RetentionPolicy;
  leaseTtlSeconds: number;
  replicaLagMs: number;
  commitTimeoutMs: number;
  logFormat: LogFormat;
  /** How long the leader remembers an Idempotency-Key (DISTILLED_IDEMPOTENCY_WINDOW_MS). */
  idempotencyWindowMs: number;
  /** At most this many keys are remembered (DISTILLED_IDEMPOTENCY_MAX_KEYS); oldest go first. */
  idempotencyMaxKeys: number;
  /** Mutual TLS for gRPC, server and client side (DISTILLED_GRPC_TLS_*); null: plaintext. */
  grpcTls: GrpcTlsMaterial | null;
}

/**
 * Reads and checks every server variable (the replica's README lists them). Throws ConfigError
 * on the first bad one; never reads anything but `env`.
 */
export function parseServerConfig(env: Env): ServerConfig {
  const valid = validateEnv(ServerEnv, env);
  return {
    etcdEndpoints: valid.DISTILLED_ETCD,
    cluster: valid.DISTILLED_CLUSTER,
    nodeId: valid.DISTILLED_NODE_ID,
    grpcHost: valid.DISTILLED_GRPC_HOST,
    grpcPort: valid.DISTILLED_GRPC_PORT,
    advertise: valid.DISTILLED_ADVERTISE ?? `${hostname()}:${valid.DISTILLED_GRPC_PORT}`,
    dataDir: valid.DISTILLED_DATA_DIR ?? join('.', 'data', valid.DISTILLED_NODE_ID),
    minInsync: valid.DISTILLED_MIN_INSYNC,
    fsync: valid.DISTILLED_FSYNC,
    segmentBytes: valid.DISTILLED_SEGMENT_BYTES,
    retention: {
      retentionBytes: valid.DISTILLED_RETENTION_BYTES,
      retentionMs: valid.DISTILLED_RETENTION_MS,
    },
    leaseTtlSeconds: valid.DISTILLED_LEASE_TTL,
    replicaLagMs: valid.DISTILLED_REPLICA_LAG_MS,
    commitTimeoutMs: valid.DISTILLED_COMMIT_TIMEOUT_MS,
    logFormat: valid.DISTILLED_LOG_FORMAT,
    idempotencyWindowMs: valid.DISTILLED_IDEMPOTENCY_WINDOW_MS,
    idempotencyMaxKeys: valid.DISTILLED_IDEMPOTENCY_MAX_KEYS,
    grpcTls: readGrpcTls(valid),
  };
}
