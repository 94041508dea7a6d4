/**
 * The retention decision (Kafka's retention.bytes / retention.ms, by whole segments): given the
 * segments of a log, how far its start may move. Pure: the leader calls it on a timer, caps the
 * answer at its high watermark, and then the log deletes (Log.advanceStartTo).
 *
 *  - bytes: while the `.log` files together (the active one included) exceed `retentionBytes`,
 *    the oldest closed segment goes. Disk use therefore stays under the limit plus what the
 *    active segment grows between two checks.
 *  - age: a closed segment whose last write (its file's mtime: a closed segment is never
 *    written again) is older than `retentionMs` goes, and so does every closed one before it.
 *
 * Only closed segments ever go: the active one (the last) is never deleted. The answer is the
 * base offset of the first segment kept, i.e. the new log start, never below `current`.
 */

export interface RetentionPolicy {
  /** Keep at most about this many bytes of `.log` files; undefined: no byte limit. */
  retentionBytes?: number;
  /** Delete closed segments last written longer ago than this; undefined: no age limit. */
  retentionMs?: number;
}

export interface SegmentFacts {
  baseOffset: number;
  /** Bytes of the segment's `.log` file. */
  bytes: number;
  /** When the segment was last written (ms since the epoch). */
  lastWriteMs: number;
}

export function isRetentionOn(policy: RetentionPolicy): boolean {
  return policy.retentionBytes !== undefined || policy.retentionMs !== undefined;
}

/**
 * The log start retention allows: the base of the first segment to keep (segments in offset
 * order, the last one active), or `current` when nothing may go.
 */
export function retentionStart(
  segments: readonly SegmentFacts[],
  policy: RetentionPolicy,
  nowMs: number,
  current: number,
): number {
  let drop = 0;
  const closed = segments.length - 1;
  if (policy.retentionMs !== undefined) {
    for (let i = 0; i < closed; i++) {
      if (nowMs - segments[i].lastWriteMs > policy.retentionMs) drop = i + 1;
    }
  }
  if (policy.retentionBytes !== undefined) {
    let total = segments.reduce((sum, s) => sum + s.bytes, 0);
    for (let i = 0; i < closed && total > policy.retentionBytes; i++) {
      total -= segments[i].bytes;
      drop = Math.max(drop, i + 1);
    }
  }
  if (drop === 0) return current;
  return Math.max(current, segments[drop].baseOffset);
}
