/**
 * This replica's high watermark: every offset below it is committed, so it may be served.
 * It only moves forward, except when a follower truncates a divergent tail (which never
 * holds committed data; clampTo says so loudly if it ever would).
 */
export class HighWatermark {
  private current = 0;
  private readonly waiters = new Set<{ offset: number; resolve: (passed: boolean) => void }>();
  private readonly listeners = new Set<(highWatermark: number) => void>();

  get value(): number {
    return this.current;
  }

  /** Moves forward to `offset`; returns true when it moved. A lower value is ignored. */
  advanceTo(offset: number): boolean {
    if (offset <= this.current) return false;
    this.current = offset;
    for (const waiter of this.waiters) {
      if (waiter.offset < offset) {
        this.waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
    for (const listener of this.listeners) listener(offset);
    return true;
  }

  /**
   * Calls `listener` (synchronously, so keep it cheap) each time the HW moves forward, on the
   * leader and on followers alike: the checkpoint and the repair check hang off it. Returns an
   * unsubscribe.
   */
  onAdvance(listener: (highWatermark: number) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Resolves true once `offset` is below the HW (committed), false after `timeoutMs`. For the
   * rare read of a message that is written but not yet confirmed, e.g. just after an election.
   */
  waitPast(offset: number, timeoutMs: number): Promise<boolean> {
    if (offset < this.current) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        offset,
        resolve: (passed: boolean) => {
          clearTimeout(timer);
          resolve(passed);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Pulls it back to the log end after a truncation; returns how far it went back (0 normally). */
  clampTo(logEndOffset: number): number {
    if (logEndOffset >= this.current) return 0;
    const back = this.current - logEndOffset;
    this.current = logEndOffset;
    return back;
  }
}

/**
 * The leader's view of the HW (apps/server README, "What it guarantees"): the lowest log end offset
 * among ISR members, its own included. `followerLeo` returns undefined for a member that has not
 * fetched in this epoch: then nothing is known and the HW cannot move (undefined is returned).
 */
export function computeHighWatermark(
  selfId: string,
  leaderLeo: number,
  isr: readonly string[],
  followerLeo: (id: string) => number | undefined,
): number | undefined {
  let low = leaderLeo;
  for (const id of isr) {
    if (id === selfId) continue;
    const leo = followerLeo(id);
    if (leo === undefined) return undefined;
    if (leo < low) low = leo;
  }
  return low;
}
