import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FsyncPolicy } from '@distilled/log-store';
import {
  DEFAULT_CLUSTER,
  DEFAULT_COMMIT_TIMEOUT_MS,
  DEFAULT_ETCD,
  DEFAULT_FSYNC,
  DEFAULT_GRPC_HOST,
  DEFAULT_GRPC_PORT,
  DEFAULT_IDEMPOTENCY_MAX_KEYS,
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  DEFAULT_LEASE_TTL_SECONDS,
  DEFAULT_MIN_INSYNC,
  DEFAULT_REPLICA_LAG_MS,
  DEFAULT_SEGMENT_BYTES,
} from '../constants';
import { ConfigError } from './config-error';

export type LogFormat = 'json' | 'text';

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
  leaseTtlSeconds: number;
  replicaLagMs: number;
  commitTimeoutMs: number;
  logFormat: LogFormat;
  /** How long the leader remembers an Idempotency-Key (DISTILLED_IDEMPOTENCY_WINDOW_MS). */
  idempotencyWindowMs: number;
  /** At most this many keys are remembered (DISTILLED_IDEMPOTENCY_MAX_KEYS); oldest go first. */
  idempotencyMaxKeys: number;
}

type Env = Record<string, string | undefined>;

/** Names safe in etcd keys and file names: node ids and the cluster prefix. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Unset and empty mean the same: docker-compose passes `VAR=` for "no value". */
function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(
      name,
      `${name} must be a whole number from ${min} to ${max} (got "${value}")`,
    );
  }
  return Number(value);
}

function name(env: Env, variable: string, fallback: string): string {
  const value = raw(env, variable) ?? fallback;
  if (!NAME.test(value)) {
    throw new ConfigError(
      variable,
      `${variable} must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit (got "${value}")`,
    );
  }
  return value;
}

function oneOf<T extends string>(
  env: Env,
  variable: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = raw(env, variable) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      variable,
      `${variable} must be one of ${allowed.join(', ')} (got "${value}")`,
    );
  }
  return value as T;
}

function etcdEndpoints(env: Env): string[] {
  const value = raw(env, 'DISTILLED_ETCD') ?? DEFAULT_ETCD;
  const endpoints = value.split(',').map((endpoint) => endpoint.trim());
  for (const endpoint of endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
      throw new ConfigError(
        'DISTILLED_ETCD',
        `DISTILLED_ETCD must be comma-separated http(s)://host:port URLs (got "${value}")`,
      );
    }
  }
  return endpoints;
}

function advertise(env: Env, port: number): string {
  const value = raw(env, 'DISTILLED_ADVERTISE') ?? `${hostname()}:${port}`;
  const match = HOST_PORT.exec(value);
  const advertisedPort = match ? Number(match[2]) : 0;
  if (!match || advertisedPort < 1 || advertisedPort > 65535) {
    throw new ConfigError(
      'DISTILLED_ADVERTISE',
      `DISTILLED_ADVERTISE must be host:port, the address other replicas dial (got "${value}")`,
    );
  }
  return value;
}

/**
 * Reads and checks every server variable of DESIGN.md part A plus the replica's tuning knobs.
 * Throws ConfigError on the first bad one; never reads anything but `env`.
 */
export function parseServerConfig(env: Env): ServerConfig {
  const nodeId = name(env, 'DISTILLED_NODE_ID', hostname());
  const grpcPort = integer(env, 'DISTILLED_GRPC_PORT', DEFAULT_GRPC_PORT, 1, 65535);
  const grpcHost = raw(env, 'DISTILLED_GRPC_HOST') ?? DEFAULT_GRPC_HOST;
  if (/\s/.test(grpcHost) || /^[^:]+:\d*$/.test(grpcHost)) {
    throw new ConfigError(
      'DISTILLED_GRPC_HOST',
      `DISTILLED_GRPC_HOST must be a host or IP to listen on, without a port (got "${grpcHost}")`,
    );
  }
  const leaseTtlSeconds = integer(env, 'DISTILLED_LEASE_TTL', DEFAULT_LEASE_TTL_SECONDS, 1, 60);
  const replicaLagMs = integer(
    env,
    'DISTILLED_REPLICA_LAG_MS',
    DEFAULT_REPLICA_LAG_MS,
    10,
    600_000,
  );
  const commitTimeoutMs = integer(
    env,
    'DISTILLED_COMMIT_TIMEOUT_MS',
    DEFAULT_COMMIT_TIMEOUT_MS,
    10,
    600_000,
  );
  return {
    etcdEndpoints: etcdEndpoints(env),
    cluster: name(env, 'DISTILLED_CLUSTER', DEFAULT_CLUSTER),
    nodeId,
    grpcHost,
    grpcPort,
    advertise: advertise(env, grpcPort),
    dataDir: raw(env, 'DISTILLED_DATA_DIR') ?? join('.', 'data', nodeId),
    minInsync: integer(env, 'DISTILLED_MIN_INSYNC', DEFAULT_MIN_INSYNC, 1, 1000),
    fsync: oneOf<FsyncPolicy>(
      env,
      'DISTILLED_FSYNC',
      ['always', 'interval', 'never'],
      DEFAULT_FSYNC,
    ),
    segmentBytes: integer(
      env,
      'DISTILLED_SEGMENT_BYTES',
      DEFAULT_SEGMENT_BYTES,
      64 * 1024,
      Number.MAX_SAFE_INTEGER,
    ),
    leaseTtlSeconds,
    replicaLagMs,
    commitTimeoutMs,
    logFormat: oneOf<LogFormat>(env, 'DISTILLED_LOG_FORMAT', ['json', 'text'], 'json'),
    idempotencyWindowMs: integer(
      env,
      'DISTILLED_IDEMPOTENCY_WINDOW_MS',
      DEFAULT_IDEMPOTENCY_WINDOW_MS,
      1000,
      30 * 24 * 60 * 60 * 1000,
    ),
    idempotencyMaxKeys: integer(
      env,
      'DISTILLED_IDEMPOTENCY_MAX_KEYS',
      DEFAULT_IDEMPOTENCY_MAX_KEYS,
      1,
      100_000_000,
    ),
  };
}
