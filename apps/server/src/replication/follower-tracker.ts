/** What the leader knows about one follower in the current epoch. */
export interface FollowerProgress {
  /** Its log end offset from its latest fetch request; undefined before the first one. */
  leo: number | undefined;
  /** The last moment its log reached the leader's log end (Kafka's lastCaughtUpTimeMs). */
  lastCaughtUpTime: number;
  /**
   * Responses not yet matched by an acknowledgement, oldest first: (when sent, the leader's log
   * end then). A follower that takes responses ahead acknowledges one while the next is already
   * sent, so only the last response alone would never be matched under steady load.
   */
  unmatched: { time: number; leaderLeo: number }[];
}

/** Responses remembered per follower for the catch-up rule (more than can be in flight). */
const UNMATCHED_RESPONSES = 16;

/**
 * Per-follower progress for one leadership term (created fresh at each election, so only
 * fetches of THIS epoch count). The catch-up rule is Kafka's: a follower is caught up at a
 * moment if its fetch shows it held everything the leader had then — either right now, or at
 * the time of the previous response it has just acknowledged. That keeps a follower under
 * steady load (never exactly at the moving log end) in sync.
 */
export class FollowerTracker {
  private readonly followers = new Map<string, FollowerProgress>();

  /** @param termStart  when the term began: a follower that never fetches lags from then. */
  constructor(private readonly termStart: number) {}

  private progress(id: string): FollowerProgress {
    let progress = this.followers.get(id);
    if (!progress) {
      progress = {
        leo: undefined,
        lastCaughtUpTime: this.termStart,
        unmatched: [],
      };
      this.followers.set(id, progress);
    }
    return progress;
  }

  /** A fetch request from `id` acknowledging `leo`, while the leader's log ends at `leaderLeo`. */
  onFetch(id: string, leo: number, leaderLeo: number, now: number): void {
    const progress = this.progress(id);
    progress.leo = leo;
    if (leo >= leaderLeo) {
      progress.lastCaughtUpTime = Math.max(progress.lastCaughtUpTime, now);
      progress.unmatched.length = 0;
      return;
    }
    // The latest response whose log end it now holds: it was caught up when that one left.
    const { unmatched } = progress;
    let matched = -1;
    for (let i = 0; i < unmatched.length && unmatched[i].leaderLeo <= leo; i++) matched = i;
    if (matched >= 0) {
      progress.lastCaughtUpTime = Math.max(progress.lastCaughtUpTime, unmatched[matched].time);
      unmatched.splice(0, matched + 1);
    }
  }

  /** The leader sent `id` a response while its log ended at `leaderLeo`. */
  onResponse(id: string, leaderLeo: number, now: number): void {
    const progress = this.progress(id);
    if (progress.unmatched.length >= UNMATCHED_RESPONSES) progress.unmatched.shift();
    progress.unmatched.push({ time: now, leaderLeo });
  }

  /**
   * The leader is about to append past `leaderLeo`: every follower that holds all of it is
   * caught up at this very moment. Without this an idle, healthy follower (its request
   * waiting at the log end, nothing to fetch) would look as stale as its last request.
   */
  onLeaderAppend(leaderLeo: number, now: number): void {
    for (const progress of this.followers.values()) {
      if (progress.leo !== undefined && progress.leo >= leaderLeo) {
        progress.lastCaughtUpTime = Math.max(progress.lastCaughtUpTime, now);
      }
    }
  }

  leo(id: string): number | undefined {
    return this.followers.get(id)?.leo;
  }

  /**
   * How long `id` has been behind, or 0 when it holds everything the leader has. A follower
   * never heard from in this term has been behind since the term began.
   */
  lagMs(id: string, leaderLeo: number, now: number): number {
    const progress = this.progress(id);
    if (progress.leo !== undefined && progress.leo >= leaderLeo) return 0;
    return Math.max(0, now - progress.lastCaughtUpTime);
  }
}
