import type { LoggerService } from '@nestjs/common';
import type { LogStore } from '@distilled/log-store';
import { describeError } from '@distilled/common';
import type { FetchSession } from './fetch-session';
import type { FollowerTracker } from './follower-tracker';
import type { IsrManager } from './isr-manager';

/** What IsrUpkeep reads of the term it serves. */
export interface IsrUpkeepTerm {
  readonly log: LogStore;
  /** The leader's log end when the term began: a follower must reach it to join the ISR. */
  readonly epochStartOffset: number;
  readonly ended: boolean;
  highWatermark(): number;
}

export interface IsrUpkeepOptions {
  selfId: string;
  replicaLagMs: number;
  /** Whether `id` is registered in the membership right now (its lease is alive). */
  isRegistered: (id: string) => boolean;
  /** Whether `id` marked itself disk-full (it refuses log writes until it has room). */
  isDiskFull?: (id: string) => boolean;
  /** The ISR changed in etcd (for Status). */
  onIsrChange: (isr: readonly string[]) => void;
  logger: LoggerService;
  now: () => number;
  term: IsrUpkeepTerm;
  isrManager: IsrManager;
  tracker: FollowerTracker;
  /** The term's fetch sessions by follower id (the term adds and removes them). */
  sessions: ReadonlyMap<string, FetchSession>;
  /** Moves the HW on after the ISR changed. */
  recompute: () => void;
}

/**
 * Which followers leave and join the leader's ISR during one term, and why (apps/server README,
 * "How replication flows"). Decides; IsrManager writes each change, fenced, one at a time.
 */
export class IsrUpkeep {
  constructor(private readonly options: IsrUpkeepOptions) {}

  private get isr(): readonly string[] {
    return this.options.isrManager.isr;
  }

  /**
   * Runs on a timer and after membership changes: first removes ISR members whose lease is
   * gone or that lag past the limit (fenced write, then the HW may move on without them), else
   * adds back one follower that has caught up. One fenced write at a time.
   */
  async check(): Promise<void> {
    if (this.options.term.ended || this.options.isrManager.busy) return;
    if (await this.shrink()) return;
    for (const session of this.options.sessions.values()) {
      const leo = this.options.tracker.leo(session.followerId);
      if (leo !== undefined && (await this.maybeExpand(session, leo))) return;
    }
  }

  /** The ISR recorded another incarnation for this follower than the one it fetches with. */
  changedIncarnation(session: FetchSession): string | undefined {
    const recorded = this.options.isrManager.incarnationOf(session.followerId);
    return session.incarnation && recorded !== undefined && recorded !== session.incarnation
      ? recorded
      : undefined;
  }

  private async shrink(): Promise<boolean> {
    const { selfId, isRegistered, tracker, sessions, replicaLagMs } = this.options;
    const now = this.options.now();
    const leaderLeo = this.options.term.log.writtenEndOffset;
    const reasons = new Map<string, string>();
    for (const id of this.isr) {
      if (id === selfId) continue;
      if (!isRegistered(id)) {
        reasons.set(id, 'its membership lease is gone');
        continue;
      }
      if (this.options.isDiskFull?.(id)) {
        reasons.set(id, 'its disk is full (it refuses log writes); it rejoins once it has room');
        continue;
      }
      const session = sessions.get(id);
      const recorded = session && this.changedIncarnation(session);
      if (session && recorded) {
        reasons.set(
          id,
          `its data directory changed (incarnation ${session.incarnation}; the ISR recorded ${recorded}), so it may lack committed messages; it rejoins once it has caught up`,
        );
        continue;
      }
      const lag = tracker.lagMs(id, leaderLeo, now);
      if (lag > replicaLagMs) reasons.set(id, `not caught up for ${lag} ms`);
    }
    if (reasons.size === 0) return false;
    const next = this.isr.filter((id) => !reasons.has(id));
    if (!next.includes(selfId)) next.push(selfId);
    if (!(await this.change(next))) return true;
    for (const [id, why] of reasons) {
      this.options.logger.warn(`removed ${id} from ISR: ${why}; ISR [${next.join(', ')}]`);
    }
    this.options.recompute();
    return true;
  }

  /**
   * A follower outside the ISR that holds everything committed, and everything this leader had
   * when its term began (a committed-by-the-old-leader tail may sit above our HW), joins, with
   * the incarnation of its data directory. A member listed before incarnations existed gets
   * its incarnation recorded the same way, once caught up (until then nothing says that
   * directory is the one the ISR admitted). Resolves true when a write was attempted.
   */
  async maybeExpand(session: FetchSession, leo: number): Promise<boolean> {
    const { isrManager, term } = this.options;
    const { followerId, incarnation } = session;
    const member = isrManager.has(followerId);
    const unrecorded =
      member && incarnation !== '' && isrManager.incarnationOf(followerId) === undefined;
    if ((member && !unrecorded) || isrManager.busy) return false;
    if (!this.options.isRegistered(followerId) || this.options.isDiskFull?.(followerId)) {
      return false;
    }
    if (leo < term.highWatermark() || leo < term.epochStartOffset) return false;
    const next = member ? [...this.isr] : [...this.isr, followerId];
    const recorded: Record<string, string> = incarnation ? { [followerId]: incarnation } : {};
    if (await this.change(next, recorded)) {
      const which = incarnation ? ` with incarnation ${incarnation}` : '';
      this.options.logger.log(
        member
          ? `recorded incarnation ${incarnation} of ISR member ${followerId}: caught up at offset ${leo}`
          : `added ${followerId} to ISR${which}: caught up at offset ${leo}; ISR [${next.join(', ')}]`,
      );
      this.options.recompute();
    }
    return true;
  }

  private async change(
    next: readonly string[],
    recorded?: Readonly<Record<string, string>>,
  ): Promise<boolean> {
    try {
      const applied = await this.options.isrManager.change(next, recorded);
      if (applied && !this.options.term.ended) this.options.onIsrChange(this.isr);
      return applied && !this.options.term.ended;
    } catch (error) {
      const message = describeError(error);
      this.options.logger.warn(`could not write the ISR to etcd (will retry): ${message}`);
      return false;
    }
  }
}
