// The API's configuration as its services use it, read from the environment in one step.
import { validateEnv, type Env } from '@distilled/config';
import { ApiEnv } from './api-env';

export interface ApiConfig {
  host: string;
  port: number;
  /** etcd endpoints (DISTILLED_ETCD, comma-separated). */
  etcdEndpoints: string[];
  /** etcd key prefix name (DISTILLED_CLUSTER). */
  cluster: string;
  maxMessageBytes: number;
  /** One overall deadline for a write, retries included. */
  writeTimeoutMs: number;
  /** Batches the producer keeps in flight (DISTILLED_API_MAX_IN_FLIGHT, 1 to 5). */
  maxInFlight: number;
  /**
   * Give Node < 25 the lean AsyncResource.bind (DISTILLED_API_LEAN_ASYNC_BIND, on by default);
   * off keeps Node's own, for a tool that reads the deprecated `asyncResource` property.
   */
  leanAsyncBind: boolean;
}

/** Reads and validates the API's environment. Throws ConfigError on the first bad variable. */
export function parseApiConfig(env: Env): ApiConfig {
  const valid = validateEnv(ApiEnv, env);
  return {
    host: valid.DISTILLED_API_HOST,
    port: valid.DISTILLED_API_PORT,
    etcdEndpoints: valid.DISTILLED_ETCD,
    cluster: valid.DISTILLED_CLUSTER,
    maxMessageBytes: valid.DISTILLED_MAX_MESSAGE_BYTES,
    writeTimeoutMs: valid.DISTILLED_WRITE_TIMEOUT_MS,
    maxInFlight: valid.DISTILLED_API_MAX_IN_FLIGHT,
    leanAsyncBind: valid.DISTILLED_API_LEAN_ASYNC_BIND,
  };
}
