import type { EpochEndOffset } from '@distilled/log-store';
import type { EndOffsetForEpochResponse } from '@distilled/proto';

/**
 * Where a follower's log stops agreeing with the leader's (KIP-101): the leader said epoch
 * `leader.epoch` ends at `leader.end_offset` in its log; `mine` is where that same epoch ends
 * in ours. Everything at or past the smaller of the two is ours alone and must go. Epoch 0 from
 * the leader means it knows no epoch at or below ours (epochs start at 1): nothing we hold is
 * the leader's, and `mine` then says so too (epoch -1). Never past our own log end.
 */
export function divergencePoint(
  leader: EndOffsetForEpochResponse,
  mine: EpochEndOffset,
  logEndOffset: number,
): number {
  const ours = mine.epoch < 0 ? 0 : mine.endOffset;
  return Math.min(leader.end_offset, ours, logEndOffset);
}
