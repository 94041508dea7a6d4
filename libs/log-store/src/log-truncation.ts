/**
 * Cutting the log back (truncateTo) and rebuilding what depends on its tail: every message at
 * or after the cut goes (whole segments past it are deleted, the segment holding it is cut at a
 * batch boundary), the epochs starting past it are dropped, and producer state is rebuilt from
 * the last two segments' batch headers, the same bounded work as at open (log-loader.ts).
 *
 * A cut at damaged framing is allowed: the break the CORRUPT error names (corruptBatchOf) is a
 * batch boundary, so the log can be cut there and the rest fetched again.
 *
 * Concurrency: runs only on the writer chain (GroupCommitWriter.runExclusive), so no write
 * interleaves; readers stop seeing the cut part before any file is touched.
 */
import type { EpochFile } from './epoch-file';
import { corruptBatchOf } from './errors';
import type { GroupCommitWriter } from './group-commit';
import type { LogReader } from './log-reader';
import { READ_WINDOW } from './log-reader';
import type { LogSegments } from './log-segments';
import type { ProducerStateTable } from './producer-state';
import { scanBatches } from './batch-scan';
import type { SegmentLogger } from './segment';

export interface TruncationContext {
  segments: LogSegments;
  writer: GroupCommitWriter;
  reader: LogReader;
  epochs: EpochFile;
  producers: ProducerStateTable;
  logger: SegmentLogger;
}

/** Cuts every message at or after `offset`. Call on the writer chain. */
export async function truncateLog(ctx: TruncationContext, offset: number): Promise<void> {
  const { segments, writer, reader, epochs, logger } = ctx;
  if (writer.failure) throw writer.failure;
  if (offset >= writer.endOffset) return;
  const index = segments.indexFor(offset);
  const segment = segments.segmentFor(offset);
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
  writer.rewindTo(newEnd);
  reader.forget();
  const deleted = await segments.dropAfter(index);
  await segment.truncate(found.position);
  if (deleted) await segments.syncDirectory();
  if (deleted || found.position > 0) {
    logger.log(`log-store: truncated the log to offset ${newEnd} (asked ${offset})`);
  }
  if (epochs.truncateFromOffset(newEnd)) await epochs.persist();
  writer.refreshQueuedEpoch();
  rebuildProducerState(ctx);
}

/** Producer state from the last two segments' headers: bounded work, same as at open. */
function rebuildProducerState({ segments, writer, producers }: TruncationContext): void {
  producers.clear();
  for (let i = Math.max(0, segments.count - 2); i < segments.count; i++) {
    const segment = segments.at(i);
    scanBatches(segment.fd, 0, segment.size, segment.baseOffset, false, (h) =>
      producers.recordStored(h),
    );
  }
  // Batches still queued keep their dedupe records.
  for (const { producerId, batch } of writer.queuedProducerBatches()) {
    producers.record(producerId, batch);
  }
}
