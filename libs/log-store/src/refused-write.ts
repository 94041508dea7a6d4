/**
 * Undoing a group the disk refused (ENOSPC, EDQUOT; see disk-full.ts for why that is
 * recoverable and a failed fsync is not). A refused writev may have put part of the group, even
 * whole batches of it, past the committed end of the active segment; a refused roll may have
 * left the old segment sealed but still active. Before any append is answered "not stored" the
 * tail goes back to the last committed position, on disk (ftruncate, then fdatasync, so a crash
 * cannot bring a refused batch back) and in memory (the index entries and `written` past it,
 * the epochs the group opened), so the log reads back exactly what was acknowledged.
 *
 * Concurrency: runs on the writer chain only (group-commit.ts), like every file change.
 */
import type { EpochFile } from './epoch-file';
import { fsyncOrFatal } from './disk-full';
import type { LogSegments } from './log-segments';
import type { SegmentLogger } from './segment';

/**
 * Cuts the active segment back to its committed size and forgets epochs that start at or after
 * `committedEnd`. Throws when the cut itself fails: then the tail is unknown and the writer must
 * stop for good.
 */
export async function cutRefusedTail(
  segments: LogSegments,
  epochs: EpochFile,
  committedEnd: number,
  logger: SegmentLogger,
): Promise<void> {
  const segment = segments.active;
  const keep = segment.size;
  segment.written = keep;
  segment.index.truncateToPosition(keep);
  await segment.cutFileTo(keep);
  await fsyncOrFatal(() => segment.sync());
  if (epochs.truncateFromOffset(committedEnd)) {
    // The old epoch file is still whole (an atomic replace), so if the disk refuses this too the
    // file only names an epoch starting at the log end, which the next append in it re-assigns
    // and a reopen drops; memory, which answers every question while running, is right.
    await epochs
      .persist()
      .catch((err: unknown) =>
        logger.warn(
          `log-store: could not rewrite the epoch file after a refused write (kept in memory): ${String(err)}`,
        ),
      );
  }
}
