/**
 * The log: the LogStore a replica uses, made of a directory of segments in offset order, an
 * epoch file and in-memory producer state. This class only coordinates; each idea has its file:
 *
 *   log-options.ts      options, defaults and their checks
 *   log-directory.ts    what the directory may hold (its layout is described there)
 *   log-loader.ts       recovery at open: re-validate the active segment, cut a torn tail
 *   log-segments.ts     the segment set, its LRU of open sealed segments, deleting segments
 *   log-appends.ts      checking leader appends (and deduplicating them) and follower batches
 *   group-commit.ts     the single writer: one writev and one fdatasync per group of appends
 *   log-reader.ts       read (with a one-batch cache), readFrom and withBatchesFrom (checked batches)
 *   log-truncation.ts   truncateTo and the producer-state rebuild
 *   log-retention.ts    advancing the log start: deleting whole segments below it, re-basing
 *   log-start-file.ts   the log start on disk; retention-policy.ts decides how far it may move
 *   replica-metadata.ts the replica's files beside the log (HW checkpoint, catch-up, incarnation)
 *   disk-full.ts        which write failures are a full disk (recoverable) and which are fatal
 *   refused-write.ts    cutting back what a write refused for lack of space left behind
 *   space-probe.ts      finding out by writing whether space came back
 *
 * Concurrency: appends, follower appends, truncation, interval fsyncs and close run one at a
 * time on the writer's chain (group-commit.ts); reads are synchronous and never wait for it.
 * Memory is flat in the log's length (log-segments.ts), plus producer state for at most
 * `maxProducers` producers and one cached batch.
 */
import * as path from 'node:path';
import type { EpochFile } from './epoch-file';
import { logStoreErrors } from './errors';
import { GroupCommitWriter, type LogStats } from './group-commit';
import { followerAppend, leaderAppend, type AppendContext } from './log-appends';
import { loadLog } from './log-loader';
import { probeSpace } from './space-probe';
import { resolveLogOptions, type LogOptions, type ResolvedLogOptions } from './log-options';
import { isOffset, LogReader } from './log-reader';
import type { LogSegments } from './log-segments';
import type {
  AppendOptions,
  AppendResult,
  EpochEndOffset,
  LogStore,
  ProducerBatchId,
  ReadResult,
  RecoveryCut,
} from './log-store.interface';
import { advanceLogStart, rebaseLog, type RetentionContext } from './log-retention';
import type { LogRetention } from './log-retention.interface';
import type { LogStartFile } from './log-start-file';
import type { SegmentFacts } from './retention-policy';
import { truncateLog, type TruncationContext } from './log-truncation';
import type { ReplicaMetadata, ReplicaMetadataFiles } from './replica-metadata';

export type { LogOptions, LogStoreLogger } from './log-options';
export type { LogStats } from './group-commit';

export class Log implements LogStore, LogRetention {
  private readonly writer: GroupCommitWriter;
  private readonly reader: LogReader;
  private readonly appends: AppendContext;
  private readonly truncation: TruncationContext;
  private readonly retention: RetentionContext;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly dir: string,
    private readonly segments: LogSegments,
    private readonly epochs: EpochFile,
    private readonly cuts: readonly RecoveryCut[],
    private readonly metadataFiles: ReplicaMetadataFiles,
    private readonly start: LogStartFile,
    parts: Omit<AppendContext, 'writer'> & { endOffset: number; options: ResolvedLogOptions },
  ) {
    const { producers, options } = parts;
    this.writer = new GroupCommitWriter(segments, epochs, producers, options, parts.endOffset);
    this.reader = new LogReader(segments, this.writer, () => this.start.offset);
    this.appends = { writer: this.writer, producers, maxBatchBytes: parts.maxBatchBytes };
    this.truncation = {
      segments,
      writer: this.writer,
      reader: this.reader,
      epochs,
      producers,
      logger: options.logger,
    };
    this.retention = { ...this.truncation, start, deleted: 0 };
  }

  /** Opens (recovering if needed) or creates the log in `options.dir`. */
  static async open(options: LogOptions): Promise<Log> {
    const resolved = resolveLogOptions(options);
    const dir = path.resolve(options.dir);
    const loaded = await loadLog(dir, resolved);
    const { segments, epochs, cuts, metadata, logStart } = loaded;
    return new Log(dir, segments, epochs, cuts, metadata, logStart, {
      producers: loaded.producers,
      maxBatchBytes: resolved.maxBatchBytes,
      endOffset: loaded.endOffset,
      options: resolved,
    });
  }

  /** The replica's files beside this log (provided as REPLICA_METADATA). */
  get metadata(): ReplicaMetadata {
    return this.metadataFiles;
  }

  get logEndOffset(): number {
    return this.writer.endOffset;
  }

  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }

  get writtenEndOffset(): number {
    return this.writer.writtenEnd;
  }

  onWritten(listener: () => void): () => void {
    return this.writer.onWritten(listener);
  }

  get recoveryCuts(): readonly RecoveryCut[] {
    return this.cuts;
  }

  /** Offset of the first message the log serves (0 until retention deleted something). */
  get logStartOffset(): number {
    return this.start.offset;
  }

  /** Segments deleted by retention (or a re-base) since the log was opened. */
  get segmentsDeleted(): number {
    return this.retention.deleted;
  }

  /** Bytes of every segment's .log file, the active one included. */
  get sizeBytes(): number {
    return this.segments.facts(Date.now()).reduce((sum, s) => sum + s.bytes, 0);
  }

  segmentFacts(nowMs: number): SegmentFacts[] {
    this.assertOpen();
    return this.segments.facts(nowMs);
  }

  async advanceStartTo(offset: number): Promise<number> {
    this.assertWritable();
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    return advanceLogStart(this.retention, offset);
  }

  async rebaseAt(offset: number): Promise<void> {
    this.assertWritable();
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    await this.writer.runExclusive(() => rebaseLog(this.retention, offset));
  }

  get segmentCount(): number {
    return this.segments.count;
  }

  get stats(): Readonly<LogStats> {
    return this.writer.stats;
  }

  /**
   * Whether the log's disk takes `bytes` now: writes and deletes a probe file (space-probe.ts).
   * For a replica that met DISK_FULL and waits for space; it never touches the log itself.
   */
  probeSpace(bytes: number): Promise<boolean> {
    try {
      this.assertOpen();
      return probeSpace(this.dir, bytes);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    this.assertOpen();
    if (!Number.isSafeInteger(epoch))
      throw logStoreErrors.invalidArgument(`epoch ${epoch} is not an integer`);
    return this.epochs.endOffsetForEpoch(epoch, this.writer.endOffset);
  }

  append(
    messages: Buffer[],
    epoch: number,
    producer?: ProducerBatchId,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    try {
      this.assertWritable();
      return leaderAppend(this.appends, messages, epoch, producer, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  appendBatches(batches: Buffer): Promise<number> {
    try {
      this.assertWritable();
      return followerAppend(this.appends, batches);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async read(offset: number): Promise<ReadResult> {
    this.assertOpen();
    return this.reader.read(offset);
  }

  async readFrom(
    offset: number,
    maxBytes: number,
    options?: { unsynced?: boolean },
  ): Promise<Buffer> {
    this.assertOpen();
    return this.reader.readFrom(offset, maxBytes, options?.unsynced === true);
  }

  async withBatchesFrom<T>(
    offset: number,
    maxBytes: number,
    use: (batches: Buffer) => T,
  ): Promise<T> {
    this.assertOpen();
    return use(this.reader.readFrom(offset, maxBytes, false, true));
  }

  async beginEpoch(epoch: number): Promise<void> {
    this.assertOpen();
    if (this.writer.failure) throw this.writer.failure;
    await this.writer.runExclusive(async () => {
      const start = this.writer.endOffset;
      if (!this.epochs.assign(epoch, start)) return;
      try {
        await this.epochs.persist();
      } catch (error) {
        // Memory goes back to what the file says; the first append of the epoch writes it.
        this.epochs.truncateFromOffset(start);
        throw error;
      } finally {
        this.writer.refreshQueuedEpoch();
      }
    });
  }

  async truncateTo(offset: number): Promise<void> {
    this.assertOpen();
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    if (this.writer.failure) throw this.writer.failure;
    await this.writer.runExclusive(() =>
      // Nothing below the start is left to keep: the log empties, still starting there.
      offset <= this.start.offset
        ? rebaseLog(this.retention, this.start.offset)
        : truncateLog(this.truncation, offset),
    );
  }

  /** Flushes, fsyncs and closes the segments, then writes the last HW checkpoint. */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.writer.stopTimer();
    const closeFiles = this.writer.runExclusive(async () => {
      try {
        if (!this.writer.failure) {
          await this.segments.active.sync();
          await this.segments.active.writeIndex();
        }
      } finally {
        this.segments.closeAll();
        this.reader.forget();
      }
    });
    // The last HW goes to its checkpoint after the data is synced, whatever happened to it.
    this.closing = closeFiles.finally(() => this.metadataFiles.close());
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw logStoreErrors.closed();
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.writer.failure) throw this.writer.failure;
  }
}
