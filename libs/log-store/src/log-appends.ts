/**
 * The two ways into the log, checked before anything is queued: a leader's append (messages
 * encoded here into one batch, deduplicated by producer id and sequence) and a follower's
 * appendBatches (the leader's batch bytes as they are, each CRC-checked and contiguous). A
 * refused request changes nothing; an accepted one goes to the group-commit writer.
 *
 * No state of its own. Concurrency: synchronous event-loop code up to the enqueue; offsets are
 * stamped later by the writer, in queue order.
 */
import { keyedPartsProblem } from './batch-extension';
import { logStoreErrors } from './errors';
import type { GroupCommitWriter } from './group-commit';
import type { AppendOptions, AppendResult, ProducerBatchId } from './log-store.interface';
import type { ProducerStateTable } from './producer-state';
import { isOffset } from './log-reader';
import type { QueuedBatch, QueuedWrite } from './queued-write';
import { checkBatch, encodeBatch, encodedBatchSize, keyedPartsOf } from './record-batch';

const MAX_EPOCH = 0x7fff_ffff;

export interface AppendContext {
  writer: GroupCommitWriter;
  producers: ProducerStateTable;
  maxBatchBytes: number;
}

/** Leader side (LogStore.append). Throws on bad input; the caller turns that into a rejection. */
export function leaderAppend(
  { writer, producers, maxBatchBytes }: AppendContext,
  messages: Buffer[],
  epoch: number,
  producer?: ProducerBatchId,
  options: AppendOptions = {},
): Promise<AppendResult> {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw logStoreErrors.invalidArgument('append needs at least one message');
  }
  if (!messages.every((m) => Buffer.isBuffer(m))) {
    throw logStoreErrors.invalidArgument('messages must be Buffers');
  }
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw logStoreErrors.invalidArgument(`epoch ${epoch} is not an integer from 0 to 2^31-1`);
  }
  if (epoch < writer.queuedEpoch) {
    throw logStoreErrors.invalidArgument(
      `epoch ${epoch} is older than the log's latest epoch ${writer.queuedEpoch}`,
    );
  }
  const { expectedOffset, idempotency, keyedParts } = options;
  if (expectedOffset !== undefined && !isOffset(expectedOffset)) {
    throw logStoreErrors.invalidArgument(`expected offset ${expectedOffset} is not an offset`);
  }
  if (idempotency && keyedParts) {
    throw logStoreErrors.invalidArgument('give idempotency or keyedParts, not both');
  }
  const parts = keyedPartsOf(messages.length, idempotency, keyedParts);
  const tagProblem = parts && keyedPartsProblem(parts, messages.length);
  if (tagProblem) throw logStoreErrors.invalidArgument(`idempotency tag: ${tagProblem}`);
  const size = encodedBatchSize(messages, parts);
  if (size > maxBatchBytes) {
    throw logStoreErrors.invalidArgument(
      `batch of ${size} bytes is over the limit of ${maxBatchBytes}`,
    );
  }
  let producerId = 0;
  let sequence = 0;
  if (producer && producer.producerId !== 0) {
    ({ producerId, sequence } = producer);
    if (!Number.isSafeInteger(producerId) || producerId < 0) {
      throw logStoreErrors.invalidArgument(`producerId ${producerId} is not a positive integer`);
    }
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw logStoreErrors.invalidArgument(`sequence ${sequence} is not a non-negative integer`);
    }
    const seen = producers.check(producerId, sequence);
    if (seen.kind === 'duplicate') {
      const { batch } = seen;
      if (batch.pending) return batch.pending.then((r) => ({ ...r, duplicate: true }));
      return Promise.resolve({
        baseOffset: batch.baseOffset ?? -1,
        count: batch.count,
        duplicate: true,
      });
    }
    if (seen.kind === 'stale') {
      throw logStoreErrors.staleSequence(producerId, sequence, seen.lastSequence);
    }
  }
  const bytes = encodeBatch({
    baseOffset: 0,
    epoch,
    timestamp: Date.now(),
    producerId,
    sequence,
    messages,
    keyedParts: parts,
  });
  const count = messages.length;
  let item!: QueuedWrite;
  const promise = new Promise<AppendResult>((resolve, reject) => {
    item = {
      bytes,
      batches: [{ delta: 0, at: 0, epoch, count, producerId, sequence }],
      count,
      fixedBaseOffset: null,
      expectedOffset,
      resolve: (baseOffset) => resolve({ baseOffset, count, duplicate: false }),
      reject,
    };
  });
  if (producerId !== 0) {
    item.remembered = {
      producerId,
      batch: producers.record(producerId, { sequence, count, pending: promise }),
    };
  }
  writer.enqueue(item);
  return promise;
}

/** Follower side (LogStore.appendBatches). Throws on bad input, like leaderAppend. */
export function followerAppend(
  { writer, maxBatchBytes }: AppendContext,
  batches: Buffer,
): Promise<number> {
  if (!Buffer.isBuffer(batches)) throw logStoreErrors.invalidArgument('batches must be a Buffer');
  if (batches.length === 0) return writer.runExclusive(async () => writer.endOffset);
  const queued: QueuedBatch[] = [];
  let pos = 0;
  let first = -1;
  let next = -1;
  let epoch = writer.queuedEpoch;
  while (pos < batches.length) {
    const check = checkBatch(batches, pos);
    if (!check.ok) {
      throw logStoreErrors.invalidBatch(`${check.reason} at byte ${pos}: ${check.detail}`, pos);
    }
    const h = check.header;
    if (h.size > maxBatchBytes) {
      throw logStoreErrors.invalidBatch(`batch of ${h.size} bytes is over the limit`, pos);
    }
    if (first < 0) {
      first = h.baseOffset;
      next = first;
    }
    if (h.baseOffset !== next) throw logStoreErrors.nonContiguous(next, h.baseOffset);
    if (h.epoch < epoch) {
      throw logStoreErrors.invalidBatch(
        `epoch ${h.epoch} at offset ${h.baseOffset} is older than ${epoch}`,
        pos,
      );
    }
    epoch = h.epoch;
    queued.push({
      delta: h.baseOffset - first,
      at: pos,
      epoch: h.epoch,
      count: h.count,
      producerId: h.producerId,
      sequence: h.sequence,
    });
    next += h.count;
    pos += h.size;
  }
  if (writer.idle && first !== writer.endOffset) {
    throw logStoreErrors.nonContiguous(writer.endOffset, first);
  }
  return new Promise<number>((resolve, reject) => {
    writer.enqueue({
      bytes: batches,
      batches: queued,
      count: next - first,
      fixedBaseOffset: first,
      resolve: (_base, end) => resolve(end),
      reject,
    });
  });
}
