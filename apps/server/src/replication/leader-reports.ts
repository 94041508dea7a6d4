/** What one fetch response from the leader said, as the leader sent it. */
export interface LeaderReport {
  readonly epoch: number;
  /** The leader's HW, not yet capped at this follower's log end. */
  readonly highWatermark: number;
  /** The leader's log end when it answered (written, maybe not yet synced). */
  readonly logEndOffset: number;
}

/**
 * The leader's word on its HW and log end, passed on by the follower loop after it has appended
 * the response's batches. The follower's own HW is capped at its log end, so it cannot say how
 * far the leader has committed; LogRepair needs exactly that after a cut (see CatchUp).
 */
export class LeaderReports {
  private readonly listeners = new Set<(report: LeaderReport) => void>();

  /** Called by the follower loop for every fetch response, after its batches are appended. */
  report(report: LeaderReport): void {
    for (const listener of this.listeners) listener(report);
  }

  /** Calls `listener` synchronously on each report (keep it cheap). Returns an unsubscribe. */
  onReport(listener: (report: LeaderReport) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
