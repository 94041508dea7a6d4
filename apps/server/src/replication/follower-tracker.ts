/** What the leader knows about one follower in the current epoch. */
export interface FollowerProgress {
  /** Its log end offset from its latest fetch request; undefined before the first one. */
  leo: number | undefined;
  /** The last moment its log reached the leader's log end (Kafka's lastCaughtUpTimeMs). */
  lastCaughtUpTime: number;
  /** When the leader last sent it a response, and the leader's log end offset at that moment. */
  lastResponseTime: number | undefined;
  leaderLeoAtLastResponse: number;
}

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
        lastResponseTime: undefined,
        leaderLeoAtLastResponse: 0,
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
    } else if (progress.lastResponseTime !== undefined && leo >= progress.leaderLeoAtLastResponse) {
      progress.lastCaughtUpTime = Math.max(progress.lastCaughtUpTime, progress.lastResponseTime);
    }
  }

  /** The leader sent `id` a response while its log ended at `leaderLeo`. */
  onResponse(id: string, leaderLeo: number, now: number): void {
    const progress = this.progress(id);
    progress.lastResponseTime = now;
    progress.leaderLeoAtLastResponse = leaderLeo;
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
