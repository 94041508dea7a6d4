/**
 * The replica's own files beside its log, behind their own token (REPLICA_METADATA), so the
 * LogStore interface stays about the log: the high-watermark checkpoint, the pending catch-up
 * note and the directory's incarnation. The log's loader opens them (the incarnation must be
 * decided before the log creates its first segment, see log-directory.ts) and the log closes
 * the HW checkpoint last, after its data is synced.
 *
 * Byte layouts are in each file's module (high-watermark-checkpoint.ts, catch-up-file.ts,
 * incarnation-file.ts). Concurrency: plain event-loop calls; each file keeps its own write
 * chain, independent of the log's writer.
 */
import type { PendingCatchUp, PendingCatchUpFile } from './catch-up-file';
import type { HighWatermarkCheckpoint } from './high-watermark-checkpoint';
import type { Incarnation } from './incarnation-file';

export const REPLICA_METADATA = Symbol('REPLICA_METADATA');

export interface ReplicaMetadata {
  /**
   * The highest high watermark this replica has been told (checkpointHighWatermark), kept across
   * restarts in the `high-watermark-checkpoint` file; 0 for a log that never had one. A lower
   * bound of the cluster's HW. A log that ends below it lost committed messages.
   */
  readonly highWatermarkCheckpoint: number;

  /**
   * Records the replica's high watermark. Lower values are ignored; the file is written lazily
   * (at most every ~100 ms, one write at a time, never awaited by anything) and when the log
   * closes. The caller passes only what it knows to be committed and on this log's disk.
   */
  checkpointHighWatermark(highWatermark: number): void;

  /**
   * This data directory's identity, kept in its `incarnation` file (incarnation-file.ts): a
   * wiped or replaced directory gets a new one, which is how the cluster's ISR tells it apart
   * from the directory that was in sync.
   */
  readonly incarnation: Incarnation;

  /**
   * A note, kept across restarts in the `catch-up` file (catch-up-file.ts), that the log was cut
   * and must fetch back what a leader holds before its replica stands for leader; null when none.
   */
  readonly pendingCatchUp: PendingCatchUp | null;

  /** Writes the note; resolves once it is on disk. Call before cutting the log. */
  recordCatchUp(value: PendingCatchUp): Promise<void>;

  /** Deletes the note; resolves once that is on disk. */
  clearCatchUp(): Promise<void>;
}

export class ReplicaMetadataFiles implements ReplicaMetadata {
  constructor(
    private readonly hwCheckpoint: HighWatermarkCheckpoint,
    private readonly catchUpFile: PendingCatchUpFile,
    readonly incarnation: Incarnation,
  ) {}

  get highWatermarkCheckpoint(): number {
    return this.hwCheckpoint.value;
  }

  checkpointHighWatermark(highWatermark: number): void {
    this.hwCheckpoint.record(highWatermark);
  }

  get pendingCatchUp(): PendingCatchUp | null {
    return this.catchUpFile.value;
  }

  recordCatchUp(value: PendingCatchUp): Promise<void> {
    return this.catchUpFile.record(value);
  }

  clearCatchUp(): Promise<void> {
    return this.catchUpFile.clear();
  }

  /** Writes the last HW; called by the log's close, after its data is synced. */
  close(): Promise<void> {
    return this.hwCheckpoint.close();
  }
}
