export { LOG_STORE } from './log-store.interface';
export type {
  AppendOptions,
  AppendResult,
  EpochEndOffset,
  FsyncPolicy,
  LogStore,
  ProducerBatchId,
  ReadResult,
  RecoveryCut,
} from './log-store.interface';
export { LOG_RETENTION } from './log-retention.interface';
export type { LogRetention } from './log-retention.interface';
export { corruptBatchOf, LogStoreError, logStoreErrors } from './errors';
export { isDiskFull } from './disk-full';
export type { CorruptBatch, LogStoreErrorCode } from './errors';
export { Log } from './log';
export type { LogOptions, LogStats, LogStoreLogger } from './log';
export { LogStoreModule, LOG_STORE_OPTIONS } from './log-store.module';
export { REPLICA_METADATA } from './replica-metadata';
export type { ReplicaMetadata } from './replica-metadata';
export {
  BATCH_HEADER_BYTES,
  batchKeys,
  batchMessages,
  checkBatch,
  decodeBatches,
  encodeBatch,
  readBatchHeader,
} from './record-batch';
export type { BatchHeader, BatchInput, DecodedBatch } from './record-batch';
export {
  idempotencyTagProblem,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_REQUEST_HASH_BYTES,
} from './batch-extension';
export type { IdempotencyTag, KeyedPart } from './batch-extension';
export { EpochFile } from './epoch-file';
export { HIGH_WATERMARK_FILE } from './high-watermark-checkpoint';
export { parseHighWatermarkFile } from './high-watermark-file';
export { INCARNATION_FILE } from './incarnation-file';
export { CATCH_UP_FILE } from './catch-up-file';
export type { PendingCatchUp } from './catch-up-file';
export type { Incarnation, IncarnationOrigin } from './incarnation-file';
export { isRetentionOn, retentionStart } from './retention-policy';
export type { RetentionPolicy, SegmentFacts } from './retention-policy';
export { LOG_START_FILE } from './log-start-file';
