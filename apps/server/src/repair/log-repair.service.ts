import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  LOG_STORE,
  REPLICA_METADATA,
  type CorruptBatch,
  type LogStore,
  type ReplicaMetadata,
} from '@distilled/log-store';
import { describeError } from '@distilled/common';
import { InjectServerConfig, type ServerConfig } from '../config';
import { ElectionHolds, type EligibilityHold } from '../election/election-holds';
import { RoleService } from '../election/role.service';
import { LogFailures } from '../replication/log-failures';
import { ReplicaState } from '../replication/replica-state';
import { CatchUp } from './catch-up';
import { CatchUpNote } from './catch-up-note';
import { CutQueue } from './cut-queue';
import {
  catchUpProblem,
  catchUpReleaseHint,
  catchUpResumedLine,
  catchUpWaitingLine,
  caughtUpLine,
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
import { NoLeaderNotice } from './no-leader-notice';

/**
 * Keeps a replica that lost committed messages from serving or leading until it has them again
 * (apps/server README, "A damaged log"): damage found at start (a log that ends below its HW
 * checkpoint) or at run time (a read that met a damaged batch, through LogFailures) makes it
 * stand aside from the election, cut the log at the batch with nothing else writing it
 * (RoleService.exclusive), follow the leader again and wait (CatchUp) until its log reaches what
 * it needed. Committed damage on the only ISR member is kept for an operator, never cut.
 */
@Injectable()
export class LogRepair implements OnModuleDestroy {
  private readonly logger = new Logger('Repair');
  private readonly unsubscribes: (() => void)[] = [];
  private readonly noLeader: NoLeaderNotice;
  private readonly note: CatchUpNote;
  private readonly cuts = new CutQueue();
  /** Set after a cut on a follower (or damage at start): see CatchUp. */
  private catchUp: CatchUp | null = null;
  /** Leader reports heard so far: one heard between finding a batch and cutting it means this
   * replica followed someone meanwhile, so its HW is no longer the cluster's. */
  private reportsHeard = 0;
  /** Committed messages the log lacks (ReplicaState.damage shows the same, to the others). */
  private damage: LogDamage | null = null;
  /** Out of the election while the log lacks committed messages (shared with other holds). */
  private readonly election: EligibilityHold;

  constructor(
    @Inject(LOG_STORE) private readonly log: LogStore,
    @Inject(REPLICA_METADATA) private readonly metadata: ReplicaMetadata,
    holds: ElectionHolds,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly failures: LogFailures,
    private readonly roles: RoleService,
  ) {
    this.election = holds.holder('log repair');
    this.note = new CatchUpNote(metadata, config.dataDir, this.logger);
    this.noLeader = new NoLeaderNotice(state, config.nodeId, this.logger, () => {
      if (this.damage) return waitingLine(this.config.nodeId, this.damage);
      if (this.catchUp) return catchUpWaitingLine(this.config.nodeId, this.catchUp, this.note.file);
      return undefined;
    });
  }

  /** Checks the log against its checkpoint and starts listening. Call before campaigning. */
  async start(): Promise<void> {
    this.unsubscribes.push(
      this.failures.onCorruption((at, foundBy) => this.onCorruption(at, foundBy)),
      this.state.highWatermark.onAdvance(() => this.checkRepaired()),
      this.state.leaderReports.onReport((report) => {
        this.reportsHeard++;
        if (!this.catchUp) return;
        this.catchUp.hear(report);
        this.state.catchingUp(catchUpProblem(this.catchUp));
        this.checkRepaired();
      }),
    );
    const end = this.log.logEndOffset;
    const checkpoint = this.metadata.highWatermarkCheckpoint;
    if (end < checkpoint) {
      this.setDamage({
        from: end,
        needed: checkpoint,
        cause: startCause(end, this.log.recoveryCuts, checkpoint),
      });
      // The checkpoint is this replica's HW, which lagged the leader's when it was written; the
      // log was damaged while no leader was followed (epoch 0), so any leader's log end counts.
      this.catchUp = new CatchUp(end, checkpoint);
      await this.election.setEligible(
        false,
        `its log lacks committed messages ${end}..${checkpoint - 1}`,
      );
    }
    // A cut made before this start that had not caught up yet: the wait goes on.
    const pending = this.note.pending;
    if (pending) {
      this.catchUp = CatchUp.after(this.catchUp, pending.from, pending.known);
      this.state.catchingUp(catchUpProblem(this.catchUp));
      const resumed = catchUpResumedLine(this.config.nodeId, this.catchUp, this.note.file);
      // With damage below the checkpoint too, deleting the note alone would release nothing.
      this.logger.warn(
        this.damage ? resumed : `${resumed}. ${catchUpReleaseHint(this.catchUp, this.note.file)}`,
      );
      this.noLeader.watch();
      await this.election.setEligible(
        false,
        `its log was cut back to offset ${pending.from} before this start and has not caught up with a leader yet`,
      );
    }
    // On disk before campaigning: a further restart must not forget the wait either.
    if (this.catchUp) await this.note.record(this.catchUp);
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.noLeader.stop();
  }

  /** A damaged batch was met (synchronously, from the failing read's handler). */
  private onCorruption(at: CorruptBatch, foundBy: string): void {
    if (this.state.shuttingDown || this.cuts.has(at)) return;
    if (at.baseOffset >= this.log.writtenEndOffset) return; // already cut
    const current = this.damage;
    // Already known: a cut at or below it is on its way, or the damage is kept for an operator.
    if (current && at.baseOffset >= current.from && (current.kept || this.cuts.busy)) return;
    const highWatermark = Math.max(
      this.state.highWatermark.value,
      this.metadata.highWatermarkCheckpoint,
    );
    const committed = at.baseOffset < highWatermark;
    const leading = this.state.role === 'leader';
    const seenAtFind = { reports: this.reportsHeard, epoch: this.state.epoch };
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
          this.logger.warn(`could not stand aside from the election: ${describeError(error)}`),
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
      this.logger.warn(
        uncommittedCutLine(this.config.nodeId, at, foundBy, highWatermark, !leading),
      );
    }
    this.cuts.add(
      at,
      () => this.cut(at, foundBy, leading, seenAtFind),
      (error) => this.cutFailed(at, error),
      () => this.checkRepaired(),
    );
  }

  /**
   * Stands aside, cuts the log at the damaged batch, follows again. `leading`: it led when the
   * batch was found, so its HW was the cluster's, and still is at the cut unless it has followed
   * a leader since: heard one, or moved to another epoch (`seenAtFind`; a new leader may count
   * this log's end as fetched before its first answer arrives).
   */
  private async cut(
    at: CorruptBatch,
    foundBy: string,
    leading: boolean,
    seenAtFind: { reports: number; epoch: number },
  ): Promise<void> {
    const why = `a corrupt batch at offset ${at.baseOffset} is being cut from its log`;
    // Whether or not it leads right now: a candidate could win while the log is being cut.
    await this.election.setEligible(false, why);
    await this.roles.exclusive(why, async () => {
      if (this.state.shuttingDown) return;
      // The HW kept moving until the term ended or the follower loop stopped: judge again.
      const known = Math.max(this.state.highWatermark.value, this.metadata.highWatermarkCheckpoint);
      const followedSince =
        !leading ||
        this.reportsHeard !== seenAtFind.reports ||
        this.state.epoch !== seenAtFind.epoch;
      // The only ISR member has nobody to catch up with: the ISR always holds the leader that
      // wrote it, so that leader was this replica and its HW the cluster's. An ISR not known yet
      // (empty) is no such proof.
      const { isr } = this.state;
      const onlyMember = isr.length > 0 && isr.every((id) => id === this.config.nodeId);
      const catchUp =
        followedSince && !onlyMember ? CatchUp.after(this.catchUp, at.baseOffset, known) : null;
      // On disk before the cut: a restart must not forget that this log has to catch up.
      if (catchUp) await this.note.record(catchUp);
      if (at.baseOffset < this.log.logEndOffset) await this.log.truncateTo(at.baseOffset);
      this.state.highWatermark.clampTo(this.log.logEndOffset);
      this.committedMeanwhile(at, foundBy, known);
      if (catchUp) {
        // Armed before following again: every report from here on was sent after the cut.
        this.catchUp = catchUp;
        this.state.catchingUp(catchUpProblem(this.catchUp));
        this.noLeader.watch();
      }
    });
    if (!this.damage && !this.catchUp) {
      await this.election.setEligible(true, 'the corrupt uncommitted batch is cut');
    }
  }

  /** The HW passed the batch between its finding and the cut: committed messages are gone. */
  private committedMeanwhile(at: CorruptBatch, foundBy: string, known: number): void {
    if (at.baseOffset >= known) return;
    const damage = this.damage;
    if (!damage) {
      this.setDamage({
        from: at.baseOffset,
        needed: known,
        cause: runtimeCause(at, foundBy, known),
      });
    } else if (damage.needed < known) {
      this.damage = { ...damage, needed: known };
      this.state.lacksCommitted(this.damage, problemText(this.damage));
    }
  }

  /**
   * The damaged batch is still in the log: the log end may well be past the HW, which must not
   * pass for repaired. Kept for an operator, like damage nobody could give back.
   */
  private cutFailed(at: CorruptBatch, error: unknown): void {
    const damage = this.damage;
    this.logger.error(`could not cut the log at offset ${at.baseOffset}: ${describeError(error)}`);
    if (this.state.shuttingDown) return;
    this.setDamage({
      from: at.baseOffset,
      needed: damage?.needed ?? this.state.highWatermark.value,
      cause: damage?.cause ?? `a corrupt batch at offset ${at.baseOffset}`,
      kept: `cutting the log failed (${describeError(error)})`,
    });
  }

  private setDamage(found: LogDamage): void {
    const first = !this.damage;
    const damage = mergeDamage(this.damage, found);
    this.damage = damage;
    this.state.lacksCommitted(damage, problemText(damage));
    this.logger.error(detectedLine(this.config.nodeId, damage));
    if (first) this.noLeader.watch(true);
  }

  private checkRepaired(): void {
    const damage = this.damage;
    const catchUp = this.catchUp;
    if ((!damage && !catchUp) || damage?.kept || this.cuts.busy) return;
    const end = this.log.logEndOffset;
    if (damage && end < damage.needed) return;
    if (catchUp && !catchUp.reachedBy(end)) return;
    this.damage = null;
    this.catchUp = null;
    this.state.repaired();
    if (catchUp) this.note.clear(() => !this.catchUp && !this.state.shuttingDown);
    this.noLeader.stop();
    const { nodeId } = this.config;
    const { leaderId } = this.state;
    const needed = Math.max(damage?.needed ?? 0, catchUp?.needed ?? 0);
    if (damage) this.logger.log(repairedLine(nodeId, damage, leaderId, catchUp?.needed));
    else if (catchUp) this.logger.log(caughtUpLine(nodeId, catchUp, leaderId));
    const reason = damage
      ? `its log holds every committed message again (up to ${needed})`
      : `its log caught up with the leader's log end ${needed} after the cut`;
    this.election
      .setEligible(true, reason)
      .catch((error: unknown) =>
        this.logger.warn(`could not stand for leader again: ${describeError(error)}`),
      );
  }
}
