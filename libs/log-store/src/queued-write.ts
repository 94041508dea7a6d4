/**
 * A write waiting for the group-commit writer (group-commit.ts), and the rule that admits it
 * when its group is written: a leader append gets the next offset unless its epoch is older
 * than the log's; a follower's batches must start exactly at the log end, in an epoch no older
 * than the log's. A refused write is rejected alone; the rest of its group goes on.
 *
 * Byte layout: `bytes` are whole record batches (record-batch.ts); a leader append's base
 * offset is stamped into them here. Concurrency: called on the writer chain only.
 */
import type { EpochFile } from './epoch-file';
import { logStoreErrors } from './errors';
import type { RememberedBatch } from './producer-state';
import { stampBaseOffset } from './record-batch';

export interface QueuedBatch {
  /** Offset of this batch minus the first batch's. */
  delta: number;
  /** Byte position inside QueuedWrite.bytes. */
  at: number;
  epoch: number;
  count: number;
  producerId: number;
  sequence: number;
}

export interface QueuedWrite {
  bytes: Buffer;
  batches: QueuedBatch[];
  count: number;
  /** Follower batches carry their offset; leader appends (null) get one when written. */
  fixedBaseOffset: number | null;
  /** Leader appends with a producer: the dedupe record to fill in or forget. */
  remembered?: { producerId: number; batch: RememberedBatch };
  resolve(baseOffset: number, endOffset: number): void;
  reject(err: Error): void;
  /** Resolved or rejected already. */
  settled?: boolean;
}

/** A write admitted into a group, with the offset its first batch gets. */
export interface Accepted {
  item: QueuedWrite;
  base: number;
}

/**
 * Gives each write of the group its base offset, refusing those that no longer fit (an older
 * epoch, a follower batch not at the end); records new epochs before any data is written, so
 * the file never lacks an epoch the log holds.
 */
export function admitGroup(
  group: QueuedWrite[],
  endOffset: number,
  epochs: EpochFile,
  refuse: (item: QueuedWrite, err: Error) => void,
): { accepted: Accepted[]; epochsChanged: boolean } {
  let end = endOffset;
  let latest = epochs.latestEpoch;
  let epochsChanged = false;
  const accepted: Accepted[] = [];
  for (const item of group) {
    const firstEpoch = item.batches[0].epoch;
    const older = `epoch ${firstEpoch} is older than the log's latest epoch ${latest}`;
    if (item.fixedBaseOffset === null) {
      if (firstEpoch < latest) {
        refuse(item, logStoreErrors.invalidArgument(older));
        continue;
      }
      stampBaseOffset(item.bytes, end);
    } else if (item.fixedBaseOffset !== end) {
      refuse(item, logStoreErrors.nonContiguous(end, item.fixedBaseOffset));
      continue;
    } else if (firstEpoch < latest) {
      refuse(item, logStoreErrors.invalidBatch(older));
      continue;
    }
    for (const b of item.batches) {
      if (b.epoch > latest) {
        epochs.assign(b.epoch, end + b.delta);
        latest = b.epoch;
        epochsChanged = true;
      }
    }
    accepted.push({ item, base: end });
    end += item.count;
  }
  return { accepted, epochsChanged };
}
