/**
 * One read buffer shared by the reads whose bytes are used at once and never kept
 * (Log.withBatchesFrom: a range read copies out the messages it wants). A record batch can be
 * several hundred KiB; a fresh buffer for each such read is a new memory mapping to fault in,
 * then external memory the GC chases with full collections, while the few KiB of messages a
 * page wants are all that outlives the read. Reads are synchronous, so no two use it at once.
 */
import * as fs from 'node:fs';

/** Reads larger than this get a buffer of their own rather than growing the shared one for good. */
export const MAX_REUSED_READ_BYTES = 2 * 1024 * 1024;
const FIRST_BYTES = 256 * 1024;

let shared: Buffer | null = null;

/**
 * `length` bytes at `position` (fewer at the end of the file), in the shared buffer: valid only
 * until the next call, so the caller uses them synchronously and copies what it keeps.
 */
export function readAtReused(fd: number, position: number, length: number): Buffer {
  const buf = length > MAX_REUSED_READ_BYTES ? Buffer.allocUnsafe(length) : sharedBuffer(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

function sharedBuffer(length: number): Buffer {
  if (shared === null || shared.length < length) {
    let size = shared === null ? FIRST_BYTES : shared.length;
    while (size < length) size *= 2;
    // Slow: outside Node's small-buffer pool, which this would pin.
    shared = Buffer.allocUnsafeSlow(Math.min(size, MAX_REUSED_READ_BYTES));
  }
  return shared;
}
