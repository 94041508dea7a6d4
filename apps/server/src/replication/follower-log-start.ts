// A follower's log start follows its leader's (retention): see the class comment.
import type { LogRetention } from '@distilled/log-store';
import { describeError } from '@distilled/common';

interface Logger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * The follower's side of retention (apps/server README, "Retention"): the leader decides the
 * log start and sends it with every fetch response; the follower follows it and never passes
 * it. Deleting below it runs in the background, one deletion at a time, so acknowledgements
 * never wait for disk deletes; a log that ends below the leader's start is re-based there
 * (emptied and restarted at the start) before the next fetch, since the leader no longer has
 * what lies between.
 */
export class FollowerLogStart {
  private deleting: Promise<void> | null = null;
  private wanted = 0;

  constructor(
    private readonly log: LogRetention,
    private readonly logger: Logger,
  ) {}

  /** The leader's start: delete below it (never past our own log end), in the background. */
  follow(leaderStart: number): void {
    this.wanted = Math.max(this.wanted, leaderStart);
    if (this.deleting || this.wanted <= this.log.logStartOffset) return;
    const target = Math.min(this.wanted, this.log.logEndOffset);
    if (target <= this.log.logStartOffset) return;
    this.deleting = this.log.advanceStartTo(target).then(
      () => {
        this.deleting = null;
        // A start that arrived while we were deleting was only noted: act on it now (the
        // leader may send nothing more for a while when no one writes).
        this.follow(this.wanted);
      },
      (error: unknown) => {
        this.deleting = null;
        // The next fetch response tries again; no retry loop against a failing disk.
        this.logger.warn(`could not move the log start to ${target}: ${describeError(error)}`);
      },
    );
  }

  /** Our log ends below the leader's start: restart it empty at that start. */
  async rebase(leaderStart: number, leaderId: string): Promise<void> {
    const end = this.log.logEndOffset;
    await this.deleting;
    await this.log.rebaseAt(leaderStart);
    this.wanted = Math.max(this.wanted, leaderStart);
    this.logger.log(
      `our log ended at ${end}, below the log start ${leaderStart} of ${leaderId}: it now starts empty there and catches up from it`,
    );
  }
}
