import type { LeaderReport } from '../replication/leader-reports';

/**
 * How far a replica whose log was cut (at run time, or found short at start) must fetch before
 * it may lead again. Its own HW is no guide: a follower learns the HW up to a round trip after
 * the leader, so the leader may already have acknowledged messages at and past a batch the
 * follower took for uncommitted (or past the HW it took for the end of its damage). Were it
 * elected before fetching them again, they would be lost for good.
 *
 * The leader's HW after the cut is no guide either: a leader elected recently starts from the
 * HW it had as a follower, which can lag what its predecessor committed, and stays there until
 * the ISR has fetched in its epoch. Its log end is: only in-sync replicas lead, so a leader's
 * log holds every committed message. So the target is the leader's log end (and HW, and the HW
 * this replica knew, `known`, whichever is highest) as the leader first reports it after the
 * cut; about one more fetch round than the HW alone would need.
 *
 * The first report of each epoch sets the target: a leader elected meanwhile replaces what an
 * earlier one said (whose log end the new one may never reach), and is itself enough.
 * Not for a leader's own cut: a leader's HW is the cluster's (see LogRepair).
 */
export class CatchUp {
  private target: number | undefined;
  private heardEpoch: number | undefined;

  constructor(
    /** Where the log was cut. */
    readonly from: number,
    /** The highest HW this replica knew when its log was cut. */
    readonly known: number,
  ) {}

  /** A further cut before this one was caught up: from the lower offset, after the new cut. */
  static after(previous: CatchUp | null, from: number, known: number): CatchUp {
    if (!previous) return new CatchUp(from, known);
    return new CatchUp(Math.min(previous.from, from), Math.max(previous.known, known));
  }

  /** The log end to reach; undefined until a leader has answered since the cut. */
  get needed(): number | undefined {
    return this.target;
  }

  hear(report: LeaderReport): void {
    if (report.epoch === this.heardEpoch) return;
    this.heardEpoch = report.epoch;
    this.target = Math.max(this.known, report.highWatermark, report.logEndOffset);
  }

  reachedBy(logEndOffset: number): boolean {
    return this.target !== undefined && logEndOffset >= this.target;
  }
}
