import type {
  AppendOptions,
  AppendResult,
  EpochEndOffset,
  LogRetention,
  LogStore,
  ProducerBatchId,
  ReadResult,
  RecoveryCut,
  SegmentFacts,
} from '@distilled/log-store';
import type { LogFailures } from './log-failures';

export type LogOperation = 'read' | 'readFrom' | 'append' | 'appendBatches' | 'truncateTo';

/**
 * Names what met a failure of `operation` (at `offset`, for reads and cuts), for the repair
 * log line; null when this view does not report that operation (its caller does, with more to
 * say, e.g. the leader's fetch sessions name the follower).
 */
export type FoundBy = (operation: LogOperation, offset: number) => string | null;

/**
 * A LogStore that tells LogFailures about every failed operation (a damaged batch goes to
 * LogRepair, a full disk to ReplicaState.disk, a failed log to Status) and every write that got
 * through (which ends a disk-full episode) and then fails as the log did, so the services that use
 * it need no catch-note-rethrow of their own. Each user makes its own view
 * (LogFailures.reporting) saying what it is, for the log line. ReportingLogRetention below is
 * the same for the retention side of the log.
 *
 * Concurrency: adds nothing to the log's (log.ts); the report runs in the rejection handler.
 */
export class ReportingLogStore implements LogStore {
  constructor(
    private readonly log: LogStore,
    private readonly failures: LogFailures,
    private readonly foundBy: FoundBy,
  ) {}

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get latestEpoch(): number {
    return this.log.latestEpoch;
  }

  get writtenEndOffset(): number {
    return this.log.writtenEndOffset;
  }

  get recoveryCuts(): readonly RecoveryCut[] {
    return this.log.recoveryCuts;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  onWritten(listener: () => void): () => void {
    return this.log.onWritten(listener);
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.log.endOffsetForEpoch(epoch);
  }

  append(
    messages: Buffer[],
    epoch: number,
    producer?: ProducerBatchId,
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const writesAtStart = this.failures.writesSeen;
    return this.reported(
      this.log.append(messages, epoch, producer, options).then(this.wrote),
      'append',
      -1,
      writesAtStart,
    );
  }

  appendBatches(batches: Buffer): Promise<number> {
    const writesAtStart = this.failures.writesSeen;
    return this.reported(
      this.log.appendBatches(batches).then(this.wrote),
      'appendBatches',
      -1,
      writesAtStart,
    );
  }

  read(offset: number): Promise<ReadResult> {
    return this.reported(this.log.read(offset), 'read', offset);
  }

  readFrom(offset: number, maxBytes: number, options?: { unsynced?: boolean }): Promise<Buffer> {
    return this.reported(this.log.readFrom(offset, maxBytes, options), 'readFrom', offset);
  }

  withBatchesFrom<T>(offset: number, maxBytes: number, use: (batches: Buffer) => T): Promise<T> {
    return this.reported(this.log.withBatchesFrom(offset, maxBytes, use), 'readFrom', offset);
  }

  /** Not reported: the term logs it, and its first append records the epoch (and reports). */
  beginEpoch(epoch: number): Promise<void> {
    return this.log.beginEpoch(epoch);
  }

  truncateTo(offset: number): Promise<void> {
    return this.reported(this.log.truncateTo(offset), 'truncateTo', offset);
  }

  probeSpace(bytes: number): Promise<boolean> {
    return this.log.probeSpace(bytes);
  }

  close(): Promise<void> {
    return this.log.close();
  }

  /** A write that got through says the disk has room (ends a disk-full episode). */
  private readonly wrote = <T>(result: T): T => {
    this.failures.wrote();
    return result;
  };

  private reported<T>(
    operation: Promise<T>,
    name: LogOperation,
    offset: number,
    writesAtStart?: number,
  ): Promise<T> {
    return reported(operation, this.failures, () => this.foundBy(name, offset), writesAtStart);
  }
}

/** LogRetention with its deletions reported like a cut (`truncateTo`): see ReportingLogStore. */
export class ReportingLogRetention implements LogRetention {
  constructor(
    private readonly retention: LogRetention,
    private readonly failures: LogFailures,
    private readonly foundBy: FoundBy,
  ) {}

  get logStartOffset(): number {
    return this.retention.logStartOffset;
  }

  get logEndOffset(): number {
    return this.retention.logEndOffset;
  }

  get sizeBytes(): number {
    return this.retention.sizeBytes;
  }

  get segmentsDeleted(): number {
    return this.retention.segmentsDeleted;
  }

  segmentFacts(nowMs: number): SegmentFacts[] {
    return this.retention.segmentFacts(nowMs);
  }

  advanceStartTo(offset: number): Promise<number> {
    return reported(this.retention.advanceStartTo(offset), this.failures, () =>
      this.foundBy('truncateTo', offset),
    );
  }

  rebaseAt(offset: number): Promise<void> {
    return reported(this.retention.rebaseAt(offset), this.failures, () =>
      this.foundBy('truncateTo', offset),
    );
  }
}

/**
 * Reports `operation`'s failure and fails as it did. `foundBy` is asked at the failure (what the
 * user is doing then), and null means its caller reports it instead.
 */
function reported<T>(
  operation: Promise<T>,
  failures: LogFailures,
  foundBy: () => string | null,
  writesAtStart?: number,
): Promise<T> {
  return operation.catch((error: unknown) => {
    const by = foundBy();
    if (by !== null) failures.report(error, by, writesAtStart);
    throw error;
  });
}
