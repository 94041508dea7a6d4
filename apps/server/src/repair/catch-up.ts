import type { LeaderReport } from '../replication/leader-reports';

/**
 * How far a replica whose log was cut (at run time, or found short at start) must fetch before
 * it may lead again. Its own HW is no guide: a follower learns the HW up to a round trip after
 * the leader, so the leader may already have acknowledged messages at and past a batch the
 * follower took for uncommitted (or past the HW it took for the end of its damage). Were it
 * elected before fetching them again, they would be lost for good. What the leader says after
 * the cut is a guide:
 *
 * - in the epoch the cut was made in: its HW. A leader's HW only grows within its epoch, so the
 *   first one sent after the cut is at least the HW the leader had when the log was cut.
 * - in a later epoch (a leader elected since): its log end too. A new leader's HW can lag its
 *   predecessor's, but its log holds every committed message (only in-sync replicas lead).
 *
 * The first report of each epoch sets the target: a leader elected meanwhile replaces what an
 * earlier one said (whose log end the new one may never reach), and is itself enough.
 * Never below `known`, the highest HW this replica knew when its log was cut.
 * Not for a leader's own cut: a leader's HW is the cluster's (see LogRepair).
 */
export class CatchUp {
  private target: number | undefined;
  private heardEpoch: number | undefined;

  constructor(
    /** Where the log was cut. */
    readonly from: number,
    /** The epoch this replica followed when it cut the log (0 at start: none yet). */
    private readonly cutEpoch: number,
    readonly known: number,
  ) {}

  /** A further cut before this one was caught up: from the lower offset, after the new cut. */
  static after(previous: CatchUp | null, from: number, epoch: number, known: number): CatchUp {
    if (!previous) return new CatchUp(from, epoch, known);
    return new CatchUp(Math.min(previous.from, from), epoch, Math.max(previous.known, known));
  }

  /** The log end to reach; undefined until a leader has answered since the cut. */
  get needed(): number | undefined {
    return this.target;
  }

  hear(report: LeaderReport): void {
    if (report.epoch === this.heardEpoch) return;
    this.heardEpoch = report.epoch;
    const leaderEnd = report.epoch === this.cutEpoch ? 0 : report.logEndOffset;
    this.target = Math.max(this.known, report.highWatermark, leaderEnd);
  }

  reachedBy(logEndOffset: number): boolean {
    return this.target !== undefined && logEndOffset >= this.target;
  }
}
