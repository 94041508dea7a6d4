/**
 * Walking the record batches of a `.log` file with plain synchronous reads: recovery at open,
 * the producer-state rebuild and truncation use it to find where the valid batches end. No
 * state; the caller owns the descriptor (see segment.ts for who may read a segment when).
 */
import * as fs from 'node:fs';
import { type BatchHeader, checkBatch, peekBatchSize } from './record-batch';

const SCAN_CHUNK = 1 << 20;

export interface ScanResult {
  /** Byte position just after the last valid batch. */
  validEnd: number;
  /** Offset after the last valid batch. */
  nextOffset: number;
  /** Why the scan stopped before the end of the file, if it did. */
  problem?: string;
  /** The visitor asked to stop (returned false) at validEnd. */
  stopped?: boolean;
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/**
 * Walks the batches of a `.log` file from byte `from` to `to`, checking framing, contiguity of
 * offsets starting at `expectedOffset` and (with verifyCrc) checksums; stops at the first bad
 * one, or where `visit` returns false. Reads `chunk` bytes at a time, so memory is bounded by the
 * chunk (or the largest batch).
 */
export function scanBatches(
  fd: number,
  from: number,
  to: number,
  expectedOffset: number,
  verifyCrc: boolean,
  visit: (header: BatchHeader, position: number) => boolean | void,
  chunk = SCAN_CHUNK,
): ScanResult {
  let pos = from;
  let next = expectedOffset;
  let buf: Buffer = Buffer.alloc(0);
  let bufStart = from;
  while (pos < to) {
    let at = pos - bufStart;
    const size = peekBatchSize(buf, at);
    if (size < 0 || at + size > buf.length) {
      buf = readAt(fd, pos, Math.min(to - pos, chunk));
      bufStart = pos;
      at = 0;
      const bigger = peekBatchSize(buf, 0);
      // A batch larger than the chunk: read it whole (only if the file really holds it).
      if (bigger > buf.length && pos + bigger <= to) buf = readAt(fd, pos, bigger);
    }
    const check = checkBatch(buf, at, buf.length, verifyCrc);
    if (!check.ok) {
      return { validEnd: pos, nextOffset: next, problem: `${check.reason}: ${check.detail}` };
    }
    if (check.header.baseOffset !== next) {
      return {
        validEnd: pos,
        nextOffset: next,
        problem: `batch at byte ${pos} has offset ${check.header.baseOffset}, expected ${next}`,
      };
    }
    if (visit(check.header, pos) === false)
      return { validEnd: pos, nextOffset: next, stopped: true };
    pos += check.header.size;
    next += check.header.count;
  }
  return { validEnd: pos, nextOffset: next };
}
