/**
 * Reads a run of messages from the log in whole record batches (withBatchesFrom) instead of one
 * read() per message: a range of a thousand messages costs a few positional reads into the
 * store's reused buffer and one copy of the wanted messages per read (the messages are views
 * into it), not a fresh buffer of every batch the range touches. Stops at `end`, the caller's
 * high watermark, so nothing uncommitted ever leaves. Used by ReadRange and Follow.
 *
 * Retention may delete segments while a range is read: every step is one synchronous read of
 * whole, checked batches (copied out of the file), so a step gets its messages or
 * OFFSET_TRIMMED; a start that passes the range between two steps ends it with what it has.
 */
import {
  BATCH_HEADER_BYTES,
  LogStoreError,
  readBatchHeader,
  type LogStore,
} from '@distilled/log-store';

/** At most this many bytes of log asked of readFrom at a time. */
const READ_STEP_BYTES = 128 * 1024;
/** The first step for a small `maxCount`: a guess of bytes per message, and a floor. */
const GUESS_BYTES_PER_MESSAGE = 256;
const MIN_STEP_BYTES = 4 * 1024;

export interface RangeLimits {
  /** At most this many messages (>= 1). */
  maxCount: number;
  /**
   * At most this many message bytes; the run stops before a message that would pass it, but
   * always holds the first message when there is one.
   */
  maxBytes: number;
}

/**
 * The messages at offset, offset+1, ... below `end`, within `limits`. Empty when offset >= end.
 * Batches are checked by readFrom (a damaged one is a CORRUPT error for the caller to report).
 */
export async function readCommittedRange(
  log: Pick<LogStore, 'withBatchesFrom'>,
  offset: number,
  end: number,
  limits: RangeLimits,
): Promise<Buffer[]> {
  const messages: Buffer[] = [];
  let next = offset;
  let bytes = 0;
  // A request for a few messages must not read (and CRC-check) 128 KiB of the log: start from a
  // guess sized by maxCount and double while more is wanted.
  let step = Math.min(
    READ_STEP_BYTES,
    Math.max(MIN_STEP_BYTES, limits.maxCount * GUESS_BYTES_PER_MESSAGE),
  );
  let full = false;
  /**
   * Takes the wanted messages of one step's batches, which lie in the store's reused buffer: they
   * are copied out in one piece (a page of a large batch is a small part of it), and the
   * answer's messages are views into that copy.
   */
  const take = (chunk: Buffer): void => {
    const starts: number[] = [];
    const lengths: number[] = [];
    let pos = 0;
    scan: while (pos < chunk.length) {
      const header = readBatchHeader(chunk, pos);
      let p = pos + BATCH_HEADER_BYTES;
      for (let i = 0; i < header.count; i++) {
        const length = chunk.readInt32BE(p);
        const at = header.baseOffset + i;
        if (at >= next) {
          const taken = messages.length + starts.length;
          if (
            at >= end ||
            taken >= limits.maxCount ||
            (taken > 0 && bytes + length > limits.maxBytes)
          ) {
            full = true;
            break scan;
          }
          starts.push(p + 4);
          lengths.push(length);
          bytes += length;
          next = at + 1;
        }
        p += 4 + length;
      }
      pos += header.size;
    }
    if (starts.length === 0) return;
    const first = starts[0];
    const copy = Buffer.from(
      chunk.subarray(first, starts[starts.length - 1] + lengths[lengths.length - 1]),
    );
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i] - first;
      messages.push(copy.subarray(from, from + lengths[i]));
    }
  };
  while (!full && next < end && messages.length < limits.maxCount) {
    // Read in modest steps rather than all of maxBytes at once: readFrom checks the CRC of every
    // batch it returns, and a page of a thousand small messages needs ~100 KiB, not the 1 MiB
    // a default maxBytes allows. It returns whole batches from the one holding `next` (at least
    // one), so a step never splits a batch.
    // The first message is taken whatever its size, so `bytes` may be past maxBytes already:
    // then this read only finds the page full (or an empty message that still fits).
    const want = Math.min(Math.max(0, limits.maxBytes - bytes), step) + BATCH_HEADER_BYTES;
    step = Math.min(READ_STEP_BYTES, step * 2);
    const before = next;
    try {
      await log.withBatchesFrom(next, want, take);
    } catch (error) {
      // Retention moved the log start past `next` between two steps: what was read is whole
      // and committed, so it is the answer; the caller's next read from `next` gets the 410.
      if (messages.length > 0 && error instanceof LogStoreError && error.code === 'OFFSET_TRIMMED')
        return messages;
      throw error;
    }
    if (next === before) break; // nothing at `next` (cannot happen below the log end)
  }
  return messages;
}
