/**
 * Reads: one message (read) through a one-batch cache, and whole batches for replication and
 * range reads (readFrom; with `reuse`, in a shared buffer for callers that copy what they
 * keep). Only committed bytes are read (below the writer's endOffset), so a read never
 * sees a half-written batch and never waits for the writer; `readFrom(..., { unsynced: true })`
 * may also return the whole batches written while their fdatasync still runs (below
 * writtenEnd), and only from the active segment (a segment is synced when it is rolled).
 *
 * Every batch read from disk is checked before it leaves: damage found here, where the log can be
 * cut back to the named batch (CORRUPT with corruptBatchOf) and fetched again, is not shipped to
 * followers. The group just written comes from memory instead (GroupCommitWriter.writtenGroup).
 *
 * Concurrency: synchronous positional reads on the event loop; the writer's truncation calls
 * forget() when it cuts the log, so the cache never serves a removed batch.
 */
import { logStoreErrors } from './errors';
import { groupBytes, type GroupCommitWriter } from './group-commit';
import type { LogSegments } from './log-segments';
import type { ReadResult } from './log-store.interface';
import { batchMessage, checkBatch, peekBatchSize, readInt64 } from './record-batch';

/** Bytes read per lookup: one index interval plus room for the batch we are after. */
export const READ_WINDOW = 8 * 1024;

interface CachedBatch {
  buf: Buffer;
  at: number;
  baseOffset: number;
  count: number;
  epoch: number;
}

export function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export class LogReader {
  private cache: CachedBatch | null = null;

  constructor(
    private readonly segments: LogSegments,
    private readonly writer: GroupCommitWriter,
    /** The log start (retention): below it nothing is served, whatever is still on disk. */
    private readonly startOffset: () => number,
  ) {}

  read(offset: number): ReadResult {
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    const end = this.writer.endOffset;
    if (offset >= end) throw logStoreErrors.outOfRange(offset, end);
    const start = this.startOffset();
    if (offset < start) throw logStoreErrors.trimmed(offset, start);
    let batch = this.cache;
    if (!batch || offset < batch.baseOffset || offset >= batch.baseOffset + batch.count) {
      batch = this.loadBatch(offset);
    }
    // Copy: the cached batch buffer must not be pinned or changed by callers.
    const message = Buffer.from(batchMessage(batch.buf, batch.at, offset - batch.baseOffset));
    return { offset, message, epoch: batch.epoch };
  }

  /**
   * With `reuse`, the answer may lie in a buffer shared by every such read (reused-read-buffer):
   * the caller uses it before anything else reads and copies what it keeps.
   */
  readFrom(offset: number, maxBytes: number, unsynced: boolean, reuse = false): Buffer {
    if (!isOffset(offset)) throw logStoreErrors.invalidOffset(offset);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw logStoreErrors.invalidArgument(`maxBytes ${maxBytes} is not a non-negative integer`);
    }
    const end = unsynced ? this.writer.writtenEnd : this.writer.endOffset;
    if (offset === end) return Buffer.alloc(0);
    if (offset > end) throw logStoreErrors.outOfRange(offset, end);
    const start = this.startOffset();
    if (offset < start) throw logStoreErrors.trimmed(offset, start);
    // The group just written, from memory: what a leader's followers ask for at steady state.
    // Its batches were checked on their way in (encoded here, or CRC-checked from the leader).
    const group = this.writer.writtenGroup;
    if (
      group !== null &&
      group.baseOffset === offset &&
      group.endOffset <= end &&
      group.byteLength <= maxBytes
    ) {
      return groupBytes(group);
    }
    const segment = this.segments.segmentFor(offset);
    // Only the active segment can hold unsynced bytes: a segment is synced when it is rolled.
    const limit = unsynced && segment === this.segments.active ? segment.written : segment.size;
    const found = segment.findBatch(offset, READ_WINDOW, limit, reuse);
    const want = Math.max(found.size, Math.min(maxBytes, limit - found.position));
    const buf =
      found.size === want ? found.batch : segment.read(found.position, want, limit, reuse);
    // Keep whole batches only, and none at or past the end (a later segment may be
    // half-committed). A damaged first batch is an error; a later one ends the answer (the
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
        throw logStoreErrors.corruptBatch(segment.logPath, found, problem);
      }
      next += check.ok ? check.header.count : 0;
      keep += size;
    }
    return buf.subarray(0, keep);
  }

  /** Drops the cached batch (the log was cut, or is closing). */
  forget(): void {
    this.cache = null;
  }

  private loadBatch(offset: number): CachedBatch {
    const segment = this.segments.segmentFor(offset);
    const found = segment.findBatch(offset, READ_WINDOW);
    const check = checkBatch(found.batch);
    if (!check.ok) throw logStoreErrors.corruptBatch(segment.logPath, found, check.detail);
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
