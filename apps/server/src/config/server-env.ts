// The replica's environment as a validated class: each variable once, with its rule and its
// default. parseServerConfig turns an instance into the ServerConfig the services inject.
import { hostname } from 'node:os';
import { IsOptional, IsString } from 'class-validator';
import type { FsyncPolicy } from '@distilled/log-store';
import { ClusterEnv, EnvName, EnvOneOf, EnvRule, EnvWholeNumber } from '@distilled/config';
import {
  DEFAULT_COMMIT_TIMEOUT_MS,
  DEFAULT_FSYNC,
  DEFAULT_GRPC_HOST,
  DEFAULT_GRPC_PORT,
  DEFAULT_LEASE_TTL_SECONDS,
  DEFAULT_MIN_INSYNC,
  DEFAULT_REPLICA_LAG_MS,
  DEFAULT_SEGMENT_BYTES,
} from '../constants';

export type LogFormat = 'json' | 'text';

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** A host or IP to listen on: no spaces, and no "host:port" (an IPv6 literal has several ':'). */
function isListenHost(value: unknown): boolean {
  return typeof value === 'string' && !/\s/.test(value) && !/^[^:]+:\d*$/.test(value);
}

function isHostPort(value: unknown): boolean {
  const match = typeof value === 'string' ? HOST_PORT.exec(value) : null;
  const port = match ? Number(match[2]) : 0;
  return port >= 1 && port <= 65535;
}

export class ServerEnv extends ClusterEnv {
  @EnvName()
  DISTILLED_NODE_ID: string = hostname();

  @EnvRule('must be a host or IP to listen on, without a port', isListenHost)
  DISTILLED_GRPC_HOST: string = DEFAULT_GRPC_HOST;

  @EnvWholeNumber(1, 65535)
  DISTILLED_GRPC_PORT: number = DEFAULT_GRPC_PORT;

  /** Default `<hostname>:<grpc port>`, filled in by parseServerConfig. */
  @IsOptional()
  @EnvRule('must be host:port, the address other replicas dial', isHostPort)
  DISTILLED_ADVERTISE?: string;

  /** Default `data/<node id>`, filled in by parseServerConfig. */
  @IsOptional()
  @IsString()
  DISTILLED_DATA_DIR?: string;

  @EnvWholeNumber(1, 1000)
  DISTILLED_MIN_INSYNC: number = DEFAULT_MIN_INSYNC;

  @EnvOneOf(['always', 'interval', 'never'])
  DISTILLED_FSYNC: FsyncPolicy = DEFAULT_FSYNC;

  @EnvWholeNumber(64 * 1024, Number.MAX_SAFE_INTEGER)
  DISTILLED_SEGMENT_BYTES: number = DEFAULT_SEGMENT_BYTES;

  /** Retention by size (bytes of segment .log files); unset: keep everything. */
  @IsOptional()
  @EnvWholeNumber(1, Number.MAX_SAFE_INTEGER)
  DISTILLED_RETENTION_BYTES?: number;

  /** Retention by age (ms since a closed segment's last write); unset: keep everything. */
  @IsOptional()
  @EnvWholeNumber(1, Number.MAX_SAFE_INTEGER)
  DISTILLED_RETENTION_MS?: number;

  @EnvWholeNumber(1, 60)
  DISTILLED_LEASE_TTL: number = DEFAULT_LEASE_TTL_SECONDS;

  @EnvWholeNumber(10, 600_000)
  DISTILLED_REPLICA_LAG_MS: number = DEFAULT_REPLICA_LAG_MS;

  @EnvWholeNumber(10, 600_000)
  DISTILLED_COMMIT_TIMEOUT_MS: number = DEFAULT_COMMIT_TIMEOUT_MS;

  @EnvOneOf(['json', 'text'])
  DISTILLED_LOG_FORMAT: LogFormat = 'json';
}
