import { Injectable } from '@nestjs/common';
import type { ReplicaRole } from '@distilled/proto';
import { DiskFullness } from './disk-fullness';
import { HighWatermark } from './high-watermark';
import { LeaderReports } from './leader-reports';

/**
 * What the replica knows of the leadership: its epoch, who leads (and at which address, known
 * only while the leader is registered), and the ISR.
 */
export interface Leadership {
  /** The leader's epoch: this replica's own term when leading, else the one in etcd. */
  readonly epoch: number;
  readonly leaderId: string | null;
  readonly leaderAddress: string | null;
  readonly isr: readonly string[];
}

/**
 * Committed messages the log lacks, as the replica's other parts need to see it (the repair
 * folder's LogDamage says more). Owned here so replication does not depend on repair.
 */
export interface MissingCommitted {
  /** The first offset the log lacks. */
  readonly from: number;
  /** The high watermark the log must reach again. */
  readonly needed: number;
}

/**
 * What this replica currently is and knows, shared by the leader side, the follower side, the
 * repair service and the Replica service (Status, Read). Read-only to everyone: each change is
 * an intent method named after what happened, called by the one service that knows it
 * (RoleService: following / started; LeaderService: leading / ISR changed; LogRepair: damage,
 * catching up, repaired; ReplicaLifecycle: shutting down; LogFailures: a storage problem).
 *
 * Concurrency: plain fields on the event loop; HighWatermark and LeaderReports have their own
 * listeners (the only events here).
 */
@Injectable()
export class ReplicaState {
  private currentRole: ReplicaRole = 'starting';
  private currentLeadership: Leadership = {
    epoch: 0,
    leaderId: null,
    leaderAddress: null,
    isr: [],
  };
  private stopping = false;
  private currentProblem = '';
  private missing: MissingCommitted | null = null;
  readonly highWatermark = new HighWatermark();
  /** What the leader says in each fetch response (the follower loop reports, LogRepair listens). */
  readonly leaderReports = new LeaderReports();
  /** Whether the disk refuses log writes (LogFailures sets it, a write that gets through clears it). */
  readonly disk = new DiskFullness();

  get role(): ReplicaRole {
    return this.currentRole;
  }

  get leadership(): Leadership {
    return this.currentLeadership;
  }

  get epoch(): number {
    return this.currentLeadership.epoch;
  }

  get leaderId(): string | null {
    return this.currentLeadership.leaderId;
  }

  get leaderAddress(): string | null {
    return this.currentLeadership.leaderAddress;
  }

  get isr(): readonly string[] {
    return this.currentLeadership.isr;
  }

  /** Set at the start of a graceful stop: no new appends, no new following. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Why this replica cannot serve correctly (e.g. a corrupt log), for Status; '' when fine. */
  get problem(): string {
    return this.currentProblem;
  }

  /**
   * Set while the log lacks committed messages: reads are refused and the replica does not
   * stand for leader until it has fetched them again.
   */
  get damage(): MissingCommitted | null {
    return this.missing;
  }

  /** The replica has started taking part in elections: a follower until it wins one. */
  startedFollowing(): void {
    this.currentRole = 'follower';
  }

  /** etcd shows this leadership (another replica's, or none): follow it. */
  following(leadership: Leadership): void {
    this.currentLeadership = leadership;
    if (this.currentRole !== 'starting') this.currentRole = 'follower';
  }

  /** This replica won an election and leads with `leadership` (its own id and address). */
  leading(leadership: Leadership): void {
    this.currentRole = 'leader';
    this.currentLeadership = leadership;
  }

  /** The ISR recorded in etcd changed while this replica leads. */
  isrChanged(isr: readonly string[]): void {
    this.currentLeadership = { ...this.currentLeadership, isr };
  }

  beganShutdown(): void {
    this.stopping = true;
  }

  /** The log lacks committed messages; `problem` says so for Status and refused reads. */
  lacksCommitted(missing: MissingCommitted, problem: string): void {
    this.missing = missing;
    this.currentProblem = problem;
  }

  /** The log was cut and is catching up; said in Status unless committed messages are missing. */
  catchingUp(problem: string): void {
    if (!this.missing) this.currentProblem = problem;
  }

  /** The log holds again everything it lacked. */
  repaired(): void {
    this.missing = null;
    this.currentProblem = '';
  }

  /** A storage failure that needs an operator (LogFailures), kept for Status. */
  storageFailed(problem: string): void {
    this.currentProblem = problem;
  }
}
