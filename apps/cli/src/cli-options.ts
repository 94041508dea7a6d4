// The CLI's flags (one set for every command, as `distilled --help` lists them) and the typed
// options the commands receive.
import { resolve } from 'node:path';
import { FlagError, Flags } from '@distilled/common';
import type { FsyncPolicy } from '@distilled/launcher';
import { DEFAULT_DATA } from './paths';

export const CLI_FLAGS = {
  replicas: { type: 'string' },
  'min-insync': { type: 'string' },
  'api-port': { type: 'string' },
  'api-keys-file': { type: 'string' },
  'api-host': { type: 'string' },
  'base-port': { type: 'string' },
  'etcd-port': { type: 'string' },
  fsync: { type: 'string' },
  'retention-bytes': { type: 'string' },
  'retention-ms': { type: 'string' },
  'segment-bytes': { type: 'string' },
  fresh: { type: 'boolean' },
  tls: { type: 'boolean' },
  data: { type: 'string' },
  api: { type: 'string' },
  from: { type: 'string' },
  follow: { type: 'boolean' },
  batch: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliFlags = Flags<keyof typeof CLI_FLAGS>;

export interface CliOptions {
  /** Absolute data directory. */
  data: string;
  /** --data was given, so hints repeat it. */
  dataGiven: boolean;
  replicas: number;
  minInsync: number;
  apiPort: number;
  apiHost: string;
  /** --api-keys-file, absolute: the API of `start` runs with these keys (DISTILLED_API_KEYS_FILE). */
  apiKeysFile?: string;
  basePort: number;
  etcdPort: number;
  fsync: FsyncPolicy;
  /** Replica retention and segment size (undefined: the replicas' defaults). */
  retentionBytes?: number;
  retentionMs?: number;
  segmentBytes?: number;
  fresh: boolean;
  /** start --tls: HTTPS and mutual-TLS gRPC with a throwaway CA in <data>/tls. */
  tls: boolean;
  /** --api as given; the running cluster's API when undefined. */
  api?: string;
  from: number;
  follow: boolean;
  /** produce --batch N: N messages per POST /Data/Batch; one POST /Data each when undefined. */
  batch?: number;
  /** produce --key K: request n carries Idempotency-Key K-<n> and is retried with it. */
  key?: string;
}

/** A batch holds 1 to this many messages (the API's limit for POST /Data/Batch). */
const MAX_BATCH_MESSAGES = 10_000;
/** Room for "-<n>" within the API's 255-character Idempotency-Key. */
const KEY_PREFIX = /^[\x21-\x7e]{1,240}$/;

/** Throws FlagError for a value no command could use. */
export function readCliOptions(flags: CliFlags): CliOptions {
  const data = flags.string('data');
  const options: CliOptions = {
    data: resolve(data ?? DEFAULT_DATA),
    dataGiven: data !== undefined,
    fsync: flags.oneOf('fsync', ['always', 'interval', 'never'], 'always'),
    replicas: flags.integer('replicas', 3, 1),
    minInsync: flags.integer('min-insync', 1, 1),
    apiPort: flags.integer('api-port', 5000, 1),
    apiHost: flags.string('api-host', '127.0.0.1'),
    apiKeysFile: flags.string('api-keys-file'),
    basePort: flags.integer('base-port', 50051, 1),
    etcdPort: flags.integer('etcd-port', 2379, 1),
    retentionBytes: optionalInteger(flags, 'retention-bytes', 1),
    retentionMs: optionalInteger(flags, 'retention-ms', 1),
    segmentBytes: optionalInteger(flags, 'segment-bytes', 64 * 1024),
    fresh: flags.has('fresh'),
    tls: flags.has('tls'),
    api: flags.string('api'),
    from: flags.integer('from', 0, 0),
    follow: flags.has('follow'),
    batch: flags.has('batch') ? flags.integer('batch', 1, 1) : undefined,
    key: flags.string('key'),
  };
  if (options.apiKeysFile !== undefined) options.apiKeysFile = resolve(options.apiKeysFile);
  if (options.batch !== undefined && options.batch > MAX_BATCH_MESSAGES) {
    throw new FlagError(
      `--batch must be at most ${MAX_BATCH_MESSAGES} (a batch holds 1 to ${MAX_BATCH_MESSAGES} messages), not ${options.batch}`,
    );
  }
  if (options.key !== undefined && !KEY_PREFIX.test(options.key)) {
    throw new FlagError('--key must be 1 to 240 visible ASCII characters (no spaces)');
  }
  if (options.minInsync > options.replicas) {
    throw new FlagError(
      `--min-insync ${options.minInsync} is more than --replicas ${options.replicas}: no write could ever commit`,
    );
  }
  return options;
}

/** An integer flag without a default: undefined when not given. */
function optionalInteger(
  flags: CliFlags,
  name: keyof typeof CLI_FLAGS,
  min: number,
): number | undefined {
  return flags.string(name) === undefined ? undefined : flags.integer(name, min, min);
}
