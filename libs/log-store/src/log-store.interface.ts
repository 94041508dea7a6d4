/**
 * The narrow surface a replica uses to reach its log. The implementation is the segment-file
 * `Log` in this library; the server injects it with the LOG_STORE token and never touches files
 * itself. Two neighbours have their own interface and token: the replica's files beside the log
 * (HW checkpoint, catch-up note, incarnation) are ReplicaMetadata (replica-metadata.ts), and
 * moving the log start (retention) is LogRetention (log-retention.interface.ts).
 *
 * Offsets are plain numbers (contiguous from 0, below 2^53). Messages are bytes.
 */
import type { IdempotencyTag, KeyedPart } from './batch-extension';

export const LOG_STORE = Symbol('LOG_STORE');

/** Identifies a batch written by an idempotent producer (libs/log-store/README.md, idempotent producers). */
export interface ProducerBatchId {
  /** Non-zero producer id; 0 means "no producer". */
  producerId: number;
  /** The producer's batch sequence; a retry of the same batch reuses it. */
  sequence: number;
}

/**
 * What a leader append may ask for besides its messages (apps/api/README.md, "Batches and safe
 * retries").
 */
export interface AppendOptions {
  /**
   * Append only if the batch's first offset is this one, decided when the writer stamps its
   * offset (in append order); otherwise it fails with OFFSET_MISMATCH and nothing is stored.
   */
  expectedOffset?: number;
  /** Kept in the batch's extension section, replicated and read back with it. */
  idempotency?: IdempotencyTag;
  /**
   * Instead of `idempotency`: the keys of several requests that share this batch, each owning
   * the next `count` messages (counts adding up to the messages). The batch stays one unit:
   * all of it is committed, or none.
   */
  keyedParts?: readonly KeyedPart[];
}

export interface AppendResult {
  baseOffset: number;
  count: number;
  /** True when (producerId, sequence) was already in the log: the original offsets are returned. */
  duplicate: boolean;
}

export interface ReadResult {
  offset: number;
  message: Buffer;
  /** The leader epoch of the batch that holds the message. */
  epoch: number;
}

export interface EpochEndOffset {
  /** The largest epoch <= the requested one that the log knows (-1 when the log knows none). */
  epoch: number;
  /** Where that epoch ends: the start offset of the next epoch, or the log end offset. */
  endOffset: number;
}

export type FsyncPolicy = 'always' | 'interval' | 'never';

/** A piece of the log that recovery at open found torn or damaged and cut off. */
export interface RecoveryCut {
  /** The segment file that was cut. */
  file: string;
  /** Byte position of the cut: where the first torn or damaged batch began. */
  position: number;
  /** Bytes removed from the file. */
  bytes: number;
  /** The log end offset after the cut. */
  endOffset: number;
  /** What was wrong there, e.g. `checksum: CRC-32C 1a2b != stored 3c4d`. */
  reason: string;
}

export interface LogStore {
  /** The offset the next appended message will get (= number of messages in the log). */
  readonly logEndOffset: number;
  /** The latest leader epoch in the epoch file, or -1 for an empty log. */
  readonly latestEpoch: number;
  /**
   * End of everything written, synced or not (>= logEndOffset): with fsync `always`, the
   * batches of a group whose fdatasync is still running lie between the two. Only
   * `readFrom(..., { unsynced: true })` serves them (a leader shipping to followers while its
   * own fsync runs); read() and plain readFrom never do.
   */
  readonly writtenEndOffset: number;

  /** Calls `listener` each time writtenEndOffset moves (before the fsync). Returns an unsubscribe. */
  onWritten(listener: () => void): () => void;

  /** What recovery cut from the log when it was opened (empty when nothing). */
  readonly recoveryCuts: readonly RecoveryCut[];

  /**
   * Leader side: appends `messages` as one batch stamped with `epoch`, group-committed with
   * whatever else is waiting. Resolves with the base offset once the batch is written (and,
   * with fsync `always`, on disk). With `producer`, a batch the log already holds is not
   * appended again: its original offsets come back with `duplicate: true`. `options` may make
   * the append conditional on its offset and tag the batch with an idempotency key.
   */
  append(
    messages: Buffer[],
    epoch: number,
    producer?: ProducerBatchId,
    options?: AppendOptions,
  ): Promise<AppendResult>;

  /**
   * Leader side, when a term begins: records in the epoch file that `epoch` starts at the log
   * end (Kafka's makeLeader), so the term's first append does not rewrite that file before its
   * own fsync. A no-op when the log already knows `epoch` or a later one. Like an epoch the
   * first append opened, the entry names no data until some lands; a reopen drops it if none
   * did. On a failure nothing changes and the first append records the epoch itself.
   */
  beginEpoch(epoch: number): Promise<void>;

  /**
   * Follower side: appends whole record batches exactly as the leader encoded them (the bytes
   * of `readFrom`). They must start at logEndOffset and pass their CRC; their offsets, epochs
   * and producer ids are kept. Resolves with the new log end offset.
   */
  appendBatches(batches: Buffer): Promise<number>;

  /**
   * One message. Throws LogStoreError OFFSET_OUT_OF_RANGE at or past the log end, and CORRUPT
   * when the batch holding it fails its checksum or framing (corruptBatchOf names the batch).
   */
  read(offset: number): Promise<ReadResult>;

  /**
   * Whole batches starting with the one that holds `offset`, up to about `maxBytes` (at least
   * one batch when any exists). An empty buffer when offset == logEndOffset. With
   * `unsynced: true` the bound is writtenEndOffset instead: the batches may not be on disk yet
   * (replication only: the receiver must not count them as durable on this replica). Every
   * batch is checked (CRC, framing, offsets) before it is returned: a damaged first batch is
   * CORRUPT (corruptBatchOf names it), a damaged later one ends the answer before it. The
   * answer may be the log's own memory (the group just written, shared by every read of it):
   * read it, never write into it.
   */
  readFrom(offset: number, maxBytes: number, options?: { unsynced?: boolean }): Promise<Buffer>;

  /**
   * readFrom's committed batches (same bounds, same checks, same errors), handed to `use` at
   * once in a buffer the store reuses for its next read: no allocation for a large batch, of
   * which a range read often wants a small part. `use` runs synchronously and must copy
   * whatever it keeps; its result is the answer.
   */
  withBatchesFrom<T>(offset: number, maxBytes: number, use: (batches: Buffer) => T): Promise<T>;

  /**
   * Cuts every message at or after `offset` (across segments too) and the epochs past it. Also
   * cuts at a damaged batch: `offset` may be the base offset corruptBatchOf named.
   */
  truncateTo(offset: number): Promise<void>;

  /** KIP-101 end offset for `epoch` (see EpochEndOffset). */
  endOffsetForEpoch(epoch: number): EpochEndOffset;

  /**
   * First offset the log serves (retention, see LogRetention; 0 until something was deleted).
   * Reads below it throw OFFSET_TRIMMED with `logStartOffset` in the details.
   */
  readonly logStartOffset: number;

  /**
   * Whether the log's disk takes `bytes` now, found out by writing (and deleting) a probe file
   * beside the log: false on ENOSPC/EDQUOT. For a replica whose appends met DISK_FULL, to learn
   * that space came back without appending anything to the log.
   */
  probeSpace(bytes: number): Promise<boolean>;

  /** Flushes, fsyncs and closes; later calls fail with LogStoreError CLOSED. */
  close(): Promise<void>;
}
