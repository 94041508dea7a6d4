import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ELECTION, type Election } from '@distilled/cluster';
import { LOG_STORE, type CorruptBatch, type LogStore } from '@distilled/log-store';
import { InjectServerConfig, type ServerConfig } from '../config';
import { RoleService } from '../election/role.service';
import { ReplicaState } from '../replication/replica-state';
import {
  detectedLine,
  mergeDamage,
  NO_OTHER_COPY,
  problemText,
  repairedLine,
  runtimeCause,
  startCause,
  uncommittedCutLine,
  waitingLine,
  type LogDamage,
} from './log-damage';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const key = (at: CorruptBatch) => `${at.file}@${at.position}`;

/** While damaged, how often to look whether there is a leader to fetch from. */
const LEADER_CHECK_MS = 500;

/**
 * Keeps a replica that lost committed messages from serving or leading until it has them again
 * (the issue Jepsen found in JetStream: a replica whose disk lost acknowledged writes was still
 * elected, and the cluster lost them for good). The HW checkpoint (libs/log-store, fed by
 * HighWatermarkCheckpointer) is what makes the loss visible:
 *
 * - At start, before the replica campaigns: a log that ends below its checkpoint lacks
 *   committed messages (recovery cut a corrupt tail, segment files were lost).
 * - At run time: a read that meets a damaged batch (a client read, the leader reading batches
 *   for a follower) reports it through ReplicaState.noteFailure. Below the HW it is damage;
 *   at or above it the batch was never committed and is only cut. Either way the replica stands
 *   aside from the election first (a leader clears itself in etcd and resigns, so an intact
 *   in-sync replica takes over), then cuts the log at the batch with nothing else writing it
 *   (RoleService.exclusive), then follows the leader again and fetches the rest.
 *
 * While damaged (ReplicaState.damage): reads are refused (ReplicaService, reason repairing),
 * the replica does not campaign, it keeps following and fetching, and Status.problem says so.
 * Repaired once its log end reaches the HW it needed: it says so, and stands for leader again.
 *
 * One exception: committed damage on a replica that is the only member of the ISR is not cut.
 * Nobody could give the messages after the batch back, so cutting would turn one lost batch into
 * a lost tail. It stands aside and refuses reads all the same, and says an operator must act.
 */
@Injectable()
export class LogRepair implements OnModuleDestroy {
  private readonly logger = new Logger('Repair');
  private readonly unsubscribes: (() => void)[] = [];
  private leaderCheck?: NodeJS.Timeout;
  /** Cuts queued or running: the log end says nothing about repair until they are done. */
  private cutsInFlight = 0;
  private readonly pending = new Set<string>();
  private cuts: Promise<void> = Promise.resolve();
  private waitingSaid = false;

  constructor(
    @Inject(LOG_STORE) private readonly log: LogStore,
    @Inject(ELECTION) private readonly election: Election,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly roles: RoleService,
  ) {}

  /** Checks the log against its checkpoint and starts listening. Call before campaigning. */
  async start(): Promise<void> {
    this.unsubscribes.push(
      this.state.onCorruption((at, foundBy) => this.onCorruption(at, foundBy)),
      this.state.highWatermark.onAdvance(() => this.checkRepaired()),
    );
    const end = this.log.logEndOffset;
    const checkpoint = this.log.highWatermarkCheckpoint;
    if (end < checkpoint) {
      this.setDamage({
        from: end,
        needed: checkpoint,
        cause: startCause(end, this.log.recoveryCuts, checkpoint),
      });
      await this.election.setEligible(
        false,
        `its log lacks committed messages ${end}..${checkpoint - 1}`,
      );
    }
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    clearInterval(this.leaderCheck);
  }

  /** A damaged batch was met (synchronously, from the failing read's handler). */
  private onCorruption(at: CorruptBatch, foundBy: string): void {
    if (this.state.shuttingDown || this.pending.has(key(at))) return;
    if (at.baseOffset >= this.log.writtenEndOffset) return; // already cut
    const current = this.state.damage;
    // Already known: a cut at or below it is on its way, or the damage is kept for an operator.
    if (current && at.baseOffset >= current.from && (current.kept || this.cutsInFlight > 0)) return;
    const highWatermark = Math.max(
      this.state.highWatermark.value,
      this.log.highWatermarkCheckpoint,
    );
    const committed = at.baseOffset < highWatermark;
    if (committed && !this.state.isr.some((id) => id !== this.config.nodeId)) {
      this.setDamage({
        from: at.baseOffset,
        needed: highWatermark,
        cause: runtimeCause(at, foundBy, highWatermark, false),
        kept: NO_OTHER_COPY,
      });
      this.election
        .setEligible(false, `its log has a corrupt committed batch at offset ${at.baseOffset}`)
        .catch((error: unknown) =>
          this.logger.warn(`could not stand aside from the election: ${describe(error)}`),
        );
      return;
    }
    if (committed) {
      // Refuse reads from now on, not only once the cut is done.
      this.setDamage({
        from: at.baseOffset,
        needed: highWatermark,
        cause: runtimeCause(at, foundBy, highWatermark),
      });
    } else {
      this.logger.warn(uncommittedCutLine(this.config.nodeId, at, foundBy, highWatermark));
    }
    this.pending.add(key(at));
    this.cutsInFlight++;
    this.cuts = this.cuts
      .then(() => this.cut(at))
      .catch((error: unknown) => this.cutFailed(at, error))
      .finally(() => {
        this.pending.delete(key(at));
        this.cutsInFlight--;
        this.checkRepaired();
      });
  }

  /** Stands aside, cuts the log at the damaged batch, follows again. */
  private async cut(at: CorruptBatch): Promise<void> {
    const why = `a corrupt batch at offset ${at.baseOffset} is being cut from its log`;
    // Whether or not it leads right now: a candidate could win while the log is being cut.
    await this.election.setEligible(false, why);
    await this.roles.exclusive(why, async () => {
      if (this.state.shuttingDown) return;
      if (at.baseOffset < this.log.logEndOffset) await this.log.truncateTo(at.baseOffset);
      this.state.highWatermark.clampTo(this.log.logEndOffset);
    });
    if (!this.state.damage) {
      await this.election.setEligible(true, 'the corrupt uncommitted batch is cut');
    }
  }

  /**
   * The damaged batch is still in the log: the log end may well be past the HW, which must not
   * pass for repaired. Kept for an operator, like damage nobody could give back.
   */
  private cutFailed(at: CorruptBatch, error: unknown): void {
    const damage = this.state.damage;
    this.logger.error(`could not cut the log at offset ${at.baseOffset}: ${describe(error)}`);
    if (this.state.shuttingDown) return;
    this.setDamage({
      from: at.baseOffset,
      needed: damage?.needed ?? this.state.highWatermark.value,
      cause: damage?.cause ?? `a corrupt batch at offset ${at.baseOffset}`,
      kept: `cutting the log failed (${describe(error)})`,
    });
  }

  private setDamage(found: LogDamage): void {
    const first = !this.state.damage;
    const damage = mergeDamage(this.state.damage, found);
    this.state.damage = damage;
    this.state.problem = problemText(damage);
    this.logger.error(detectedLine(this.config.nodeId, damage));
    if (first) {
      this.waitingSaid = false;
      clearInterval(this.leaderCheck);
      this.leaderCheck = setInterval(() => this.sayIfNoLeader(), LEADER_CHECK_MS);
      this.leaderCheck.unref();
    }
  }

  /**
   * Said once per damage: with no leader to fetch from (none elected, or the one etcd names is
   * not registered, e.g. after the whole cluster went down) the replica can only wait.
   */
  private sayIfNoLeader(): void {
    const damage = this.state.damage;
    if (!damage || this.waitingSaid || this.state.role === 'starting') return;
    const { leaderId, leaderAddress } = this.state;
    if (leaderId && leaderId !== this.config.nodeId && leaderAddress) return;
    this.waitingSaid = true;
    this.logger.warn(waitingLine(this.config.nodeId, damage));
  }

  private checkRepaired(): void {
    const damage = this.state.damage;
    if (!damage || damage.kept || this.cutsInFlight > 0) return;
    if (this.log.logEndOffset < damage.needed) return;
    this.state.damage = null;
    this.state.problem = '';
    clearInterval(this.leaderCheck);
    this.logger.log(repairedLine(this.config.nodeId, damage, this.state.leaderId));
    this.election
      .setEligible(true, `its log holds every committed message again (up to ${damage.needed})`)
      .catch((error: unknown) =>
        this.logger.warn(`could not stand for leader again: ${describe(error)}`),
      );
  }
}
