/**
 * Fills a new leader's IdempotencyKeyTable from its own log (apps/server/README.md,
 * "Idempotency-Key and Expected-Offset"): every batch written within the idempotency window, read
 * with the LogStore's plain readFrom, its key taken from the batch's extension section.
 *
 * Where to start: batch timestamps grow with offsets (each leader stamps its appends with its
 * clock), so a binary search over offsets, one small readFrom per step, finds the first batch
 * younger than the window in ~log2(messages) reads. From there the scan reads forward in large
 * chunks to the log end the term started with; the term records its own appends itself. The
 * work is the bytes written within the window: bounded by the window, not the log's length.
 *
 * Concurrency: reads only below logEndOffset (synced, never rewritten while this replica leads);
 * yields to the event loop between chunks so a long scan does not stall the leader.
 */
import {
  batchKeys,
  readBatchHeader,
  BATCH_HEADER_BYTES,
  type LogStore,
} from '@distilled/log-store';
import type { IdempotencyKeyTable } from './idempotency-keys';

/**
 * Bytes read per step of the forward scan. Each step is one synchronous read and parse: at
 * 4 MiB a step held the event loop for 150-260 ms on a new leader, so its first ISR write and
 * first commit of a failover waited for the scan; at 256 KiB a step takes a few ms.
 */
const SCAN_CHUNK_BYTES = 256 * 1024;

export interface KeyScanResult {
  /** Where the scan began (first batch inside the window). */
  fromOffset: number;
  /** Where it ended (the log end when it started). */
  toOffset: number;
  batches: number;
  keys: number;
  bytes: number;
  /** Wall time from the scan's first read to its last, ms (yields to the event loop included). */
  ms: number;
}

/** The first offset whose batch was written at or after `since`, or `end` when none was. */
export async function firstOffsetSince(log: LogStore, since: number, end: number): Promise<number> {
  // Below the log start retention has deleted everything: no key can be found there.
  let lo = log.logStartOffset;
  let hi = end;
  while (lo < hi) {
    // Retention may move the start during the search (each read below is synchronous).
    lo = Math.max(lo, log.logStartOffset);
    if (lo >= hi) break;
    const mid = lo + Math.floor((hi - lo) / 2);
    const buf = await log.readFrom(mid, 0);
    if (buf.length < BATCH_HEADER_BYTES) break;
    const header = readBatchHeader(buf, 0);
    if (header.timestamp < since) lo = header.baseOffset + header.count;
    else hi = header.baseOffset;
  }
  return lo;
}

/** Records in `table` every keyed batch of `log` below `end` written at or after `since`. */
export async function scanKeys(
  log: LogStore,
  table: IdempotencyKeyTable,
  since: number,
  end: number,
): Promise<KeyScanResult> {
  const started = performance.now();
  const fromOffset = await firstOffsetSince(log, since, end);
  const result: KeyScanResult = { fromOffset, toOffset: end, batches: 0, keys: 0, bytes: 0, ms: 0 };
  let offset = fromOffset;
  while (offset < end) {
    // Retention may move the start while we scan: what it deleted holds no key to remember.
    offset = Math.max(offset, log.logStartOffset);
    if (offset >= end) break;
    const buf = await log.readFrom(offset, SCAN_CHUNK_BYTES);
    if (buf.length === 0) break;
    let pos = 0;
    while (pos < buf.length && offset < end) {
      const header = readBatchHeader(buf, pos);
      // A batch may hold several keyed requests (the leader coalesces a turn's keyed appends).
      let partOffset = header.baseOffset;
      for (const part of batchKeys(buf, pos)) {
        // The table copies the hash into its ring, so the view does not pin the chunk.
        table.remember(part.tag, partOffset, part.count, header.timestamp);
        partOffset += part.count;
        result.keys += 1;
      }
      result.batches += 1;
      offset = header.baseOffset + header.count;
      pos += header.size;
    }
    result.bytes += buf.length;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}
