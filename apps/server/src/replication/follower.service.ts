import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DEAD_LEADER_LEASES, type DeadLeaderLeases } from '@distilled/cluster';
import {
  LOG_RETENTION,
  LOG_STORE,
  REPLICA_METADATA,
  type LogRetention,
  type LogStore,
  type ReplicaMetadata,
} from '@distilled/log-store';
import { GrpcSecurity, type FetchResponse } from '@distilled/proto';
import { describeError, RetryBackoff } from '@distilled/common';
import { InjectServerConfig, type ServerConfig } from '../config';
import {
  FOLLOWER_BACKOFF_MAX_MS,
  FOLLOWER_BACKOFF_MIN_MS,
  LEADER_PROBE_TIMEOUT_MS,
  LEADER_REFUSAL_WINDOW_MS,
  LEADER_REFUSALS_TO_CONFIRM,
} from '../constants';
import { DeadLeaderWatch } from './dead-leader-watch';
import { committedMessagesCut, divergencePoint } from './divergence';
import { FollowerLogStart } from './follower-log-start';
import { LeaderClient, type FetchStream } from './leader-client';
import { LogFailures } from './log-failures';
import { ReplicaState } from './replica-state';
import { tcpProbe } from './refusal-probe';

/** Whom to follow: the leader of an epoch and where it listens. */
export interface LeaderTarget {
  leaderId: string;
  address: string;
  epoch: number;
}

/** One run of the follow loop; stop() ends it and waits for its last log write. */
interface FollowRun {
  target: LeaderTarget;
  stopped: boolean;
  /** Resolves when stop() is called: pending calls to the old leader are not waited out. */
  stopping: Promise<void>;
  signalStop: () => void;
  call?: FetchStream;
  done: Promise<void>;
}

function sameTarget(a: LeaderTarget | null, b: LeaderTarget | null): boolean {
  return a?.leaderId === b?.leaderId && a?.address === b?.address && a?.epoch === b?.epoch;
}

/**
 * The follower side of replication (apps/server README, "How replication flows", follower side).
 * For each leader/epoch: cut the divergent tail (KIP-101/KIP-279), then stream from the leader,
 * append its batches as they are (their offsets and epochs kept), acknowledge with the new log end,
 * and learn the HW. Errors end the stream and it reconnects with backoff, doing the truncation
 * check again. Each error also has DeadLeaderWatch check whether the leader's port refuses
 * connections, so a dead leader's etcd leases go at once (apps/server README, "Failover").
 */
@Injectable()
export class FollowerService {
  private readonly logger = new Logger('Follower');
  private run?: FollowRun;
  private client?: LeaderClient;
  private readonly log: LogStore;
  private readonly logStart: FollowerLogStart;
  private readonly deadLeader?: DeadLeaderWatch;

  constructor(
    @Inject(LOG_STORE) log: LogStore,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    @Inject(REPLICA_METADATA) private readonly metadata: ReplicaMetadata,
    failures: LogFailures,
    @Inject(LOG_RETENTION) retention: LogRetention,
    @Optional() @Inject(DEAD_LEADER_LEASES) leases?: DeadLeaderLeases,
  ) {
    // What replication meets in the log is reported, naming the leader followed.
    const foundBy = () =>
      this.run && !this.run.stopped ? `replication from ${this.run.target.leaderId}` : null;
    this.log = failures.reporting(log, foundBy);
    this.logStart = new FollowerLogStart(
      failures.reportingRetention(retention, foundBy),
      this.logger,
    );
    if (leases) {
      this.deadLeader = new DeadLeaderWatch({
        leases,
        probe: tcpProbe(LEADER_PROBE_TIMEOUT_MS),
        rule: { refusals: LEADER_REFUSALS_TO_CONFIRM, windowMs: LEADER_REFUSAL_WINDOW_MS },
        logger: this.logger,
      });
    }
  }

  get target(): LeaderTarget | null {
    return this.run?.target ?? null;
  }

  /** Follows `target` (null: nobody). Resolves once the previous run has fully stopped. */
  async follow(target: LeaderTarget | null): Promise<void> {
    if (sameTarget(this.target, target)) return;
    await this.stop();
    if (!target) return;
    if (this.client?.address !== target.address) {
      this.client?.close();
      this.client = new LeaderClient(target.address, GrpcSecurity.from(this.config.grpcTls));
    }
    let signalStop!: () => void;
    const stopping = new Promise<void>((resolve) => (signalStop = resolve));
    const run: FollowRun = {
      target,
      stopped: false,
      stopping,
      signalStop,
      done: Promise.resolve(),
    };
    run.done = this.loop(run, this.client);
    this.run = run;
    this.logger.log(
      `following ${target.leaderId} at ${target.address} in epoch ${target.epoch}; log end offset ${this.log.logEndOffset}`,
    );
  }

  /** Stops following and waits until no log write of the follower side is in flight. */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.stopped = true;
    run.call?.cancel();
    run.signalStop();
    await run.done;
  }

  /** Stops and closes the connection to the leader (shutdown). */
  async close(): Promise<void> {
    await this.stop();
    this.client?.close();
    this.client = undefined;
  }

  private async loop(run: FollowRun, client: LeaderClient): Promise<void> {
    const backoff = new RetryBackoff(FOLLOWER_BACKOFF_MIN_MS, FOLLOWER_BACKOFF_MAX_MS);
    let lastProblem = '';
    while (!run.stopped) {
      try {
        await this.truncateDivergentTail(run, client);
        if (run.stopped) break;
        const progressed = await this.stream(run, client);
        if (progressed) backoff.reset();
      } catch (error) {
        if (run.stopped) break;
        void this.deadLeader?.suspect(run.target, () => !run.stopped);
        const problem = describeError(error);
        // One line per distinct problem, not one per retry.
        if (problem !== lastProblem) {
          this.logger.warn(
            `replication from ${run.target.leaderId} at ${run.target.address} (epoch ${run.target.epoch}) failed, retrying: ${problem}`,
          );
          lastProblem = problem;
        }
      }
      if (run.stopped) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (timer = setTimeout(resolve, backoff.next()))),
        run.stopping,
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Asks the leader where our latest epoch ends in its log and cuts everything past that
   * (KIP-101). Repeats while it cuts, since our latest epoch then changes (KIP-279): it ends
   * with our log a prefix of the leader's.
   */
  private async truncateDivergentTail(run: FollowRun, client: LeaderClient): Promise<void> {
    for (let round = 0; round < 1000 && !run.stopped; round++) {
      const latest = this.log.latestEpoch;
      if (latest < 0) return;
      const answer = await Promise.race([
        client.endOffsetForEpoch(latest, run.target.epoch),
        run.stopping.then(() => undefined),
      ]);
      if (!answer || run.stopped) return;
      const leo = this.log.logEndOffset;
      const cut = divergencePoint(answer, this.log.endOffsetForEpoch(answer.epoch), leo);
      if (cut >= leo) return;
      await this.log.truncateTo(cut);
      this.logger.warn(
        `truncated log from ${leo} to ${cut} (divergent tail of epoch ${latest}; leader ${run.target.leaderId} has epoch ${answer.epoch} up to offset ${answer.end_offset})`,
      );
      const highWatermark = this.state.highWatermark.value;
      this.state.highWatermark.clampTo(cut);
      // An old leader sends no log start (read as 0): every cut below the HW then counts.
      const lost = committedMessagesCut(highWatermark, cut, answer.log_start_offset);
      if (lost > 0) {
        this.logger.error(
          `truncation went ${lost} message(s) below the high watermark: committed data was cut; this should never happen`,
        );
      }
    }
  }

  /** One fetch stream; resolves when it ends cleanly, true if it brought anything. */
  private async stream(run: FollowRun, client: LeaderClient): Promise<boolean> {
    const { target } = run;
    const call = client.fetch();
    run.call = call;
    // Keep a late error (after we stopped reading) from being unhandled.
    call.on('error', () => undefined);
    // The log end the leader last heard from us: a response that keeps our request needs no new
    // request while it still holds.
    let requested = this.log.logEndOffset;
    const acknowledge = () => {
      requested = this.log.logEndOffset;
      call.write({
        follower_id: this.config.nodeId,
        epoch: target.epoch,
        log_end_offset: requested,
      });
    };
    let progressed = false;
    try {
      // The leader binds the stream with the first request: it says which data directory we are.
      call.write({
        follower_id: this.config.nodeId,
        epoch: target.epoch,
        log_end_offset: requested,
        incarnation: this.metadata.incarnation.id,
        accepts_kept_requests: true,
      });
      for await (const response of call as AsyncIterable<FetchResponse>) {
        if (run.stopped) break;
        if (response.epoch !== target.epoch) {
          throw new Error(
            `the leader answered in epoch ${response.epoch}, expected ${target.epoch}`,
          );
        }
        if (response.log_start_offset > this.log.logEndOffset) {
          await this.logStart.rebase(response.log_start_offset, run.target.leaderId);
          this.state.highWatermark.advanceTo(this.log.logEndOffset);
        }
        // What the leader says is committed and this log already holds is servable now: the
        // batches that came with the news wait for their fsync, the news of older offsets must
        // not (it is how a Follow stream here hears of a commit: one fsync later otherwise).
        this.state.highWatermark.advanceTo(
          Math.min(response.high_watermark, this.log.logEndOffset),
        );
        if (response.batches.length > 0) await this.log.appendBatches(response.batches);
        this.logStart.follow(response.log_start_offset);
        this.state.leaderReports.report({
          epoch: response.epoch,
          highWatermark: response.high_watermark,
          logEndOffset: response.leader_log_end_offset,
        });
        this.state.highWatermark.advanceTo(
          Math.min(response.high_watermark, this.log.logEndOffset),
        );
        progressed = true;
        if (run.stopped) break;
        // News without batches (a HW move) that kept our request: the leader answers it again
        // when there are batches, so asking again would only cost both sides a message.
        if (response.request_kept && this.log.logEndOffset === requested) continue;
        acknowledge();
      }
    } finally {
      run.call = undefined;
      call.cancel();
    }
    return progressed;
  }
}
