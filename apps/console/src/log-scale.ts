// Where each replica's log sits on the one scale all bars share: from the lowest log start to
// the highest log end of any replica. Pure, so specs can check the geometry without a browser.
import type { ConsoleReplica } from '@distilled/console-frames';

export interface LogScale {
  start: number;
  end: number;
}

/** Percent positions of one replica's bar; null when its log is not known (not answering). */
export interface LogBar {
  /** Where its log starts. */
  startPct: number;
  /** Committed part: log start to high watermark. */
  committedPct: number;
  /** Written but not yet committed: high watermark to log end. */
  uncommittedPct: number;
  /** The high watermark's position, for its tick. */
  highWatermarkPct: number;
}

export function logScale(replicas: readonly ConsoleReplica[]): LogScale {
  const known = replicas.filter((r) => r.logEndOffset !== null);
  if (known.length === 0) return { start: 0, end: 0 };
  return {
    start: Math.min(...known.map((r) => r.logStartOffset)),
    end: Math.max(...known.map((r) => r.logEndOffset ?? 0)),
  };
}

export function logBar(replica: ConsoleReplica, scale: LogScale): LogBar | null {
  if (replica.logEndOffset === null) return null;
  const span = scale.end - scale.start;
  // An empty span means every log is empty (all end where they start): nothing to draw.
  const pct = (offset: number): number =>
    span <= 0 ? 0 : clamp(((offset - scale.start) / span) * 100);
  const start = pct(replica.logStartOffset);
  const end = pct(replica.logEndOffset);
  const highWatermark = pct(Math.min(replica.highWatermark ?? 0, replica.logEndOffset));
  const committedEnd = Math.max(start, highWatermark);
  return {
    startPct: start,
    committedPct: committedEnd - start,
    uncommittedPct: Math.max(0, end - committedEnd),
    highWatermarkPct: committedEnd,
  };
}

function clamp(pct: number): number {
  return Math.min(100, Math.max(0, pct));
}
