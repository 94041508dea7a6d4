/**
 * The log's segments in offset order (Kafka's LogSegments): the base offset of every segment,
 * the active one (the last, the only one written), and an LRU of open sealed ones for reads.
 * Finds the segment holding an offset, rolls to a new active segment, deletes the segments
 * past a cut and, for retention, the whole segments below the log start: the one place segment
 * files are removed.
 *
 * Memory is flat in the log's length: 8 bytes per segment for its base offset, plus at most
 * `maxOpenSegments` sealed segments open with their sparse index (~128 KiB per 64 MiB segment).
 *
 * Concurrency: owned by Log. Lookups are synchronous (reads use them); roll, dropAfter,
 * detachBelow and resetTo run only on the writer chain. A sealed segment closed by the LRU is
 * reopened on the next lookup. Retention detaches segments synchronously (readers, also
 * synchronous, see the old set or the new one, never half of it) and unlinks their files
 * afterwards, off the writer chain; no read can hold a detached segment, so no reference counts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDir } from './atomic-file';
import type { SegmentFacts } from './retention-policy';
import { Segment, type SegmentLogger } from './segment';
import { INDEX_SUFFIX, LOG_SUFFIX, segmentFileName } from './segment-name';

export class LogSegments {
  /** Open sealed segments; Map order is LRU order. */
  private readonly openSealed = new Map<number, Segment>();
  /** Size and last write of sealed segments (they never change), filled in as asked. */
  private readonly sealedFacts = new Map<number, SegmentFacts>();

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
    // By base offset, not position: retention may have detached segments at the front meanwhile.
    this.bases = this.bases.filter((base) => base <= segment.baseOffset);
    this.openSealed.delete(segment.baseOffset);
    this.activeSegment = segment;
    return doomed.length;
  }

  /** Size and last write of every segment, in offset order (for the retention decision). */
  facts(nowMs: number): SegmentFacts[] {
    return this.bases.map((base) => {
      if (base === this.activeSegment.baseOffset) {
        return { baseOffset: base, bytes: this.activeSegment.size, lastWriteMs: nowMs };
      }
      let facts = this.sealedFacts.get(base);
      if (!facts) {
        const stat = fs.statSync(path.join(this.dir, segmentFileName(base, LOG_SUFFIX)));
        facts = { baseOffset: base, bytes: stat.size, lastWriteMs: stat.mtimeMs };
        this.sealedFacts.set(base, facts);
      }
      return facts;
    });
  }

  /**
   * Takes out of the set every closed segment that lies wholly below `offset` (its successor
   * starts at or before it) and closes it. Synchronous: a reader sees the set before or after.
   * Returns their base offsets; removeFiles deletes them.
   */
  detachBelow(offset: number): number[] {
    let keepFrom = 0;
    while (keepFrom < this.bases.length - 1 && this.bases[keepFrom + 1] <= offset) keepFrom++;
    const doomed = this.bases.slice(0, keepFrom);
    for (const base of doomed) {
      this.openSealed.get(base)?.close();
      this.openSealed.delete(base);
      this.sealedFacts.delete(base);
    }
    this.bases = this.bases.slice(keepFrom);
    return doomed;
  }

  /**
   * Replaces every segment with one new, empty active segment at `baseOffset` (a follower whose
   * whole log lies below the leader's start). Returns the bases detached, for removeFiles.
   */
  async resetTo(baseOffset: number): Promise<number[]> {
    const doomed = [...this.bases];
    this.closeAll();
    this.sealedFacts.clear();
    await this.removeFiles(doomed);
    const next = await Segment.create(this.dir, baseOffset, this.indexInterval);
    this.bases = [baseOffset];
    this.activeSegment = next;
    return doomed;
  }

  /** Deletes the files of detached segments (removeSegmentFiles). */
  removeFiles(bases: readonly number[]): Promise<void> {
    return removeSegmentFiles(this.dir, bases);
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

/**
 * Deletes whole segments' files, the .log first (a crash between the two leaves an orphan
 * index, which open removes), then syncs the directory.
 */
export async function removeSegmentFiles(dir: string, bases: readonly number[]): Promise<void> {
  for (const base of bases) {
    await fs.promises.rm(path.join(dir, segmentFileName(base, LOG_SUFFIX)), { force: true });
    await fs.promises.rm(path.join(dir, segmentFileName(base, INDEX_SUFFIX)), { force: true });
  }
  if (bases.length > 0) await syncDir(dir);
}
