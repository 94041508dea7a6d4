import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subscription } from 'rxjs';
import {
  CLUSTER_STATE_STORE,
  ELECTION,
  MEMBERSHIP,
  type ClusterStateStore,
  type Election,
  type ElectionEvent,
  type Membership,
  type ReplicaIncarnation,
} from '@distilled/cluster';
import { InjectServerConfig, type ServerConfig } from '../config';
import { SHUTDOWN_DRAIN_MS } from '../constants';
import { FollowerService, type LeaderTarget } from '../replication/follower.service';
import { LeaderService } from '../replication/leader.service';
import { ReplicaState } from '../replication/replica-state';
import { describeError } from '@distilled/common';

/**
 * Turns what etcd says (election events, the cluster state, the member list) into this
 * replica's role. Every transition runs on one queue, so the leader side and the follower
 * side never write the log at the same time: becoming leader waits for the follower loop to
 * stop, and following waits for the last leader append to settle.
 */
@Injectable()
export class RoleService {
  private readonly logger = new Logger('Role');
  private readonly subscriptions = new Subscription();
  private queue: Promise<void> = Promise.resolve();
  private started = false;

  constructor(
    @Inject(ELECTION) private readonly election: Election,
    @Inject(CLUSTER_STATE_STORE) private readonly stateStore: ClusterStateStore,
    @Inject(MEMBERSHIP) private readonly membership: Membership,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly leader: LeaderService,
    private readonly follower: FollowerService,
  ) {}

  /**
   * Starts watching and campaigning as this data directory's `incarnation` (the ISR must have
   * recorded it for this replica to lead). The gRPC server must already be listening.
   */
  async start(incarnation: ReplicaIncarnation): Promise<void> {
    this.started = true;
    this.state.startedFollowing();
    this.subscriptions.add(
      this.election.events$.subscribe((event) => this.enqueue(() => this.onElection(event))),
    );
    this.subscriptions.add(
      this.stateStore.state$.subscribe(() => this.enqueue(() => this.reconcile())),
    );
    this.subscriptions.add(
      this.membership.members$.subscribe(() => this.enqueue(() => this.reconcile())),
    );
    await this.election.start(this.config.nodeId, incarnation);
  }

  /**
   * Graceful stop: lets appends in flight commit (bounded), resigns so another replica takes
   * over at once, then stops both sides.
   */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.leader.currentTerm?.drain(SHUTDOWN_DRAIN_MS);
    try {
      await this.election.stop();
    } catch (error) {
      this.logger.warn(`could not resign cleanly: ${describeError(error)}`);
    }
    this.subscriptions.unsubscribe();
    await this.queue;
    await this.leader.end('the replica is shutting down');
    await this.follower.close();
  }

  /**
   * Runs `task` with the log to itself: on the role queue, so no role change runs meanwhile,
   * after ending a leader term (waiting appends fail with `why`; in-flight log appends settle)
   * and stopping the follower loop; afterwards takes up whatever role etcd names. For cutting
   * the log (LogRepair). A leader must have resigned in etcd first (Election.setEligible),
   * or etcd would keep naming it. Resolves or rejects with the task.
   */
  exclusive<T>(why: string, task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.leader.end(why);
      await this.follower.follow(null);
      try {
        return await task();
      } finally {
        await this.reconcile();
      }
    });
    // The caller gets the failure (and says what it was doing); the queue goes on.
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => this.logFailure(error));
  }

  private logFailure(error: unknown): void {
    const stack = error instanceof Error ? error.stack : String(error);
    this.logger.error(`role change failed: ${stack}`);
  }

  private async onElection(event: ElectionEvent): Promise<void> {
    switch (event.type) {
      case 'elected': {
        if (!this.started || this.state.shuttingDown) return;
        // Only this term may write the log from here on: stop the follower side first.
        await this.follower.follow(null);
        await this.leader.end('a new term began');
        const { epoch } = event.leadership;
        await this.leader.begin(event.leadership, (why) =>
          this.enqueue(() => this.stepDown(epoch, why)),
        );
        return;
      }
      case 'deposed': {
        const epoch = this.leader.currentTerm?.epoch;
        if (epoch !== undefined) await this.stepDown(epoch, event.reason);
        return;
      }
      case 'leader':
        return this.reconcile();
    }
  }

  private async stepDown(epoch: number, why: string): Promise<void> {
    const term = this.leader.currentTerm;
    if (!term || term.epoch !== epoch) return;
    await this.leader.end(why);
    await this.reconcile();
  }

  /** Brings the role in line with the latest cluster state and member list. */
  private async reconcile(): Promise<void> {
    const versioned = this.stateStore.current();
    const cluster = versioned?.state;
    const members = this.membership.current();
    const term = this.leader.currentTerm;
    if (term) {
      if (cluster && cluster.epoch > term.epoch) {
        // etcd moved on without us (our fence would fail): stop acking now, not at the next write.
        await this.stepDown(
          term.epoch,
          `etcd shows epoch ${cluster.epoch} led by ${cluster.leader}`,
        );
        return;
      }
      term.membersChanged();
      return;
    }
    const leaderId = cluster?.leader ?? null;
    const leaderAddress = leaderId ? (members.get(leaderId)?.address ?? null) : null;
    this.state.following({
      epoch: cluster?.epoch ?? 0,
      leaderId,
      leaderAddress,
      isr: cluster?.isr ?? [],
    });
    const target: LeaderTarget | null =
      leaderId && leaderAddress && leaderId !== this.config.nodeId && cluster
        ? { leaderId, address: leaderAddress, epoch: cluster.epoch }
        : null;
    if (this.state.shuttingDown || !this.started) return;
    await this.follower.follow(target);
  }
}
