/**
 * The log's options: what a caller may set, their defaults and limits, and the one place they
 * are checked (at open, before anything touches the directory). A bad value is an
 * INVALID_ARGUMENT naming the option.
 *
 * No byte layout, no state: plain values, read by whoever builds the log.
 */
import { logStoreErrors } from './errors';
import { DEFAULT_HIGH_WATERMARK_CHECKPOINT_MS } from './high-watermark-checkpoint';
import type { FsyncPolicy } from './log-store.interface';
import { MAX_BATCH_BYTES } from './record-batch';
import type { SegmentLogger } from './segment';

export type LogStoreLogger = SegmentLogger;

export interface LogOptions {
  /** Directory of the log; created when missing. */
  dir: string;
  /** Roll to a new segment past this size. Default 64 MiB; at most 1 GiB (32-bit index positions). */
  segmentBytes?: number;
  /** `always` (default): a resolved append is on disk. `interval`: fsync every fsyncIntervalMs. `never`: leave it to the OS. */
  fsync?: FsyncPolicy;
  /** Default 1000. Used by fsync `interval`. */
  fsyncIntervalMs?: number;
  /** Bytes of log between sparse index entries. Default 4096. */
  indexIntervalBytes?: number;
  /** Sealed segments kept open (descriptor + index) for reads, besides the active one. Default 8. */
  maxOpenSegments?: number;
  /** Producers remembered for deduplication. Default 10,000. */
  maxProducers?: number;
  /** Largest encoded batch accepted by append/appendBatches. Default 64 MiB. */
  maxBatchBytes?: number;
  /** Least time between two writes of the high-watermark checkpoint. Default 100 ms. */
  highWatermarkCheckpointMs?: number;
  /** Where recovery reports what it cut or rebuilt. Default: silent. */
  logger?: LogStoreLogger;
}

/** The options with every default filled in and every value checked. */
export type ResolvedLogOptions = Required<Omit<LogOptions, 'dir' | 'logger'>> & {
  logger: LogStoreLogger;
};

const DEFAULTS = {
  segmentBytes: 64 * 1024 * 1024,
  fsync: 'always' as FsyncPolicy,
  fsyncIntervalMs: 1000,
  indexIntervalBytes: 4096,
  maxOpenSegments: 8,
  maxProducers: 10_000,
  maxBatchBytes: 64 * 1024 * 1024,
  highWatermarkCheckpointMs: DEFAULT_HIGH_WATERMARK_CHECKPOINT_MS,
};
const MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;
const SILENT: LogStoreLogger = { log: () => undefined, warn: () => undefined };

export function resolveLogOptions(options: LogOptions): ResolvedLogOptions {
  if (!options || typeof options.dir !== 'string' || options.dir === '') {
    throw logStoreErrors.invalidArgument('LogOptions.dir must be a directory path');
  }
  const merged = {
    segmentBytes: options.segmentBytes ?? DEFAULTS.segmentBytes,
    fsync: options.fsync ?? DEFAULTS.fsync,
    fsyncIntervalMs: options.fsyncIntervalMs ?? DEFAULTS.fsyncIntervalMs,
    indexIntervalBytes: options.indexIntervalBytes ?? DEFAULTS.indexIntervalBytes,
    maxOpenSegments: options.maxOpenSegments ?? DEFAULTS.maxOpenSegments,
    maxProducers: options.maxProducers ?? DEFAULTS.maxProducers,
    maxBatchBytes: options.maxBatchBytes ?? DEFAULTS.maxBatchBytes,
    highWatermarkCheckpointMs:
      options.highWatermarkCheckpointMs ?? DEFAULTS.highWatermarkCheckpointMs,
    logger: options.logger ?? SILENT,
  };
  const positive = (name: string, value: number, max: number): void => {
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw logStoreErrors.invalidArgument(
        `LogOptions.${name} must be an integer from 1 to ${max}`,
      );
    }
  };
  positive('segmentBytes', merged.segmentBytes, MAX_SEGMENT_BYTES);
  positive('fsyncIntervalMs', merged.fsyncIntervalMs, 86_400_000);
  positive('indexIntervalBytes', merged.indexIntervalBytes, MAX_SEGMENT_BYTES);
  positive('maxOpenSegments', merged.maxOpenSegments, 100_000);
  positive('maxProducers', merged.maxProducers, 10_000_000);
  positive('maxBatchBytes', merged.maxBatchBytes, MAX_BATCH_BYTES);
  positive('highWatermarkCheckpointMs', merged.highWatermarkCheckpointMs, 86_400_000);
  if (!['always', 'interval', 'never'].includes(merged.fsync)) {
    throw logStoreErrors.invalidArgument(`LogOptions.fsync must be always, interval or never`);
  }
  return merged;
}
