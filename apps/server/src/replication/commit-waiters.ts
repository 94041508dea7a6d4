/** One Append waiting for its batch to commit. */
interface Waiter {
  /** The offset just past the batch: committed once the HW reaches it. */
  end: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Appends waiting for the high watermark, kept in order of their end offset so a HW move
 * settles a prefix of them in one pass (no per-waiter scan on the hot path).
 */
export class CommitWaiters {
  private readonly waiters: Waiter[] = [];

  get size(): number {
    return this.waiters.length;
  }

  /**
   * Resolves once `release(hw)` is called with hw >= end; rejects with `onTimeout()` after
   * `timeoutMs`, or with the error given to `failAll`.
   */
  wait(end: number, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        end,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(onTimeout());
        }, timeoutMs),
      };
      this.insert(waiter);
    });
  }

  /** Settles every waiter whose batch ends at or below `hw`. */
  release(hw: number): void {
    let count = 0;
    while (count < this.waiters.length && this.waiters[count].end <= hw) count++;
    if (count === 0) return;
    for (const waiter of this.waiters.splice(0, count)) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  /** Rejects every waiter (leadership lost, shutdown). */
  failAll(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private insert(waiter: Waiter): void {
    // Appends resolve in log order, so the new one almost always goes last.
    let index = this.waiters.length;
    while (index > 0 && this.waiters[index - 1].end > waiter.end) index--;
    this.waiters.splice(index, 0, waiter);
  }

  private remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }
}
