import {
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  DEFAULT_CLUSTER,
  DEFAULT_ETCD,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_BATCH_BYTES,
  MAX_BATCH_BYTES_LIMIT,
  DEFAULT_MAX_IN_FLIGHT,
  MAX_IN_FLIGHT_LIMIT,
  DEFAULT_WRITE_TIMEOUT_MS,
} from '../constants';

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
}

/** A configuration value that cannot be used; the message names the variable and says why. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `"${value}" is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name, fallback ? 'on' : 'off');
  const value = raw.toLowerCase();
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(name, `"${raw}" is neither on nor off`);
}

function endpoints(env: Env, name: string): string[] {
  const list = text(env, name, DEFAULT_ETCD)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of list) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(name, `"${entry}" is not a URL like http://127.0.0.1:2379`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(name, `"${entry}" must start with http:// or https://`);
    }
  }
  if (list.length === 0) throw new ConfigError(name, 'no etcd endpoint given');
  return list;
}

/** Reads and validates the API's environment. Throws ConfigError on the first bad variable. */
export function parseApiConfig(env: Env): ApiConfig {
  const cluster = text(env, 'DISTILLED_CLUSTER', DEFAULT_CLUSTER);
  if (!/^[A-Za-z0-9._-]+$/.test(cluster)) {
    throw new ConfigError(
      'DISTILLED_CLUSTER',
      `"${cluster}" may contain only letters, digits, ".", "_" and "-"`,
    );
  }
  const maxMessageBytes = integer(
    env,
    'DISTILLED_MAX_MESSAGE_BYTES',
    DEFAULT_MAX_MESSAGE_BYTES,
    1,
    16 * 1024 * 1024,
  );
  return {
    host: text(env, 'DISTILLED_API_HOST', DEFAULT_API_HOST),
    port: integer(env, 'DISTILLED_API_PORT', DEFAULT_API_PORT, 0, 65535),
    etcdEndpoints: endpoints(env, 'DISTILLED_ETCD'),
    cluster,
    // Capped well under the 64 MiB gRPC message limit of the API and the replicas, so one
    // message alone always fits an Append and a Read.
    maxMessageBytes,
    // At least one message of the largest size, so such a message can also be sent in a batch.
    maxBatchBytes: integer(
      env,
      'DISTILLED_MAX_BATCH_BYTES',
      Math.max(DEFAULT_MAX_BATCH_BYTES, maxMessageBytes),
      maxMessageBytes,
      MAX_BATCH_BYTES_LIMIT,
    ),
    writeTimeoutMs: integer(
      env,
      'DISTILLED_WRITE_TIMEOUT_MS',
      DEFAULT_WRITE_TIMEOUT_MS,
      100,
      10 * 60 * 1000,
    ),
    maxInFlight: integer(
      env,
      'DISTILLED_API_MAX_IN_FLIGHT',
      DEFAULT_MAX_IN_FLIGHT,
      1,
      MAX_IN_FLIGHT_LIMIT,
    ),
    leanAsyncBind: onOff(env, 'DISTILLED_API_LEAN_ASYNC_BIND', true),
  };
}
