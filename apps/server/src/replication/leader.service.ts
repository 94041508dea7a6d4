import { Inject, Injectable, Logger } from '@nestjs/common';
import { Metadata } from '@grpc/grpc-js';
import { MEMBERSHIP, type Leadership, type Membership } from '@distilled/cluster';
import { LOG_STORE, type AppendResult, type LogStore } from '@distilled/log-store';
import type {
  AppendBatch,
  AppendResponse,
  EndOffsetForEpochResponse,
  FetchRequest,
} from '@distilled/proto';
import { InjectServerConfig, type ServerConfig } from '../config';
import { LEADER_EPOCH_METADATA } from '../constants';
import { ReplicaError } from '../errors/replica-error';
import { toGrpcStatus } from '../errors/grpc-status';
import type { FetchCall, FetchSession } from './fetch-session';
import { appendOptionsOf } from './append-options';
import type { KeyedPartRequest, SettlePart } from './keyed-appends';
import { LeaderTerm } from './leader-term';
import { LogFailures } from './log-failures';
import { ReplicaState } from './replica-state';

/**
 * The leader side of replication: owns the current LeaderTerm (if this replica leads), takes
 * appends and serves the Replication service to followers.
 */
@Injectable()
export class LeaderService {
  private readonly logger = new Logger('Leader');
  private term?: LeaderTerm;

  constructor(
    @Inject(LOG_STORE) private readonly log: LogStore,
    @Inject(MEMBERSHIP) private readonly membership: Membership,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly failures: LogFailures,
  ) {}

  /** The live term, or undefined when this replica does not lead. */
  get currentTerm(): LeaderTerm | undefined {
    return this.term && !this.term.ended ? this.term : undefined;
  }

  /**
   * Becomes leader for `leadership.epoch`. The follower side must be stopped first: from here
   * on only this term writes to the log. `onFenced` is called if a fenced write fails.
   */
  async begin(leadership: Leadership, onFenced: (why: string) => void): Promise<void> {
    const term = new LeaderTerm({
      selfId: this.config.nodeId,
      // Failed appends are reported by the log; failed fetch reads by the term (onLogFailure),
      // which can name the follower.
      log: this.failures.reporting(this.log, (operation) =>
        operation === 'append' ? 'an append' : null,
      ),
      leadership,
      highWatermark: this.state.highWatermark,
      minInsync: this.config.minInsync,
      replicaLagMs: this.config.replicaLagMs,
      commitTimeoutMs: this.config.commitTimeoutMs,
      isRegistered: (id) => this.membership.current().has(id),
      isDiskFull: (id) => this.membership.current().get(id)?.diskFull === true,
      onFenced,
      onIsrChange: (isr) => {
        if (this.term === term) this.state.isrChanged(isr);
      },
      onLogFailure: (error, foundBy) => this.failures.report(error, foundBy),
      logger: this.logger,
      idempotencyWindowMs: this.config.idempotencyWindowMs,
      idempotencyMaxKeys: this.config.idempotencyMaxKeys,
    });
    this.term = term;
    this.state.leading({
      epoch: term.epoch,
      leaderId: this.config.nodeId,
      leaderAddress: this.config.advertise,
      isr: term.isr,
    });
    this.logger.log(
      `elected leader of epoch ${term.epoch}; ISR [${term.isr.join(', ')}]; log end offset ${this.log.logEndOffset}, high watermark ${this.state.highWatermark.value}`,
    );
    await term.start();
  }

  /**
   * Stops leading because of `why`: waiting appends fail with LeadershipLost (they may or may
   * not survive), fetch streams end, in-flight log appends settle.
   */
  async end(why: string): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    await term.end(ReplicaError.leadershipLost(why));
    this.logger.warn(`no longer leader of epoch ${term.epoch}: ${why}`);
  }

  /**
   * Not an async function: the term's promise is answered through one `then`, without an async
   * frame and an await per append.
   */
  append(request: AppendBatch): Promise<AppendResponse> {
    return this.appendResult(request).then(toAppendResponse);
  }

  /**
   * The keyed requests of an Append with parts (log/append-parts.ts), decided together by the
   * term and each answered through `settle`.
   */
  appendParts(parts: readonly KeyedPartRequest[], settle: SettlePart): void {
    const term = this.currentTerm;
    if (!term) {
      const error = ReplicaError.noLeader();
      for (const part of parts) settle(part.index, null, error);
      return;
    }
    term.appendParts(parts, settle);
  }

  /** The term's own promise for one append. */
  private appendResult(request: AppendBatch): Promise<AppendResult> {
    try {
      const term = this.currentTerm;
      if (!term) throw ReplicaError.noLeader();
      const messages = request.messages ?? [];
      if (messages.length === 0) {
        throw ReplicaError.invalidArgument('an Append batch needs at least one message');
      }
      const producer =
        request.producer_id > 0
          ? { producerId: request.producer_id, sequence: request.sequence }
          : undefined;
      return term.append(messages, producer, appendOptionsOf(request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * A follower's Fetch stream. Its first request binds it to the current term; a request in
   * another epoch, or a stream to a replica that does not lead, ends with a fencing error.
   */
  openFetch(call: FetchCall): void {
    let session: FetchSession | undefined;
    let term: LeaderTerm | undefined;
    let done = false;
    const fail = (error: ReplicaError) => {
      done = true;
      if (session) session.close(error);
      else call.emit('error', toGrpcStatus(error));
    };
    call.on('data', (request: FetchRequest) => {
      if (done || session?.isClosed) return;
      if (!term || !session) {
        const current = this.currentTerm;
        if (!current) return fail(ReplicaError.notLeaderForReplication());
        if (request.epoch !== current.epoch) {
          return fail(ReplicaError.fencedEpoch(request.epoch, current.epoch));
        }
        if (!request.follower_id || request.follower_id === this.config.nodeId) {
          return fail(ReplicaError.invalidArgument(`bad follower id "${request.follower_id}"`));
        }
        term = current;
        session = current.attach(request.follower_id, call, request.incarnation ?? '');
        session.acceptsKeptRequests = request.accepts_kept_requests === true;
      } else if (request.epoch !== term.epoch || term.ended) {
        return fail(ReplicaError.fencedEpoch(request.epoch, term.epoch));
      }
      term.onFetch(session, request.log_end_offset);
    });
    const finish = () => {
      done = true;
      session?.close();
    };
    call.on('end', finish);
    call.on('cancelled', finish);
    call.on('error', finish);
  }

  /** KIP-101: where `epoch` ends in this leader's log. Only the leader answers. */
  endOffsetForEpoch(epoch: number, metadata?: Metadata): EndOffsetForEpochResponse {
    const term = this.currentTerm;
    if (!term) throw ReplicaError.notLeaderForReplication();
    const callerEpoch = Number(metadata?.get(LEADER_EPOCH_METADATA)[0] ?? term.epoch);
    if (callerEpoch !== term.epoch) throw ReplicaError.fencedEpoch(callerEpoch, term.epoch);
    const answer = this.log.endOffsetForEpoch(epoch);
    // uint64 on the wire: "no such epoch" (-1) travels as epoch 0 with its end offset.
    return {
      epoch: Math.max(0, answer.epoch),
      end_offset: Math.max(0, answer.endOffset),
      log_start_offset: this.log.logStartOffset,
    };
  }
}

function toAppendResponse(result: AppendResult): AppendResponse {
  return { base_offset: result.baseOffset, count: result.count, duplicate: result.duplicate };
}
