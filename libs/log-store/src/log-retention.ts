/**
 * Moving the log start forward (retention; libs/log-store README, "Retention"): the start is
 * written to its file first, then the epochs below it are pruned, then the whole segments below
 * it leave the segment set (synchronously, so a reader sees the old set or the new one) and
 * their files are unlinked. A crash anywhere in between leaves a start on disk whose segments
 * Log.open finishes deleting (log-loader.ts). Producer state stays in memory untouched: it only
 * remembers batches, and a retry of a batch whose segment is gone is still a duplicate.
 *
 * Re-basing (a follower whose log ends below its leader's start, or a cut below the start):
 * every segment goes and the log restarts empty at the new start.
 *
 * Concurrency: the bookkeeping runs on the writer chain (GroupCommitWriter.runExclusive), so it
 * never interleaves with an append, a roll or a truncation; unlinking the files of a plain
 * advance happens after, off the chain, so retention never holds appends up on disk deletes.
 */
import type { EpochFile } from './epoch-file';
import type { GroupCommitWriter } from './group-commit';
import type { LogReader } from './log-reader';
import type { LogSegments } from './log-segments';
import type { LogStartFile } from './log-start-file';
import type { ProducerStateTable } from './producer-state';
import type { SegmentLogger } from './segment';

export interface RetentionContext {
  segments: LogSegments;
  writer: GroupCommitWriter;
  reader: LogReader;
  epochs: EpochFile;
  producers: ProducerStateTable;
  start: LogStartFile;
  logger: SegmentLogger;
  /** Segments deleted so far (for metrics). */
  deleted: number;
}

/**
 * Moves the start to `offset` (never back, never past the log end) and deletes the whole
 * segments below it. Resolves with how many segments were deleted.
 */
export async function advanceLogStart(ctx: RetentionContext, offset: number): Promise<number> {
  const { segments, writer, epochs, start } = ctx;
  const doomed = await writer.runExclusive(async () => {
    const target = Math.min(offset, writer.endOffset);
    if (target <= start.offset) return [];
    await start.persist(target);
    if (epochs.truncateFromStart(target)) await epochs.persist();
    ctx.reader.forget();
    return segments.detachBelow(target);
  });
  await segments.removeFiles(doomed);
  ctx.deleted += doomed.length;
  if (doomed.length > 0) {
    ctx.logger.log(
      `log-store: the log now starts at ${start.offset}; deleted ${doomed.length} segment(s)`,
    );
  }
  return doomed.length;
}

/** Empties the log and restarts it at `offset` (>= its start). Call on the writer chain. */
export async function rebaseLog(ctx: RetentionContext, offset: number): Promise<void> {
  const { segments, writer, epochs, start } = ctx;
  const target = Math.max(offset, start.offset);
  const endBefore = writer.endOffset;
  await start.persist(target);
  // From here every read is below the start or at the end: none reaches the old segments.
  writer.rewindTo(target);
  ctx.reader.forget();
  const doomed = await segments.resetTo(target);
  ctx.deleted += doomed.length;
  if (epochs.truncateFromOffset(0)) await epochs.persist();
  writer.refreshQueuedEpoch();
  ctx.producers.clear();
  for (const { producerId, batch } of writer.queuedProducerBatches()) {
    ctx.producers.record(producerId, batch);
  }
  ctx.logger.log(`log-store: the log (which ended at ${endBefore}) now starts empty at ${target}`);
}
