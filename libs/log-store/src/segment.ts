/**
 * One segment: `<baseOffset, 20 digits>.log` (record batches back to back, see record-batch.ts)
 * plus its sparse `<baseOffset>.index` (see offset-index.ts); names in segment-name.ts, the
 * batch walk recovery uses in batch-scan.ts.
 *
 * `size` is the committed length of the `.log` file: bytes below it are whole, checked batches
 * (written and, with fsync `always`, synced). Reads never look past it, except the leader's
 * replication reads, which may go up to `written` (>= size): whole batches written to the
 * file whose fsync is still running (Log.readFrom with `unsynced`).
 *
 * Concurrency: owned by Log. Reads are synchronous positional reads (pread), which for the small
 * windows a read needs cost less than a thread-pool round trip, and, being synchronous, can never
 * race the LRU closing the descriptor. Writes and fsyncs are asynchronous and only ever issued
 * by Log's single writer chain, one at a time, to the active segment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { syncDir, writeFileAtomic } from './atomic-file';
import { shortWriteError } from './disk-full';
import { logStoreErrors } from './errors';
import type { RecoveryCut } from './log-store.interface';
import { OffsetIndex } from './offset-index';
import { readAt, scanBatches } from './batch-scan';
import { readAtReused } from './reused-read-buffer';
import { BATCH_HEADER_BYTES, type BatchHeader, peekBatchSize, readInt64 } from './record-batch';
import { INDEX_SUFFIX, LOG_SUFFIX, segmentFileName } from './segment-name';

const writevAsync = promisify(fs.writev);
const fdatasyncAsync = promisify(fs.fdatasync);
const ftruncateAsync = promisify(fs.ftruncate);

const SYNC_WRITE_BYTES = 256 * 1024;

export interface SegmentLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface FoundBatch {
  /** The whole batch, in a buffer of its own (or, with `reuse`, a shared one: see findBatch). */
  batch: Buffer;
  /** Byte position of the batch in the file. */
  position: number;
  baseOffset: number;
  count: number;
  size: number;
}

/**
 * One scratch buffer for the windows reads walk through: reads are synchronous, so no two use
 * it at once, and reusing it keeps a random read free of a fresh 8 KiB allocation.
 */
let scratch = Buffer.allocUnsafe(8192);

export class Segment {
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly fd: number,
    /** Committed bytes of the .log file. */
    public size: number,
    public index: OffsetIndex,
  ) {
    this.written = size;
  }

  /**
   * Bytes of whole batches written to the .log file, synced or not (>= size). Set by Log's
   * writer after a write and before its fsync; only unsynced replication reads look past size.
   */
  written: number;

  get logPath(): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, LOG_SUFFIX));
  }

  get indexPath(): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, INDEX_SUFFIX));
  }

  /** A new, empty segment (the files must not exist). */
  static async create(dir: string, baseOffset: number, indexInterval: number): Promise<Segment> {
    const logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    const fd = fs.openSync(logPath, 'wx+');
    const segment = new Segment(dir, baseOffset, fd, 0, new OffsetIndex(indexInterval));
    try {
      await fs.promises.writeFile(segment.indexPath, Buffer.alloc(0));
      await syncDir(dir);
    } catch (err) {
      // A full disk can refuse the index: leave no half-made segment for the next roll to trip on.
      segment.close();
      fs.rmSync(logPath, { force: true });
      fs.rmSync(segment.indexPath, { force: true });
      throw err;
    }
    return segment;
  }

  /**
   * Opens the last segment after a possible crash: re-validates every batch with its CRC, cuts
   * a torn or corrupt tail, and rebuilds the index from the scan (so a crash between the log and
   * index writes cannot matter). Work is bounded by one segment.
   */
  static async recoverTail(
    dir: string,
    baseOffset: number,
    indexInterval: number,
    logger: SegmentLogger,
    visit: (header: BatchHeader) => void,
  ): Promise<{ segment: Segment; nextOffset: number; cut: RecoveryCut | null }> {
    const logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    const fd = fs.openSync(logPath, 'r+');
    const fileSize = fs.fstatSync(fd).size;
    const index = new OffsetIndex(indexInterval);
    const result = scanBatches(fd, 0, fileSize, baseOffset, true, (header, position) => {
      index.maybeAdd(header.baseOffset - baseOffset, position);
      visit(header);
    });
    let cut: RecoveryCut | null = null;
    if (result.validEnd < fileSize) {
      cut = {
        file: logPath,
        position: result.validEnd,
        bytes: fileSize - result.validEnd,
        endOffset: result.nextOffset,
        reason: result.problem ?? 'unknown',
      };
      logger.warn(
        `log-store: cut ${cut.bytes} bytes of torn or corrupt tail from ${logPath} at byte ${cut.position} (log now ends at offset ${cut.endOffset}): ${cut.reason}`,
      );
      fs.ftruncateSync(fd, result.validEnd);
      fs.fsyncSync(fd);
    }
    const segment = new Segment(dir, baseOffset, fd, result.validEnd, index);
    const onDisk = fs.existsSync(segment.indexPath) ? fs.readFileSync(segment.indexPath) : null;
    const rebuilt = index.toBuffer();
    if (onDisk === null || !onDisk.equals(rebuilt)) {
      if (onDisk === null) logger.warn(`log-store: rebuilt missing index ${segment.indexPath}`);
      await writeFileAtomic(segment.indexPath, rebuilt, { syncDir: false });
    }
    return { segment, nextOffset: result.nextOffset, cut };
  }

  /**
   * Opens a sealed (not last) segment for reading. Its index is checked (shape, and that the
   * last entry points at the batch it names) and rebuilt from the log when missing or damaged.
   */
  static openSealed(
    dir: string,
    baseOffset: number,
    indexInterval: number,
    logger: SegmentLogger,
  ): Segment {
    const logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    const fd = fs.openSync(logPath, 'r+');
    try {
      const size = fs.fstatSync(fd).size;
      const indexPath = path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
      let index: OffsetIndex | null = null;
      let bytes: Buffer | null = null;
      try {
        bytes = fs.readFileSync(indexPath);
      } catch {
        bytes = null;
      }
      if (bytes !== null) {
        index = OffsetIndex.parse(bytes, indexInterval, size);
        if (index && !Segment.indexCoversLog(fd, baseOffset, size, index)) index = null;
      }
      if (index === null) {
        index = new OffsetIndex(indexInterval);
        const built = index;
        const result = scanBatches(fd, 0, size, baseOffset, true, (header, position) =>
          built.maybeAdd(header.baseOffset - baseOffset, position),
        );
        logger.warn(
          `log-store: rebuilt ${bytes === null ? 'missing' : 'damaged'} index ${indexPath} (${index.length} entries)`,
        );
        if (result.problem) {
          logger.warn(
            `log-store: ${logPath} is corrupt at byte ${result.validEnd}: ${result.problem}`,
          );
        }
        const tmp = indexPath + '.tmp';
        fs.writeFileSync(tmp, index.toBuffer());
        fs.renameSync(tmp, indexPath);
      }
      return new Segment(dir, baseOffset, fd, size, index);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /**
   * Cheap check that an index matches its log: the last entry names the batch at its position,
   * and walking on from there reaches the end of the file without passing a spot where an entry
   * is missing (an index that lags the log, or an emptied one). Reads about one interval.
   */
  private static indexCoversLog(
    fd: number,
    baseOffset: number,
    size: number,
    index: OffsetIndex,
  ): boolean {
    const last = index.lastEntry() ?? { relativeOffset: 0, position: 0 };
    if (last.position > 0) {
      const head = readAt(fd, last.position, 8);
      if (head.length < 8 || readInt64(head, 0) !== baseOffset + last.relativeOffset) return false;
    }
    const walk = scanBatches(
      fd,
      last.position,
      size,
      baseOffset + last.relativeOffset,
      false,
      (_h, position) =>
        position - last.position < index.intervalBytes || position === last.position,
      Math.max(4 * index.intervalBytes, 64 * 1024),
    );
    return walk.validEnd === size && !walk.stopped && !walk.problem;
  }

  /**
   * Finds the batch holding `offset` (which must be below this segment's end): index lookup,
   * then a walk of batch headers through a `window`-byte positional read.
   */
  findBatch(offset: number, window: number, limit: number = this.size, reuse = false): FoundBatch {
    if (scratch.length < window) scratch = Buffer.allocUnsafe(window);
    const entry = this.index.lookup(offset - this.baseOffset);
    let position = entry.position;
    // The offset the batch at `position` must start with; the walk only passes whole batches
    // below `offset`, so where it breaks is a batch boundary at or below `offset`.
    let expected = this.baseOffset + entry.relativeOffset;
    // buf[at] is file byte `position`; buf holds `filled` valid bytes.
    let filled = 0;
    let at = 0;
    while (position < limit) {
      if (filled - at < BATCH_HEADER_BYTES) {
        filled = fs.readSync(this.fd, scratch, 0, Math.min(window, limit - position), position);
        at = 0;
        if (filled < BATCH_HEADER_BYTES) break;
      }
      const size = peekBatchSize(scratch, at);
      const baseOffset = readInt64(scratch, at);
      const count = scratch.readInt32BE(at + 20);
      if (size < 0 || count < 1 || position + size > limit || baseOffset !== expected) break;
      if (offset < baseOffset + count) {
        // With `reuse` the batch stays in a shared buffer, valid until the next read: for
        // callers that use it at once and copy what they keep (readAtReused).
        const batch =
          filled - at >= size
            ? reuse
              ? scratch.subarray(at, at + size)
              : Buffer.from(scratch.subarray(at, at + size))
            : reuse
              ? readAtReused(this.fd, position, size)
              : readAt(this.fd, position, size);
        return { batch, position, baseOffset, count, size };
      }
      position += size;
      at += size;
      expected += count;
    }
    throw logStoreErrors.corrupt(
      this.logPath,
      `no batch holds offset ${offset}: the batch at byte ${position} (offset ${expected}) is damaged or missing`,
      { baseOffset: expected, position },
    );
  }

  /** Positional read of committed bytes (or, with `limit` = written, of written ones). */
  read(position: number, length: number, limit: number = this.size, reuse = false): Buffer {
    const bytes = Math.min(length, limit - position);
    return reuse ? readAtReused(this.fd, position, bytes) : readAt(this.fd, position, bytes);
  }

  /** Writes buffers at byte `position` (the writer chain's own end, >= size). */
  async write(buffers: Buffer[], position: number): Promise<void> {
    let total = 0;
    for (const b of buffers) total += b.length;
    // Small writes go straight into the page cache: doing them synchronously saves a thread-pool
    // round trip per group commit, which is most of the cost besides the fsync itself.
    const written =
      total <= SYNC_WRITE_BYTES
        ? fs.writevSync(this.fd, buffers, position)
        : (await writevAsync(this.fd, buffers, position)).bytesWritten;
    if (written !== total) {
      // libuv loops over partial writes itself; a short count means the disk refused the rest.
      throw shortWriteError(this.logPath, written, total);
    }
  }

  async sync(): Promise<void> {
    await fdatasyncAsync(this.fd);
  }

  /** fdatasync on the calling thread: see GroupCommitWriter for when that pays. */
  syncOnThisThread(): void {
    fs.fdatasyncSync(this.fd);
  }

  /** Makes the segment read-only for good: fsync the data, write and fsync the full index. */
  async seal(): Promise<void> {
    await this.sync();
    await this.writeIndex();
  }

  async writeIndex(): Promise<void> {
    await writeFileAtomic(this.indexPath, this.index.toBuffer(), { syncDir: false });
  }

  /** Cuts only the .log file back to `position` (bytes of a refused write past it; no fsync). */
  async cutFileTo(position: number): Promise<void> {
    await ftruncateAsync(this.fd, position);
  }

  /** Cuts the log file at `position` (a batch boundary) and the index with it. */
  async truncate(position: number): Promise<void> {
    await ftruncateAsync(this.fd, position);
    await this.sync();
    this.size = position;
    this.written = position;
    this.index.truncateToPosition(position);
    await this.writeIndex();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
