/**
 * The follower's half of fast failover (apps/server README, "Failover"): when its fetch from the
 * leader fails, it checks whether the leader's port refuses connections and, if so, has the
 * leader's etcd leases revoked so the election goes on at once instead of waiting out the TTL.
 */
import type { LoggerService } from '@nestjs/common';
import type { DeadLeaderLeases } from '@distilled/cluster';
import { describeError } from '@distilled/common';
import { confirmRefusal, type Probe, type RefusalRule } from './refusal-probe';

/** The leader a follower was fetching from, as RoleService named it. */
export interface SuspectLeader {
  leaderId: string;
  address: string;
  epoch: number;
}

export interface DeadLeaderWatchOptions {
  leases: DeadLeaderLeases;
  probe: Probe;
  rule: RefusalRule;
  logger: LoggerService;
  now?: () => number;
  wait?: (ms: number) => Promise<unknown>;
}

const keyOf = (leader: SuspectLeader) => `${leader.leaderId}@${leader.address}/${leader.epoch}`;

/**
 * Any failure of the fetch only starts a check; the decision rests on fresh connects alone
 * (confirmRefusal). At most one check per leader runs at a time, and each leader (id, address, epoch)
 * gets its leases revoked at most once: after that the TTL path is the only one left for it.
 */
export class DeadLeaderWatch {
  private readonly checking = new Set<string>();
  private readonly reported = new Set<string>();

  constructor(private readonly options: DeadLeaderWatchOptions) {}

  /**
   * The fetch from `leader` failed. Checks in the background; `isCurrent` says whether this
   * replica still follows that leader (checked before each probe and before revoking).
   * Resolves when the check is over (callers need not wait; specs do).
   */
  async suspect(leader: SuspectLeader, isCurrent: () => boolean): Promise<void> {
    const key = keyOf(leader);
    if (this.checking.has(key) || this.reported.has(key)) return;
    this.checking.add(key);
    try {
      const evidence = await confirmRefusal(leader.address, {
        probe: this.options.probe,
        rule: this.options.rule,
        cancelled: () => !isCurrent(),
        now: this.options.now,
        wait: this.options.wait,
      });
      if (evidence === undefined || !isCurrent()) return;
      this.reported.add(key);
      await this.options.leases.revoke(leader.leaderId, leader.epoch, evidence);
    } catch (error) {
      this.options.logger.warn(
        `could not revoke the etcd leases of leader ${leader.leaderId} whose port refuses connections (the lease TTL ends its leadership instead): ${describeError(error)}`,
      );
    } finally {
      this.checking.delete(key);
    }
  }
}
