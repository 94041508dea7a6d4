import type { CorruptBatch } from '@distilled/log-store';

const key = (at: CorruptBatch) => `${at.file}@${at.position}`;

/**
 * The log cuts LogRepair has queued, run one at a time. Several reads can meet the same damaged
 * batch before it is cut: it is queued once. While any cut is queued or running the log end says
 * nothing about repair, so `busy` holds the repaired check back.
 */
export class CutQueue {
  private readonly queued = new Set<string>();
  private inFlight = 0;
  private tail: Promise<void> = Promise.resolve();

  has(at: CorruptBatch): boolean {
    return this.queued.has(key(at));
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Runs `cut` after the cuts before it; `failed` on its error; `settled` after either. */
  add(
    at: CorruptBatch,
    cut: () => Promise<void>,
    failed: (error: unknown) => void,
    settled: () => void,
  ): void {
    this.queued.add(key(at));
    this.inFlight++;
    this.tail = this.tail
      .then(cut)
      .catch(failed)
      .finally(() => {
        this.queued.delete(key(at));
        this.inFlight--;
        settled();
      });
  }
}
