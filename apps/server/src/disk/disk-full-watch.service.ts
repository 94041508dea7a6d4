import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subscription } from 'rxjs';
import {
  CLUSTER_STATE_STORE,
  MEMBERSHIP,
  type ClusterStateStore,
  type Membership,
} from '@distilled/cluster';
import { LOG_STORE, type LogStore } from '@distilled/log-store';
import { describeError, RetryBackoff } from '@distilled/common';
import { InjectServerConfig, type ServerConfig } from '../config';
import {
  DISK_PROBE_BYTES,
  DISK_PROBE_MAX_MS,
  DISK_PROBE_MIN_MS,
  SHUTDOWN_DRAIN_MS,
} from '../constants';
import { ElectionHolds, type EligibilityHold } from '../election/election-holds';
import { LeaderService } from '../replication/leader.service';
import { ReplicaState } from '../replication/replica-state';
import { handoverTarget } from './handover-target';

/**
 * What a replica does while its disk refuses log writes (apps/server README, "A full disk"),
 * from the first refused append (ReplicaState.disk) to the first write that gets through:
 *
 * - says so once, in one log line, and marks itself in its membership record, so a leader drops
 *   it from the ISR at once and a full leader knows whom it may hand over to;
 * - stops standing for leader (Election.setEligible, the graceful stop's handover path): a
 *   leader lets appends waiting for their commit finish, clears itself from the state and
 *   resigns, so an in-sync replica with room takes over. When no in-sync replica has room it
 *   keeps leading and every write is refused (507): a leaderless cluster would answer 503 and
 *   hide why;
 * - probes for space with a backoff by writing a probe file (LogStore.probeSpace), while the
 *   follower loop retries its fetch and append; whichever gets through first ends the episode:
 *   one line again, the mark is cleared, and it stands for leader again.
 *
 * Concurrency: event-loop code; one probe loop per episode; decisions run one at a time.
 */
@Injectable()
export class DiskFullWatch {
  private readonly logger = new Logger('Disk');
  private readonly watching = new Subscription();
  private unsubscribe?: () => void;
  private heldOut = false;
  private stayingReason = '';
  private deciding: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Out of the election while the disk refuses writes (shared with other holds). */
  private readonly election: EligibilityHold;

  constructor(
    @Inject(LOG_STORE) private readonly log: LogStore,
    @Inject(MEMBERSHIP) private readonly membership: Membership,
    holds: ElectionHolds,
    @Inject(CLUSTER_STATE_STORE) private readonly stateStore: ClusterStateStore,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly leader: LeaderService,
  ) {
    this.election = holds.holder('disk full');
  }

  /** Starts listening for disk-full episodes (after the replica registered). */
  start(): void {
    this.unsubscribe = this.state.disk.onChange((full) => (full ? this.began() : this.ended()));
    // While full, a change of the members (one got room, one filled up) or of the ISR may open
    // or close a handover.
    const again = () => {
      if (this.state.disk.full) this.decide();
    };
    this.watching.add(this.membership.members$.subscribe(again));
    this.watching.add(this.stateStore.state$.subscribe(again));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.watching.unsubscribe();
  }

  private began(): void {
    const { disk } = this.state;
    this.logger.warn(
      `disk of replica ${this.config.nodeId} is full: ${disk.cause}. Refusing writes (nothing is stored or acknowledged), not standing for leader, probing for space every ${DISK_PROBE_MIN_MS}..${DISK_PROBE_MAX_MS} ms; free space in ${this.config.dataDir} to recover`,
    );
    this.mark(true);
    this.decide();
    void this.probeUntilRoom();
  }

  private ended(): void {
    const { ms, endedBy } = this.state.disk.lastEpisode;
    this.logger.log(
      `disk of replica ${this.config.nodeId} has room again after ${(ms / 1000).toFixed(1)} s (${endedBy}): taking writes and standing for leader again`,
    );
    this.stayingReason = '';
    this.mark(false);
    this.enqueue(async () => {
      if (!this.heldOut || this.state.disk.full) return;
      this.heldOut = false;
      await this.election.setEligible(true, 'its disk has room again');
    });
  }

  /** Hand over (or stop standing) now if allowed; see the class comment. */
  private decide(): void {
    this.enqueue(async () => {
      if (!this.state.disk.full || this.stopped || this.state.shuttingDown) return;
      // Already standing aside (or handed over) in this episode.
      if (this.heldOut) return;
      const term = this.leader.currentTerm;
      if (term) {
        const target = handoverTarget(this.config.nodeId, term.isr, this.membership.current());
        if (target === null) {
          const why = `no other in-sync replica has room (ISR [${term.isr.join(', ')}])`;
          if (why !== this.stayingReason) {
            this.stayingReason = why;
            this.logger.warn(
              `disk of leader ${this.config.nodeId} is full and ${why}: staying leader and refusing every write (507) until space returns or such a replica appears`,
            );
          }
          return;
        }
        // Appends already written and waiting for their commit get their answer first.
        await term.drain(SHUTDOWN_DRAIN_MS);
        if (!this.state.disk.full) return;
        this.heldOut = true;
        await this.election.setEligible(
          false,
          `its disk is full; handing over to an in-sync replica with room (${target})`,
        );
        return;
      }
      this.heldOut = true;
      await this.election.setEligible(false, 'its disk is full');
    });
  }

  /** Probes with a backoff until space is back (or the episode ended another way). */
  private async probeUntilRoom(): Promise<void> {
    const backoff = new RetryBackoff(DISK_PROBE_MIN_MS, DISK_PROBE_MAX_MS);
    while (this.state.disk.full && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, backoff.next()).unref());
      if (!this.state.disk.full || this.stopped) return;
      try {
        if (await this.log.probeSpace(DISK_PROBE_BYTES)) {
          this.state.disk.wrote(`a ${DISK_PROBE_BYTES}-byte space probe got through`);
        }
      } catch (error) {
        // Not about space (the log closed, the directory went away): nothing to wait for here.
        if (!this.stopped) this.logger.warn(`space probe failed: ${describeError(error)}`);
        return;
      }
    }
  }

  /** The disk-full mark in this replica's membership record (best effort; etcd may be down). */
  private mark(full: boolean): void {
    const member = { id: this.config.nodeId, address: this.config.advertise };
    this.membership
      .update(full ? { ...member, diskFull: true } : member)
      .catch((error) =>
        this.logger.warn(
          `could not ${full ? 'set' : 'clear'} the disk-full mark in etcd: ${describeError(error)}`,
        ),
      );
  }

  private enqueue(task: () => Promise<void>): void {
    this.deciding = this.deciding
      .then(task)
      .catch((error: unknown) =>
        this.logger.warn(`disk-full handover step failed: ${describeError(error)}`),
      );
  }
}
