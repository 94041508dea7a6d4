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
  leader: Pick<EndOffsetForEpochResponse, 'epoch' | 'end_offset'>,
  mine: EpochEndOffset,
  logEndOffset: number,
): number {
  const ours = mine.epoch < 0 ? 0 : mine.endOffset;
  return Math.min(leader.end_offset, ours, logEndOffset);
}

/**
 * How many committed messages the leader still serves a cut to `cut` took: the HW this follower
 * knew minus the larger of the cut and the leader's log start. Below the leader's start
 * retention has deleted everything, so cutting there loses nothing (a follower whose last epoch
 * lies wholly below it asks about an epoch the leader no longer knows, hears "none" and cuts to
 * 0). Anything above 0 means committed data was cut, which KIP-101 never does.
 */
export function committedMessagesCut(
  highWatermark: number,
  cut: number,
  leaderLogStart: number,
): number {
  return Math.max(0, highWatermark - Math.max(cut, leaderLogStart));
}
