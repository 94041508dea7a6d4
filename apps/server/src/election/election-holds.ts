import { Inject, Injectable, Logger } from '@nestjs/common';
import { ELECTION, type Election } from '@distilled/cluster';

/** What a service that may hold this replica out of the election sees of it. */
export interface EligibilityHold {
  /** false: hold the replica out (a leader resigns); true: release this holder's hold. */
  setEligible(eligible: boolean, reason: string): Promise<void>;
}

/**
 * Who holds this replica out of the election, and why. Election.setEligible is one flag, and
 * more than one service may need it off at once (LogRepair while the log lacks committed
 * messages, DiskFullWatch while the disk refuses writes): were each to flip the flag itself, the
 * first to finish would put the replica up for leader while the other still holds it out. Here
 * it stands again only when the last hold is released.
 *
 * Concurrency: event-loop code; the flag changes in call order (Election applies each call's
 * flag before its first await).
 */
@Injectable()
export class ElectionHolds {
  private readonly logger = new Logger('Election');
  private readonly holds = new Map<string, string>();

  constructor(@Inject(ELECTION) private readonly election: Election) {}

  /** The hold of one service, named for the log line that says who still holds the replica. */
  holder(name: string): EligibilityHold {
    return { setEligible: (eligible, reason) => this.set(name, eligible, reason) };
  }

  private async set(name: string, eligible: boolean, reason: string): Promise<void> {
    if (!eligible) {
      this.holds.set(name, reason);
      return this.election.setEligible(false, reason);
    }
    this.holds.delete(name);
    if (this.holds.size > 0) {
      const others = [...this.holds].map(([holder, why]) => `${holder}: ${why}`).join('; ');
      this.logger.log(`${reason}, but not standing for leader yet (${others})`);
      return;
    }
    return this.election.setEligible(true, reason);
  }
}
