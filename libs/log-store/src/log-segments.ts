/**
 * The log's segments in offset order (Kafka's LogSegments): the base offset of every segment,
 * the active one (the last, the only one written), and an LRU of open sealed ones for reads.
 * Finds the segment holding an offset, rolls to a new active segment, and deletes the
 * segments past a cut: the one place segment files are removed.
 *
 * Memory is flat in the log's length: 8 bytes per segment for its base offset, plus at most
 * `maxOpenSegments` sealed segments open with their sparse index (~128 KiB per 64 MiB segment).
 *
 * Concurrency: owned by Log. Lookups are synchronous (reads use them); roll and dropAfter run
 * only on the writer chain. A sealed segment closed by the LRU is reopened on the next lookup.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDir } from './atomic-file';
import { INDEX_SUFFIX, LOG_SUFFIX, Segment, segmentFileName, type SegmentLogger } from './segment';

export class LogSegments {
  /** Open sealed segments; Map order is LRU order. */
  private readonly openSealed = new Map<number, Segment>();

  constructor(
    readonly dir: string,
    private readonly indexInterval: number,
    private readonly maxOpenSegments: number,
    private readonly logger: SegmentLogger,
    /** Base offsets of all segments, ascending; the last is the active one. */
    private bases: number[],
    private activeSegment: Segment,
    /** A sealed segment recovery already opened (the second-to-last), or null. */
    sealed: Segment | null,
  ) {
    if (sealed) this.openSealed.set(sealed.baseOffset, sealed);
  }

  get active(): Segment {
    return this.activeSegment;
  }

  get count(): number {
    return this.bases.length;
  }

  /** Offset of the first message still in the log (0: nothing is ever deleted from the front). */
  get startOffset(): number {
    return this.bases[0];
  }

  /** Position in offset order of the segment holding `offset`. */
  indexFor(offset: number): number {
    let lo = 0;
    let hi = this.bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.bases[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The segment holding `offset`, opened (and made most recently used) if sealed. */
  segmentFor(offset: number): Segment {
    return this.at(this.indexFor(offset));
  }

  /** The segment at position `index` in offset order. */
  at(index: number): Segment {
    const base = this.bases[index];
    if (base === this.activeSegment.baseOffset) return this.activeSegment;
    const cached = this.openSealed.get(base);
    if (cached) {
      this.openSealed.delete(base);
      this.openSealed.set(base, cached);
      return cached;
    }
    const segment = Segment.openSealed(this.dir, base, this.indexInterval, this.logger);
    this.cacheSealed(segment);
    return segment;
  }

  /** Starts a new active segment at `baseOffset`; the old one (already sealed) joins the LRU. */
  async roll(baseOffset: number): Promise<Segment> {
    const old = this.activeSegment;
    const next = await Segment.create(this.dir, baseOffset, this.indexInterval);
    this.bases.push(baseOffset);
    this.activeSegment = next;
    this.cacheSealed(old);
    return next;
  }

  /**
   * Deletes every segment after position `index` (closing those open) and makes the one at
   * `index` the active segment. Returns how many were deleted; the caller syncs the directory
   * (syncDirectory) once it has also cut the new active segment.
   */
  async dropAfter(index: number): Promise<number> {
    const segment = this.at(index);
    const doomed = this.bases.slice(index + 1);
    for (const base of doomed) {
      const open =
        base === this.activeSegment.baseOffset ? this.activeSegment : this.openSealed.get(base);
      open?.close();
      this.openSealed.delete(base);
      await fs.promises.rm(path.join(this.dir, segmentFileName(base, LOG_SUFFIX)), { force: true });
      await fs.promises.rm(path.join(this.dir, segmentFileName(base, INDEX_SUFFIX)), {
        force: true,
      });
    }
    this.bases = this.bases.slice(0, index + 1);
    this.openSealed.delete(segment.baseOffset);
    this.activeSegment = segment;
    return doomed.length;
  }

  syncDirectory(): Promise<void> {
    return syncDir(this.dir);
  }

  /** Closes every open descriptor (the log's close). */
  closeAll(): void {
    this.activeSegment.close();
    for (const segment of this.openSealed.values()) segment.close();
    this.openSealed.clear();
  }

  private cacheSealed(segment: Segment): void {
    this.openSealed.set(segment.baseOffset, segment);
    while (this.openSealed.size > this.maxOpenSegments) {
      const [base, oldest] = this.openSealed.entries().next().value as [number, Segment];
      this.openSealed.delete(base);
      oldest.close();
    }
  }
}
