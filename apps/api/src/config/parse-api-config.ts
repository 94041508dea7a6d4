// The API's configuration as its services use it, read from the environment in one step.
import {
  allOrNone,
  ConfigError,
  readGrpcTls,
  readKeyPair,
  validateEnv,
  type Env,
} from '@distilled/config';
import type { GrpcTlsMaterial } from '@distilled/proto';
import type { ApiKey } from '../auth/api-key';
import { readApiKeysFile } from '../auth/api-keys-file';
import { DEFAULT_MAX_BATCH_BYTES } from '../constants';
import { ApiEnv } from './api-env';

export interface ApiConfig {
  host: string;
  port: number;
  /** etcd endpoints (DISTILLED_ETCD, comma-separated). */
  etcdEndpoints: string[];
  /** etcd key prefix name (DISTILLED_CLUSTER). */
  cluster: string;
  maxMessageBytes: number;
  /** All messages of one POST /Data/Batch together (DISTILLED_MAX_BATCH_BYTES). */
  maxBatchBytes: number;
  /** One overall deadline for a write, retries included. */
  writeTimeoutMs: number;
  /** Batches the producer keeps in flight (DISTILLED_API_MAX_IN_FLIGHT, 1 to 5). */
  maxInFlight: number;
  /**
   * Give Node < 25 the lean AsyncResource.bind (DISTILLED_API_LEAN_ASYNC_BIND, on by default);
   * off keeps Node's own, for a tool that reads the deprecated `asyncResource` property.
   */
  leanAsyncBind: boolean;
  /** Slow and idle clients: see http/connection-limits.ts. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** The keys of DISTILLED_API_KEYS_FILE (secrets hashed); null when unset: every call open. */
  apiKeys: ApiKey[] | null;
  /** The file they came from, for the start-up line. */
  apiKeysFile: string | null;
  /**
   * Requests per window per API key, or per client IP without keys (DISTILLED_API_RATE_LIMIT);
   * null: no limit but the keys' own (see rate-limit/).
   */
  rateLimit: number | null;
  rateLimitWindowMs: number;
  /** HTTPS (DISTILLED_API_TLS_CERT/_KEY, PEM contents); null: plain HTTP. */
  https: ApiHttpsFiles | null;
  /** Mutual TLS to the replicas (DISTILLED_GRPC_TLS_*); null: plaintext. */
  grpcTls: GrpcTlsMaterial | null;
}

export interface ApiHttpsFiles {
  cert: Buffer;
  key: Buffer;
  /** DISTILLED_API_TLS_CERT, for the start-up line. */
  certFile: string;
}

/** Reads and validates the API's environment. Throws ConfigError on the first bad variable. */
export function parseApiConfig(env: Env): ApiConfig {
  const valid = validateEnv(ApiEnv, env);
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (valid.DISTILLED_API_HEADERS_TIMEOUT_MS > valid.DISTILLED_API_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      'DISTILLED_API_HEADERS_TIMEOUT_MS',
      `must not be longer than DISTILLED_API_REQUEST_TIMEOUT_MS (${valid.DISTILLED_API_REQUEST_TIMEOUT_MS})`,
      String(valid.DISTILLED_API_HEADERS_TIMEOUT_MS),
    );
  }
  return {
    host: valid.DISTILLED_API_HOST,
    port: valid.DISTILLED_API_PORT,
    etcdEndpoints: valid.DISTILLED_ETCD,
    cluster: valid.DISTILLED_CLUSTER,
    maxMessageBytes: valid.DISTILLED_MAX_MESSAGE_BYTES,
    maxBatchBytes:
      valid.DISTILLED_MAX_BATCH_BYTES ??
      Math.max(DEFAULT_MAX_BATCH_BYTES, valid.DISTILLED_MAX_MESSAGE_BYTES),
    writeTimeoutMs: valid.DISTILLED_WRITE_TIMEOUT_MS,
    maxInFlight: valid.DISTILLED_API_MAX_IN_FLIGHT,
    leanAsyncBind: valid.DISTILLED_API_LEAN_ASYNC_BIND,
    headersTimeoutMs: valid.DISTILLED_API_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: valid.DISTILLED_API_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: valid.DISTILLED_API_KEEPALIVE_TIMEOUT_MS,
    maxConnections: valid.DISTILLED_API_MAX_CONNECTIONS,
    apiKeys: valid.DISTILLED_API_KEYS_FILE ? readApiKeysFile(valid.DISTILLED_API_KEYS_FILE) : null,
    apiKeysFile: valid.DISTILLED_API_KEYS_FILE ?? null,
    https: readHttpsFiles(valid),
    grpcTls: readGrpcTls(valid),
    rateLimit: valid.DISTILLED_API_RATE_LIMIT ?? null,
    rateLimitWindowMs: valid.DISTILLED_API_RATE_LIMIT_WINDOW_MS,
  };
}

function readHttpsFiles(valid: ApiEnv): ApiHttpsFiles | null {
  const on = allOrNone({
    DISTILLED_API_TLS_CERT: valid.DISTILLED_API_TLS_CERT,
    DISTILLED_API_TLS_KEY: valid.DISTILLED_API_TLS_KEY,
  });
  if (!on) return null;
  const certFile = valid.DISTILLED_API_TLS_CERT!;
  const pair = readKeyPair(
    { variable: 'DISTILLED_API_TLS_CERT', path: certFile },
    { variable: 'DISTILLED_API_TLS_KEY', path: valid.DISTILLED_API_TLS_KEY! },
  );
  return { ...pair, certFile };
}
