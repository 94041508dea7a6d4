/**
 * Sparse offset index of one segment (Kafka's OffsetIndex, simplified).
 *
 * File layout `<baseOffset>.index`: back-to-back 8-byte entries, big-endian
 *    0  relativeOffset  uint32  batch base offset - segment base offset
 *    4  position        uint32  byte position of that batch in the `.log` file
 * Both strictly increasing. An entry is added for the first batch that starts at least
 * `intervalBytes` after the previous entry (or after the segment start), so the index is about
 * 8 bytes per 4 KiB of log and a lookup lands within one interval (+ one batch) of the target.
 * Offset 0 of the segment is implicitly at position 0 and has no entry.
 *
 * In memory the entries live in one growable Buffer; lookups are a binary search.
 *
 * Concurrency: owned by its Segment; single-threaded JS, no locking. The file is only written
 * whole (sealing a segment, rebuilding, closing), through a temp file + rename.
 */
export const INDEX_ENTRY_BYTES = 8;

export interface IndexEntry {
  relativeOffset: number;
  position: number;
}

export class OffsetIndex {
  private buf: Buffer;
  private entries = 0;
  private lastIndexedPosition = 0;

  constructor(
    readonly intervalBytes: number,
    initialCapacity = 64,
  ) {
    this.buf = Buffer.allocUnsafe(initialCapacity * INDEX_ENTRY_BYTES);
  }

  /**
   * Parses an index file's bytes; returns null when they are not a valid index for a log file of
   * `logSize` bytes (wrong length, entries not increasing, positions past the end).
   */
  static parse(bytes: Buffer, intervalBytes: number, logSize: number): OffsetIndex | null {
    if (bytes.length % INDEX_ENTRY_BYTES !== 0) return null;
    const n = bytes.length / INDEX_ENTRY_BYTES;
    const index = new OffsetIndex(intervalBytes, Math.max(n, 16));
    let prevRel = 0;
    let prevPos = 0;
    for (let i = 0; i < n; i++) {
      const rel = bytes.readUInt32BE(i * INDEX_ENTRY_BYTES);
      const pos = bytes.readUInt32BE(i * INDEX_ENTRY_BYTES + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize) return null;
      index.push(rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    return index;
  }

  get length(): number {
    return this.entries;
  }

  /** Bytes of memory held, for keeping the cache bounded. */
  get byteSize(): number {
    return this.buf.length;
  }

  lastEntry(): IndexEntry | null {
    if (this.entries === 0) return null;
    return this.entryAt(this.entries - 1);
  }

  entryAt(i: number): IndexEntry {
    return {
      relativeOffset: this.buf.readUInt32BE(i * INDEX_ENTRY_BYTES),
      position: this.buf.readUInt32BE(i * INDEX_ENTRY_BYTES + 4),
    };
  }

  /**
   * Called for every batch appended to the segment, in order; adds an entry when this batch
   * starts at least one interval after the last indexed one.
   */
  maybeAdd(relativeOffset: number, position: number): void {
    if (position - this.lastIndexedPosition < this.intervalBytes) return;
    this.push(relativeOffset, position);
  }

  /** The indexed batch start at or before `relativeOffset`: where to start scanning. */
  lookup(relativeOffset: number): IndexEntry {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf.readUInt32BE(mid * INDEX_ENTRY_BYTES) <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { relativeOffset: 0, position: 0 } : this.entryAt(found);
  }

  /** Drops entries for batches at or past byte `position` (the log was cut there). */
  truncateToPosition(position: number): void {
    while (this.entries > 0 && this.buf.readUInt32BE((this.entries - 1) * 8 + 4) >= position) {
      this.entries--;
    }
    this.lastIndexedPosition =
      this.entries > 0 ? this.buf.readUInt32BE((this.entries - 1) * 8 + 4) : 0;
  }

  /** The file contents. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.entries * INDEX_ENTRY_BYTES));
  }

  private push(relativeOffset: number, position: number): void {
    const at = this.entries * INDEX_ENTRY_BYTES;
    if (at + INDEX_ENTRY_BYTES > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, at);
      this.buf = bigger;
    }
    this.buf.writeUInt32BE(relativeOffset, at);
    this.buf.writeUInt32BE(position, at + 4);
    this.entries++;
    this.lastIndexedPosition = position;
  }
}
