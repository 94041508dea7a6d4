/**
 * The log: a directory of segments (segment.ts) in offset order, an epoch file (epoch-file.ts)
 * and in-memory producer state (producer-state.ts). Implements the LogStore contract.
 *
 * Directory layout:
 *   00000000000000000000.log / .index   first segment
 *   <baseOffset, 20 digits>.log / .index one per roll; the last one is the active segment
 *   leader-epoch-checkpoint              epoch -> start offset
 *   high-watermark-checkpoint            the highest HW the replica has known (lazily written)
 *   incarnation                          this directory's identity for the ISR (incarnation-file.ts)
 *   catch-up                             while a cut log must catch up before leading (catch-up-file.ts)
 * Anything else (besides our own *.tmp leftovers and lost+found) makes open fail with NOT_A_LOG.
 *
 * Durability and recovery: a segment is fsynced and its index written when it is rolled, so
 * everything before the active segment is the recovery point; at open only the active segment
 * is re-validated (CRC of every batch), its torn tail cut and its index rebuilt. Work at open is
 * bounded by two segments (the second-to-last is walked for producer state), not the log length.
 *
 * Concurrency: appends, follower appends, truncation, interval fsyncs and close run one at a
 * time on a single promise chain (the "writer"). append() only encodes and queues; when the
 * writer gets to the queue it takes everything waiting, stamps offsets in arrival order and
 * writes it with one writev and one fdatasync: group commit. Reads are synchronous positional
 * reads of committed bytes only (below logEndOffset), so they never see a half-written batch and
 * never wait for the writer. One exception, for replication: `readFrom(..., { unsynced: true })`
 * may also return the whole batches written while their fdatasync still runs (below
 * writtenEndOffset), so a leader can ship them to followers and the two fsyncs overlap;
 * onWritten() listeners hear about them as soon as the writev returns.
 *
 * Memory is flat in the log's length: an array of segment base offsets (8 bytes per segment),
 * at most `maxOpenSegments` sealed segments open with their sparse index (~128 KiB per 64 MiB
 * segment), the active one, producer state for at most `maxProducers` producers, and one cached
 * batch for reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDir, TMP_SUFFIX } from './atomic-file';
import { EPOCH_FILE, EpochFile } from './epoch-file';
import { corruptBatchOf, LogStoreError, logStoreErrors } from './errors';
import { INCARNATION_FILE, loadOrCreateIncarnation, type Incarnation } from './incarnation-file';
import { CATCH_UP_FILE, PendingCatchUpFile, type PendingCatchUp } from './catch-up-file';
import {
  DEFAULT_HIGH_WATERMARK_CHECKPOINT_MS,
  HIGH_WATERMARK_FILE,
  HighWatermarkCheckpoint,
} from './high-watermark-checkpoint';
import { idempotencyTagProblem } from './batch-extension';
import type {
  AppendOptions,
  AppendResult,
  EpochEndOffset,
  FsyncPolicy,
  LogStore,
  ProducerBatchId,
  ReadResult,
  RecoveryCut,
} from './log-store.interface';
import { ProducerStateTable, RememberedBatch } from './producer-state';
import {
  BatchHeader,
  batchMessage,
  checkBatch,
  encodeBatch,
  encodedBatchSize,
  MAX_BATCH_BYTES,
  peekBatchSize,
  readInt64,
  stampBaseOffset,
} from './record-batch';
import {
  INDEX_SUFFIX,
  LOG_SUFFIX,
  scanBatches,
  Segment,
  SEGMENT_NAME,
  SegmentLogger,
  segmentFileName,
} from './segment';

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

/** Counters, mostly so tests and benchmarks can see group commit working. */
export interface LogStats {
  /** writev calls to segment files. */
  writes: number;
  /** fdatasync calls on segment files. */
  fsyncs: number;
  /** Batches appended (both paths). */
  batches: number;
}

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
/** Bytes read per lookup: one index interval plus room for the batch we are after. */
const READ_WINDOW = 8 * 1024;
const MAX_EPOCH = 0x7fff_ffff;
const SILENT: LogStoreLogger = { log: () => undefined, warn: () => undefined };

interface QueuedBatch {
  /** Offset of this batch minus the first batch's. */
  delta: number;
  /** Byte position inside QueuedWrite.bytes. */
  at: number;
  epoch: number;
  count: number;
  producerId: number;
  sequence: number;
}

interface QueuedWrite {
  bytes: Buffer;
  batches: QueuedBatch[];
  count: number;
  /** Follower batches carry their offset; leader appends (null) get one when written. */
  fixedBaseOffset: number | null;
  /** Leader appends with a producer: the dedupe record to fill in or forget. */
  remembered?: { producerId: number; batch: RememberedBatch };
  /** Leader appends: written only if stamped with this base offset (AppendOptions). */
  expectedOffset?: number;
  resolve(baseOffset: number, endOffset: number): void;
  reject(err: Error): void;
  /** Resolved or rejected already. */
  settled?: boolean;
}

interface CachedBatch {
  buf: Buffer;
  at: number;
  baseOffset: number;
  count: number;
  epoch: number;
}

function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export class Log implements LogStore {
  private readonly segmentBytes: number;
  private readonly fsyncPolicy: FsyncPolicy;
  private readonly indexInterval: number;
  private readonly maxOpenSegments: number;
  private readonly maxBatchBytes: number;
  private readonly logger: LogStoreLogger;

  /** Base offsets of all segments, ascending; the last is the active one. */
  private bases: number[];
  private active: Segment;
  /** Open sealed segments; Map order is LRU order. */
  private readonly openSealed = new Map<number, Segment>();
  private endOffset: number;
  private readonly epochs: EpochFile;
  private readonly producers: ProducerStateTable;
  private readonly hwCheckpoint: HighWatermarkCheckpoint;
  private readonly cuts: readonly RecoveryCut[];
  readonly incarnation: Incarnation;
  private readonly catchUpFile: PendingCatchUpFile;

  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  /** Highest epoch in the log or the queue: appends below it are refused at once. */
  private queuedEpoch: number;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Set when a write or fsync failed: the file state is unknown, so writes stop (reopen to recover). */
  private failure: Error | null = null;
  private cache: CachedBatch | null = null;
  /** End of the whole batches written to the active segment, synced or not (>= endOffset). */
  private writtenEnd: number;
  private readonly writtenListeners = new Set<() => void>();
  private readonly counters: LogStats = { writes: 0, fsyncs: 0, batches: 0 };

  private constructor(
    readonly dir: string,
    options: Required<Omit<LogOptions, 'dir' | 'logger'>> & { logger: LogStoreLogger },
    state: {
      bases: number[];
      active: Segment;
      sealed: Segment | null;
      endOffset: number;
      epochs: EpochFile;
      producers: ProducerStateTable;
      hwCheckpoint: HighWatermarkCheckpoint;
      cuts: RecoveryCut[];
      incarnation: Incarnation;
      pendingCatchUp: PendingCatchUpFile;
    },
  ) {
    this.segmentBytes = options.segmentBytes;
    this.fsyncPolicy = options.fsync;
    this.indexInterval = options.indexIntervalBytes;
    this.maxOpenSegments = options.maxOpenSegments;
    this.maxBatchBytes = options.maxBatchBytes;
    this.logger = options.logger;
    this.bases = state.bases;
    this.active = state.active;
    if (state.sealed) this.openSealed.set(state.sealed.baseOffset, state.sealed);
    this.endOffset = state.endOffset;
    this.writtenEnd = state.endOffset;
    this.epochs = state.epochs;
    this.producers = state.producers;
    this.hwCheckpoint = state.hwCheckpoint;
    this.cuts = state.cuts;
    this.incarnation = state.incarnation;
    this.catchUpFile = state.pendingCatchUp;
    this.queuedEpoch = this.epochs.latestEpoch;
    if (this.fsyncPolicy === 'interval') {
      this.timer = setInterval(() => this.intervalSync(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** Opens (recovering if needed) or creates the log in `options.dir`. */
  static async open(options: LogOptions): Promise<Log> {
    const opts = Log.validateOptions(options);
    const dir = path.resolve(options.dir);
    const logger = opts.logger;
    const stat = await fs.promises.stat(dir).catch(() => null);
    if (stat && !stat.isDirectory()) throw logStoreErrors.notALog(dir, [path.basename(dir)]);
    await fs.promises.mkdir(dir, { recursive: true });

    const names = await fs.promises.readdir(dir);
    const logs = new Set<number>();
    const indexes = new Set<number>();
    const strangers: string[] = [];
    for (const name of names) {
      const m = SEGMENT_NAME.exec(name);
      if (m && Number.isSafeInteger(Number(m[1]))) {
        (m[2] === 'log' ? logs : indexes).add(Number(m[1]));
      } else if (
        name.endsWith(TMP_SUFFIX) &&
        (SEGMENT_NAME.test(name.slice(0, -TMP_SUFFIX.length)) ||
          name.startsWith(EPOCH_FILE) ||
          name.startsWith(HIGH_WATERMARK_FILE) ||
          name.startsWith(INCARNATION_FILE) ||
          name.startsWith(CATCH_UP_FILE))
      ) {
        await fs.promises.rm(path.join(dir, name), { force: true });
      } else if (
        name !== EPOCH_FILE &&
        name !== HIGH_WATERMARK_FILE &&
        name !== INCARNATION_FILE &&
        name !== CATCH_UP_FILE &&
        name !== 'lost+found'
      ) {
        strangers.push(name);
      }
    }
    if (strangers.length) throw logStoreErrors.notALog(dir, strangers);
    // Before anything is created here: whether the directory held a log decides new vs adopted.
    const incarnation = await loadOrCreateIncarnation(
      dir,
      logs.size === 0 && !names.includes(EPOCH_FILE) && !names.includes(HIGH_WATERMARK_FILE),
    );
    for (const base of indexes) {
      // An index without its log: left by a crash while deleting segments (truncateTo).
      if (!logs.has(base))
        await fs.promises.rm(path.join(dir, segmentFileName(base, INDEX_SUFFIX)));
    }

    const bases = [...logs].sort((a, b) => a - b);
    const hwCheckpoint = HighWatermarkCheckpoint.load(dir, logger, opts.highWatermarkCheckpointMs);
    const pendingCatchUp = PendingCatchUpFile.load(dir, (line) => logger.warn(line));
    const loaded = EpochFile.load(dir);
    if (loaded.damaged)
      logger.warn(`log-store: ${loaded.damaged}; rebuilding epochs from the tail`);
    const epochs = loaded.file;
    const producers = new ProducerStateTable(opts.maxProducers);
    const rememberProducer = (h: BatchHeader): void => {
      if (h.producerId !== 0) {
        producers.record(h.producerId, {
          sequence: h.sequence,
          count: h.count,
          baseOffset: h.baseOffset,
        });
      }
    };

    if (bases.length === 0) {
      const active = await Segment.create(dir, 0, opts.indexIntervalBytes);
      if (epochs.truncateFromOffset(0)) await epochs.persist();
      return new Log(dir, opts, {
        bases: [0],
        active,
        sealed: null,
        endOffset: 0,
        epochs,
        producers,
        hwCheckpoint,
        cuts: [],
        incarnation,
        pendingCatchUp,
      });
    }

    let sealed: Segment | null = null;
    const tailBase = bases[bases.length - 1];
    if (bases.length >= 2) {
      sealed = Segment.openSealed(dir, bases[bases.length - 2], opts.indexIntervalBytes, logger);
      const walk = scanBatches(
        sealed.fd,
        0,
        sealed.size,
        sealed.baseOffset,
        false,
        rememberProducer,
      );
      if (walk.problem || walk.nextOffset !== tailBase) {
        sealed.close();
        throw logStoreErrors.corrupt(
          sealed.logPath,
          walk.problem ??
            `it ends at offset ${walk.nextOffset} but the next segment starts at ${tailBase}`,
        );
      }
    }

    const tailEpochs: { epoch: number; startOffset: number }[] = [];
    const {
      segment: active,
      nextOffset,
      cut,
    } = await Segment.recoverTail(dir, tailBase, opts.indexIntervalBytes, logger, (h) => {
      rememberProducer(h);
      const last = tailEpochs[tailEpochs.length - 1];
      if (!last || h.epoch > last.epoch)
        tailEpochs.push({ epoch: h.epoch, startOffset: h.baseOffset });
    });
    let epochsChanged = epochs.truncateFromOffset(nextOffset);
    if (epochsChanged)
      logger.warn(`log-store: dropped epochs starting at or past the log end ${nextOffset}`);
    for (const e of tailEpochs)
      epochsChanged = epochs.assign(e.epoch, e.startOffset) || epochsChanged;
    if (epochsChanged || (nextOffset > 0 && !fs.existsSync(path.join(dir, EPOCH_FILE)))) {
      await epochs.persist();
    }
    return new Log(dir, opts, {
      bases,
      active,
      sealed,
      endOffset: nextOffset,
      epochs,
      producers,
      hwCheckpoint,
      cuts: cut ? [cut] : [],
      incarnation,
      pendingCatchUp,
    });
  }

  private static validateOptions(
    options: LogOptions,
  ): Required<Omit<LogOptions, 'dir' | 'logger'>> & { logger: LogStoreLogger } {
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

  // ---------------------------------------------------------------- state

  /** Offset of the next message; everything below it is written (and synced, with `always`). */
  get logEndOffset(): number {
    return this.endOffset;
  }

  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }

  /**
   * End of everything written, synced or not (>= logEndOffset). Between the two sit the batches
   * of a group whose fdatasync is still running; only `readFrom(..., { unsynced: true })` sees
   * them. Falls back to logEndOffset after a failed write (those bytes are not trusted).
   */
  get writtenEndOffset(): number {
    return this.writtenEnd;
  }

  /** Calls `listener` each time writtenEndOffset moves (before the fsync). Returns an unsubscribe. */
  onWritten(listener: () => void): () => void {
    this.writtenListeners.add(listener);
    return () => {
      this.writtenListeners.delete(listener);
    };
  }

  get highWatermarkCheckpoint(): number {
    return this.hwCheckpoint.value;
  }

  checkpointHighWatermark(highWatermark: number): void {
    this.hwCheckpoint.record(highWatermark);
  }

  get pendingCatchUp(): PendingCatchUp | null {
    return this.catchUpFile.value;
  }

  recordCatchUp(value: PendingCatchUp): Promise<void> {
    return this.catchUpFile.record(value);
  }

  clearCatchUp(): Promise<void> {
    return this.catchUpFile.clear();
  }

  get recoveryCuts(): readonly RecoveryCut[] {
    return this.cuts;
  }

  /** Offset of the first message still in the log (0: nothing is ever deleted from the front). */
  get logStartOffset(): number {
    return this.bases[0];
  }

  get segmentCount(): number {
    return this.bases.length;
  }

  get stats(): Readonly<LogStats> {
    return { ...this.counters };
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    this.assertOpen();
    if (!Number.isSafeInteger(epoch))
      throw logStoreErrors.invalidArgument(`epoch ${epoch} is not an integer`);
    return this.epochs.endOffsetForEpoch(epoch, this.endOffset);
  }

  // ---------------------------------------------------------------- writes

  append(
    messages: Buffer[],
    epoch: number,
    producer?: ProducerBatchId,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    try {
      this.assertWritable();
      if (!Array.isArray(messages) || messages.length === 0) {
        throw logStoreErrors.invalidArgument('append needs at least one message');
      }
      if (!messages.every((m) => Buffer.isBuffer(m))) {
        throw logStoreErrors.invalidArgument('messages must be Buffers');
      }
      if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
        throw logStoreErrors.invalidArgument(`epoch ${epoch} is not an integer from 0 to 2^31-1`);
      }
      if (epoch < this.queuedEpoch) {
        throw logStoreErrors.invalidArgument(
          `epoch ${epoch} is older than the log's latest epoch ${this.queuedEpoch}`,
        );
      }
      const { expectedOffset, idempotency } = options;
      if (expectedOffset !== undefined && !isOffset(expectedOffset)) {
        throw logStoreErrors.invalidArgument(`expected offset ${expectedOffset} is not an offset`);
      }
      const tagProblem = idempotency && idempotencyTagProblem(idempotency);
      if (tagProblem) throw logStoreErrors.invalidArgument(`idempotency tag: ${tagProblem}`);
      const size = encodedBatchSize(messages, idempotency);
      if (size > this.maxBatchBytes) {
        throw logStoreErrors.invalidArgument(
          `batch of ${size} bytes is over the limit of ${this.maxBatchBytes}`,
        );
      }
      let producerId = 0;
      let sequence = 0;
      if (producer && producer.producerId !== 0) {
        ({ producerId, sequence } = producer);
        if (!Number.isSafeInteger(producerId) || producerId < 0) {
          throw logStoreErrors.invalidArgument(
            `producerId ${producerId} is not a positive integer`,
          );
        }
        if (!Number.isSafeInteger(sequence) || sequence < 0) {
          throw logStoreErrors.invalidArgument(
            `sequence ${sequence} is not a non-negative integer`,
          );
        }
        const seen = this.producers.check(producerId, sequence);
        if (seen.kind === 'duplicate') {
          const { batch } = seen;
          if (batch.pending) return batch.pending.then((r) => ({ ...r, duplicate: true }));
          return Promise.resolve({
            baseOffset: batch.baseOffset ?? -1,
            count: batch.count,
            duplicate: true,
          });
        }
        if (seen.kind === 'stale')
          throw logStoreErrors.staleSequence(producerId, sequence, seen.lastSequence);
      }
      const bytes = encodeBatch({
        baseOffset: 0,
        epoch,
        timestamp: Date.now(),
        producerId,
        sequence,
        messages,
        idempotency,
      });
      const count = messages.length;
      let item!: QueuedWrite;
      const promise = new Promise<AppendResult>((resolve, reject) => {
        item = {
          bytes,
          batches: [{ delta: 0, at: 0, epoch, count, producerId, sequence }],
          count,
          fixedBaseOffset: null,
          expectedOffset,
          resolve: (baseOffset) => resolve({ baseOffset, count, duplicate: false }),
          reject,
        };
      });
      if (producerId !== 0) {
        item.remembered = {
          producerId,
          batch: this.producers.record(producerId, { sequence, count, pending: promise }),
        };
      }
      this.queuedEpoch = Math.max(this.queuedEpoch, epoch);
      this.enqueue(item);
      return promise;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  appendBatches(batches: Buffer): Promise<number> {
    try {
      this.assertWritable();
      if (!Buffer.isBuffer(batches))
        throw logStoreErrors.invalidArgument('batches must be a Buffer');
      if (batches.length === 0) return this.afterQueue(() => this.endOffset);
      const queued: QueuedBatch[] = [];
      let pos = 0;
      let first = -1;
      let next = -1;
      let epoch = this.queuedEpoch;
      while (pos < batches.length) {
        const check = checkBatch(batches, pos);
        if (!check.ok)
          throw logStoreErrors.invalidBatch(`${check.reason} at byte ${pos}: ${check.detail}`, pos);
        const h = check.header;
        if (h.size > this.maxBatchBytes) {
          throw logStoreErrors.invalidBatch(`batch of ${h.size} bytes is over the limit`, pos);
        }
        if (first < 0) {
          first = h.baseOffset;
          next = first;
        }
        if (h.baseOffset !== next) throw logStoreErrors.nonContiguous(next, h.baseOffset);
        if (h.epoch < epoch) {
          throw logStoreErrors.invalidBatch(
            `epoch ${h.epoch} at offset ${h.baseOffset} is older than ${epoch}`,
            pos,
          );
        }
        epoch = h.epoch;
        queued.push({
          delta: h.baseOffset - first,
          at: pos,
          epoch: h.epoch,
          count: h.count,
          producerId: h.producerId,
          sequence: h.sequence,
        });
        next += h.count;
        pos += h.size;
      }
      if (this.queue.length === 0 && !this.flushScheduled && first !== this.endOffset) {
        throw logStoreErrors.nonContiguous(this.endOffset, first);
      }
      this.queuedEpoch = epoch;
      return new Promise<number>((resolve, reject) => {
        this.enqueue({
          bytes: batches,
          batches: queued,
          count: next - first,
          fixedBaseOffset: first,
          resolve: (_base, end) => resolve(end),
          reject,
        });
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async truncateTo(offset: number): Promise<void> {
    this.assertOpen();
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    if (this.failure) throw this.failure;
    await this.runExclusive(() => this.doTruncate(offset));
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const closeFiles = this.runExclusive(async () => {
      try {
        if (!this.failure) {
          await this.active.sync();
          await this.active.writeIndex();
        }
      } finally {
        this.active.close();
        for (const seg of this.openSealed.values()) seg.close();
        this.openSealed.clear();
        this.cache = null;
      }
    });
    // The last HW goes to its checkpoint after the data is synced, whatever happened to it.
    this.closing = closeFiles.finally(() => this.hwCheckpoint.close());
    return this.closing;
  }

  // ---------------------------------------------------------------- reads

  async read(offset: number): Promise<ReadResult> {
    this.assertOpen();
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    if (offset >= this.endOffset) throw logStoreErrors.outOfRange(offset, this.endOffset);
    let batch = this.cache;
    if (!batch || offset < batch.baseOffset || offset >= batch.baseOffset + batch.count) {
      batch = this.loadBatch(offset);
    }
    // Copy: the cached batch buffer must not be pinned or changed by callers.
    const message = Buffer.from(batchMessage(batch.buf, batch.at, offset - batch.baseOffset));
    return { offset, message, epoch: batch.epoch };
  }

  async readFrom(
    offset: number,
    maxBytes: number,
    options?: { unsynced?: boolean },
  ): Promise<Buffer> {
    this.assertOpen();
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw logStoreErrors.invalidArgument(`maxBytes ${maxBytes} is not a non-negative integer`);
    }
    const unsynced = options?.unsynced === true;
    const end = unsynced ? this.writtenEnd : this.endOffset;
    if (offset === end) return Buffer.alloc(0);
    if (offset > end) throw logStoreErrors.outOfRange(offset, end);
    const segment = this.segmentFor(offset);
    // Only the active segment can hold unsynced bytes: a segment is synced when it is rolled.
    const limit = unsynced && segment === this.active ? segment.written : segment.size;
    const found = segment.findBatch(offset, READ_WINDOW, limit);
    const want = Math.max(found.size, Math.min(maxBytes, limit - found.position));
    const buf = found.size === want ? found.batch : segment.read(found.position, want, limit);
    // Keep whole batches only, and none at or past the end (a later segment may be half-committed).
    // Each is checked before it leaves: replication ships these bytes as they are, and damage
    // must be found here, where the log can be cut and fetched again, not refused by every
    // follower in turn. A damaged first batch is an error; a later one ends the answer (the
    // next fetch starts there and gets the error).
    let keep = 0;
    let next = found.baseOffset;
    while (keep < buf.length) {
      const size = peekBatchSize(buf, keep);
      if (keep > 0 && (size < 0 || keep + size > buf.length)) break;
      const baseOffset = readInt64(buf, keep);
      if (keep > 0 && baseOffset >= end) break;
      const check = checkBatch(buf, keep, Math.min(buf.length, keep + Math.max(size, 0)));
      const problem = !check.ok
        ? `${check.reason}: ${check.detail}`
        : baseOffset !== next
          ? `it has offset ${baseOffset}, expected ${next}`
          : null;
      if (problem !== null) {
        if (keep > 0) break;
        throw logStoreErrors.corrupt(
          segment.logPath,
          `batch at byte ${found.position} (offset ${found.baseOffset}): ${problem}`,
          { baseOffset: found.baseOffset, position: found.position },
        );
      }
      next += check.ok ? check.header.count : 0;
      keep += size;
    }
    return buf.subarray(0, keep);
  }

  // ---------------------------------------------------------------- internals

  private assertOpen(): void {
    if (this.closed) throw logStoreErrors.closed();
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.failure) throw this.failure;
  }

  /** Runs `task` on the writer chain, after everything queued before it. */
  private runExclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private afterQueue<T>(value: () => T): Promise<T> {
    return this.runExclusive(async () => value());
  }

  private enqueue(item: QueuedWrite): void {
    this.queue.push(item);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Scheduled on the chain, so it starts when the write in flight (if any) has finished:
    // everything queued meanwhile goes into the next write together.
    void this.runExclusive(() => this.flushQueue());
  }

  private async flushQueue(): Promise<void> {
    this.flushScheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    if (this.failure) {
      for (const item of group) this.rejectItem(item, this.failure);
      return;
    }
    try {
      await this.writeGroup(group);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)), group);
    }
    // A refused follower batch may have raised it; only what is written or still queued counts.
    this.queuedEpoch = this.epochs.latestEpoch;
    for (const item of this.queue) {
      this.queuedEpoch = Math.max(this.queuedEpoch, item.batches[item.batches.length - 1].epoch);
    }
  }

  private rejectItem(item: QueuedWrite, err: Error): void {
    if (item.settled) return;
    item.settled = true;
    if (item.remembered) this.producers.forget(item.remembered.producerId, item.remembered.batch);
    item.reject(err);
  }

  /** Writes one group: stamps offsets, rolls segments as needed, writes, fsyncs, commits. */
  private async writeGroup(group: QueuedWrite[]): Promise<void> {
    let end = this.endOffset;
    let latest = this.epochs.latestEpoch;
    let epochsChanged = false;
    const accepted: { item: QueuedWrite; base: number }[] = [];
    for (const item of group) {
      const firstEpoch = item.batches[0].epoch;
      if (item.fixedBaseOffset === null) {
        if (firstEpoch < latest) {
          this.rejectItem(
            item,
            logStoreErrors.invalidArgument(
              `epoch ${firstEpoch} is older than the log's latest epoch ${latest}`,
            ),
          );
          continue;
        }
        if (item.expectedOffset !== undefined && item.expectedOffset !== end) {
          this.rejectItem(item, logStoreErrors.offsetMismatch(item.expectedOffset, end));
          continue;
        }
        stampBaseOffset(item.bytes, end);
      } else if (item.fixedBaseOffset !== end) {
        this.rejectItem(item, logStoreErrors.nonContiguous(end, item.fixedBaseOffset));
        continue;
      } else if (firstEpoch < latest) {
        this.rejectItem(
          item,
          logStoreErrors.invalidBatch(
            `epoch ${firstEpoch} is older than the log's latest epoch ${latest}`,
          ),
        );
        continue;
      }
      for (const b of item.batches) {
        if (b.epoch > latest) {
          // Written before the data (below) so the file never lacks an epoch the log holds.
          this.epochs.assign(b.epoch, end + b.delta);
          latest = b.epoch;
          epochsChanged = true;
        }
      }
      accepted.push({ item, base: end });
      end += item.count;
    }
    if (accepted.length === 0) return;
    if (epochsChanged) await this.epochs.persist();

    let segment = this.active;
    let position = segment.size;
    let run: Buffer[] = [];
    let runBytes = 0;
    let runItems: { item: QueuedWrite; base: number }[] = [];
    const commit = (runEnd: number): void => {
      segment.size = position;
      if (segment.written < position) segment.written = position;
      this.endOffset = runEnd;
      if (this.writtenEnd < runEnd) this.writtenEnd = runEnd;
      for (const { item, base } of runItems) {
        if (item.remembered) {
          item.remembered.batch.baseOffset = base;
          item.remembered.batch.pending = undefined;
        } else {
          for (const b of item.batches) {
            if (b.producerId !== 0) {
              this.producers.record(b.producerId, {
                sequence: b.sequence,
                count: b.count,
                baseOffset: base + b.delta,
              });
            }
          }
        }
        this.counters.batches += item.batches.length;
        item.settled = true;
        item.resolve(base, base + item.count);
      }
      runItems = [];
    };
    const writeRun = async (): Promise<void> => {
      if (run.length === 0) return;
      await segment.write(run, position);
      this.counters.writes++;
      position += runBytes;
      run = [];
      runBytes = 0;
    };

    for (const entry of accepted) {
      const { item, base } = entry;
      const used = position + runBytes;
      if (used > 0 && used + item.bytes.length > this.segmentBytes) {
        await writeRun();
        await segment.seal();
        this.counters.fsyncs++;
        commit(base);
        segment = await this.roll(base);
        position = 0;
      }
      for (const b of item.batches) {
        segment.index.maybeAdd(base + b.delta - segment.baseOffset, position + runBytes + b.at);
      }
      run.push(item.bytes);
      runBytes += item.bytes.length;
      runItems.push(entry);
    }
    await writeRun();
    if (this.fsyncPolicy === 'always') {
      // Written, not yet synced: replication may ship it while the fdatasync runs.
      segment.written = position;
      this.writtenEnd = end;
      this.notifyWritten();
      await segment.sync();
      this.counters.fsyncs++;
    } else {
      this.dirty = true;
    }
    commit(end);
    if (this.fsyncPolicy !== 'always') this.notifyWritten();
  }

  private notifyWritten(): void {
    for (const listener of this.writtenListeners) {
      try {
        listener();
      } catch (err) {
        this.logger.warn(`log-store: an onWritten listener threw: ${String(err)}`);
      }
    }
  }

  /** Starts a new active segment at `baseOffset`; the old one (already sealed) joins the LRU. */
  private async roll(baseOffset: number): Promise<Segment> {
    const old = this.active;
    const next = await Segment.create(this.dir, baseOffset, this.indexInterval);
    this.bases.push(baseOffset);
    this.active = next;
    this.cacheSealed(old);
    return next;
  }

  private intervalSync(): void {
    if (!this.dirty || this.closed || this.failure) return;
    void this.runExclusive(async () => {
      if (!this.dirty || this.failure) return;
      this.dirty = false;
      try {
        await this.active.sync();
        this.counters.fsyncs++;
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)), []);
      }
    });
  }

  /**
   * A write or fsync failed. After a failed fsync the kernel may have dropped the dirty pages,
   * so nothing written since the last good sync can be trusted: stop writing, reject everything
   * waiting, and let a reopen re-validate the tail. Reads of committed data keep working.
   */
  private fail(err: Error, group: QueuedWrite[]): void {
    this.failure = new LogStoreError(
      'CORRUPT',
      `log-store: write failed, reopen the log to recover: ${err.message}`,
      {
        cause: err.message,
      },
    );
    this.logger.warn(this.failure.message);
    this.writtenEnd = this.endOffset;
    this.active.written = this.active.size;
    const waiting = [...group, ...this.queue];
    this.queue = [];
    for (const item of waiting) {
      this.rejectItem(item, this.failure);
    }
  }

  private async doTruncate(offset: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (offset >= this.endOffset) return;
    const index = this.segmentIndexFor(offset);
    const segment = this.segmentFor(offset);
    let found: { baseOffset: number; position: number };
    try {
      found = segment.findBatch(offset, READ_WINDOW);
    } catch (err) {
      // Framing broken at or before `offset`: that break is a batch boundary, cut there.
      const at = corruptBatchOf(err);
      if (!at || at.file !== segment.logPath) throw err;
      found = at;
    }
    const newEnd = found.baseOffset;
    // Hide the cut part from readers before touching files.
    this.endOffset = newEnd;
    this.writtenEnd = newEnd;
    this.cache = null;
    const doomed = this.bases.slice(index + 1);
    for (const base of doomed) {
      const open = base === this.active.baseOffset ? this.active : this.openSealed.get(base);
      open?.close();
      this.openSealed.delete(base);
      await fs.promises.rm(path.join(this.dir, segmentFileName(base, LOG_SUFFIX)), { force: true });
      await fs.promises.rm(path.join(this.dir, segmentFileName(base, INDEX_SUFFIX)), {
        force: true,
      });
    }
    this.bases = this.bases.slice(0, index + 1);
    this.openSealed.delete(segment.baseOffset);
    this.active = segment;
    await segment.truncate(found.position);
    if (doomed.length) await syncDir(this.dir);
    if (doomed.length || found.position > 0) {
      this.logger.log(`log-store: truncated the log to offset ${newEnd} (asked ${offset})`);
    }
    if (this.epochs.truncateFromOffset(newEnd)) await this.epochs.persist();
    this.queuedEpoch = this.epochs.latestEpoch;
    for (const item of this.queue) {
      this.queuedEpoch = Math.max(this.queuedEpoch, item.batches[item.batches.length - 1].epoch);
    }
    this.rebuildProducers();
  }

  /** Producer state from the last two segments' headers: bounded work, same as at open. */
  private rebuildProducers(): void {
    this.producers.clear();
    const from = Math.max(0, this.bases.length - 2);
    for (let i = from; i < this.bases.length; i++) {
      const segment = i === this.bases.length - 1 ? this.active : this.segmentFor(this.bases[i]);
      scanBatches(segment.fd, 0, segment.size, segment.baseOffset, false, (h) => {
        if (h.producerId !== 0) {
          this.producers.record(h.producerId, {
            sequence: h.sequence,
            count: h.count,
            baseOffset: h.baseOffset,
          });
        }
      });
    }
    // Batches still queued keep their dedupe records.
    for (const item of this.queue) {
      if (item.remembered) this.producers.record(item.remembered.producerId, item.remembered.batch);
    }
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.bases[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private segmentFor(offset: number): Segment {
    const base = this.bases[this.segmentIndexFor(offset)];
    if (base === this.active.baseOffset) return this.active;
    const cached = this.openSealed.get(base);
    if (cached) {
      this.openSealed.delete(base);
      this.openSealed.set(base, cached);
      return cached;
    }
    const segment = Segment.openSealed(this.dir, base, this.indexInterval, this.logger);
    this.cacheSealed(segment);
    return segment;
  }

  private cacheSealed(segment: Segment): void {
    this.openSealed.set(segment.baseOffset, segment);
    while (this.openSealed.size > this.maxOpenSegments) {
      const [base, oldest] = this.openSealed.entries().next().value as [number, Segment];
      this.openSealed.delete(base);
      oldest.close();
    }
  }

  private loadBatch(offset: number): CachedBatch {
    const segment = this.segmentFor(offset);
    const found = segment.findBatch(offset, READ_WINDOW);
    const check = checkBatch(found.batch);
    if (!check.ok) {
      throw logStoreErrors.corrupt(
        segment.logPath,
        `batch at byte ${found.position} (offset ${found.baseOffset}): ${check.detail}`,
        { baseOffset: found.baseOffset, position: found.position },
      );
    }
    const batch = {
      buf: found.batch,
      at: 0,
      baseOffset: found.baseOffset,
      count: found.count,
      epoch: check.header.epoch,
    };
    this.cache = batch;
    return batch;
  }
}
