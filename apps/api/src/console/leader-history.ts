import { LEADER_HISTORY_SIZE, REASON_REFINE_MS } from './console.constants';
import type { LeaderChange, LeaderChangeReason } from '@distilled/console-frames';

/** The leader as the cluster state names it at one moment. */
export interface LeaderTerm {
  leader: string | null;
  epoch: number;
}

/** What the API could see when the state changed: the membership, and Status roles if polled. */
export interface LeaderContext {
  members: ReadonlySet<string>;
  /** Role per replica from the latest Status poll (`unreachable` when it did not answer); null when the API was not polling. */
  roles: ReadonlyMap<string, string> | null;
}

/**
 * Why the leader changed, judged only from what the API sees, never guessed: the previous
 * leader gone from the membership (stopped, crashed, lease expired), still running and answering
 * as a follower (it handed over: resigned or lost its ISR place), or still registered without an
 * answer that tells (unknown).
 */
export function explainLeaderChange(
  previous: LeaderTerm | undefined,
  next: LeaderTerm,
  context: LeaderContext,
): { reason: LeaderChangeReason; text: string } {
  const now =
    next.leader === null ? 'no replica leads yet' : `${next.leader} leads in epoch ${next.epoch}`;
  if (previous === undefined) {
    return {
      reason: 'first-seen',
      text: `${next.leader ?? 'No replica'} was leading (epoch ${next.epoch}) when this API started watching.`,
    };
  }
  if (previous.leader === null) {
    return {
      reason: 'after-no-leader',
      text: `${next.leader ?? 'No replica'} was elected after a time without a leader (epoch ${next.epoch}).`,
    };
  }
  if (previous.leader === next.leader) {
    return {
      reason: 're-elected',
      text: `${next.leader} was elected again (epoch ${previous.epoch} → ${next.epoch}).`,
    };
  }
  const from = previous.leader;
  if (!context.members.has(from)) {
    return {
      reason: 'left-membership',
      text: `${from} left the membership (stopped, crashed or lost its etcd session); ${now}.`,
    };
  }
  const role = context.roles?.get(from);
  if (role === 'follower' || role === 'starting') {
    return {
      reason: 'handover',
      text: `${from} is still running and stepped down (it now answers as ${role}); ${now}.`,
    };
  }
  const seen =
    role === undefined
      ? 'this API was not asking replicas for their status then'
      : 'it did not answer when asked';
  return {
    reason: 'unknown',
    text: `${from} is still registered but ${seen}, so why it stopped leading is unknown; ${now}.`,
  };
}

/** The changes of leader this API has seen since it started, newest first, bounded. */
export class LeaderHistory {
  private last: LeaderTerm | undefined;
  private readonly changes: LeaderChange[] = [];

  /** Records a change when the leader differs or the epoch grew; returns it, or null. */
  observe(at: number, next: LeaderTerm, context: LeaderContext): LeaderChange | null {
    this.refine(at, context);
    const previous = this.last;
    const changed =
      previous === undefined
        ? next.leader !== null
        : next.leader !== previous.leader || next.epoch > previous.epoch;
    this.last = next;
    if (!changed) return null;
    const change: LeaderChange = {
      at,
      from: previous?.leader ?? null,
      to: next.leader,
      epoch: next.epoch,
      ...explainLeaderChange(previous, next, context),
    };
    this.changes.unshift(change);
    this.changes.length = Math.min(this.changes.length, LEADER_HISTORY_SIZE);
    return change;
  }

  /**
   * A killed leader's election can end before its membership lease expires: at the change it
   * is still registered (reason unknown). If it leaves the membership soon after, that is the
   * reason, and the change says so; nothing else is inferred after the fact.
   */
  private refine(at: number, context: LeaderContext): void {
    for (const [index, change] of this.changes.entries()) {
      if (at - change.at > REASON_REFINE_MS) break;
      if (change.reason !== 'unknown' || change.from === null || context.members.has(change.from)) {
        continue;
      }
      const now =
        change.to === null ? 'no replica leads yet' : `${change.to} leads in epoch ${change.epoch}`;
      const seconds = Math.max(1, Math.round((at - change.at) / 1000));
      this.changes[index] = {
        ...change,
        reason: 'left-membership',
        text: `${change.from} stopped answering and left the membership ${seconds} s later (stopped, crashed or lost its etcd session); ${now}.`,
      };
    }
  }

  list(): LeaderChange[] {
    return [...this.changes];
  }
}
