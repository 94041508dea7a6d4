/**
 * Retention's surface of the log, apart from LogStore so that the services that read and append
 * do not see operations that delete segments, and the ones that delete see nothing else
 * (libs/log-store README, "Retention"). The segment-file `Log` implements both; the server
 * injects this one with the LOG_RETENTION token (the same instance as LOG_STORE).
 */
import type { SegmentFacts } from './retention-policy';

export const LOG_RETENTION = Symbol('LOG_RETENTION');

export interface LogRetention {
  /**
   * First offset the log serves (0 until something was deleted). Reads below it throw
   * OFFSET_TRIMMED with `logStartOffset` in the details.
   */
  readonly logStartOffset: number;
  /** The offset the next appended message will get: the start never moves past it. */
  readonly logEndOffset: number;
  /** Bytes of every segment's .log file, the active one included. */
  readonly sizeBytes: number;
  /** Segments deleted by retention or a re-base since the log was opened. */
  readonly segmentsDeleted: number;

  /** Size and last write of each segment, oldest first (for the retention decision). */
  segmentFacts(nowMs: number): SegmentFacts[];

  /**
   * Moves the log start to `offset` (never back, never past the log end), durably, and deletes
   * the whole segments below it. Resolves with the number of segments deleted.
   */
  advanceStartTo(offset: number): Promise<number>;

  /**
   * Empties the log and restarts it at `offset`: a follower whose log ends below its leader's
   * start. The next appended batch must start at `offset`.
   */
  rebaseAt(offset: number): Promise<void>;
}
