import { Inject, Injectable } from '@nestjs/common';
import { LOG_STORE, type LogStore } from '@distilled/log-store';
import type { AppendRequest, AppendResponse, ReadResponse, StatusResponse } from '@distilled/proto';
import { InjectServerConfig, type ServerConfig } from '../config';
import { READ_COMMIT_WAIT_MS } from '../constants';
import { ReplicaError } from '../errors/replica-error';
import { LeaderService } from '../replication/leader.service';
import { ReplicaState } from '../replication/replica-state';

/** The rules behind distilled.v1.Replica: who may append, what may be read, what to report. */
@Injectable()
export class ReplicaService {
  constructor(
    @Inject(LOG_STORE) private readonly log: LogStore,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly leader: LeaderService,
  ) {}

  async append(request: AppendRequest): Promise<AppendResponse> {
    if (this.state.shuttingDown) throw ReplicaError.shuttingDown();
    if (this.leader.currentTerm) return this.leader.append(request);
    const { leaderId, leaderAddress } = this.state;
    if (leaderId && leaderId !== this.config.nodeId && leaderAddress) {
      throw ReplicaError.notLeader(leaderId, leaderAddress);
    }
    throw ReplicaError.noLeader();
  }

  /** Serves only committed messages: below this replica's high watermark. */
  async read(offset: number): Promise<ReadResponse> {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw ReplicaError.invalidArgument(
        `offset must be a whole number from 0 to 2^53-1 (got ${offset})`,
      );
    }
    const leading = this.leader.currentTerm !== undefined;
    if (leading && offset >= this.state.highWatermark.value && offset < this.log.logEndOffset) {
      // Written here, not yet confirmed: e.g. a new leader whose followers have not fetched in
      // its epoch yet, while the old leader already acknowledged the message. Hold the read.
      await this.state.highWatermark.waitPast(offset, READ_COMMIT_WAIT_MS);
    }
    const highWatermark = this.state.highWatermark.value;
    if (offset >= highWatermark) {
      // The role lets the client tell "not written" (a leader, past its log end) from "not
      // known here" (a follower behind, or a replica that just restarted).
      const role = leading ? 'leader' : this.state.role;
      throw ReplicaError.notCommitted(offset, highWatermark, this.log.logEndOffset, role);
    }
    const result = await this.log.read(offset).catch((error: unknown) => {
      this.state.noteFailure(error);
      throw error;
    });
    return { offset: result.offset, message: result.message, high_watermark: highWatermark };
  }

  status(): StatusResponse {
    const { state, config } = this;
    return {
      id: config.nodeId,
      address: config.advertise,
      role: state.role,
      epoch: state.epoch,
      leader_id: state.leaderId ?? '',
      leader_address: state.leaderAddress ?? '',
      isr: [...state.isr],
      in_sync: state.isr.includes(config.nodeId),
      log_end_offset: this.log.logEndOffset,
      high_watermark: state.highWatermark.value,
      problem: state.problem,
    };
  }
}
