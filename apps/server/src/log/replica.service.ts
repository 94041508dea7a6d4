import { Inject, Injectable, Logger } from '@nestjs/common';
import { LOG_RETENTION, LOG_STORE, type LogRetention, type LogStore } from '@distilled/log-store';
import type {
  AppendBatch,
  AppendResponse,
  ReadBatchResponse,
  ReadResponse,
  StatusResponse,
} from '@distilled/proto';
import { InjectServerConfig, type ServerConfig } from '../config';
import { READ_COMMIT_WAIT_MS } from '../constants';
import { ReplicaError } from '../errors/replica-error';
import { LeaderService } from '../replication/leader.service';
import { LogFailures } from '../replication/log-failures';
import { ReplicaState } from '../replication/replica-state';
import { isExpectedError } from '../errors/grpc-status';
import { appendParts } from './append-parts';

/** Offsets one ReadBatch may ask for (the API sends at most its concurrent GETs). */
export const MAX_READ_BATCH = 10_000;
/**
 * Message bytes one ReadBatch answer carries at most (well under the 64 MiB gRPC limit): the
 * offsets past it are left out of the answer (shorter arrays), and the caller reads them alone.
 */
export const READ_BATCH_MAX_BYTES = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** The rules behind distilled.v1.Replica: who may append, what may be read, what to report. */
@Injectable()
export class ReplicaService {
  private readonly logger = new Logger('ReplicaService');
  /** The log for Read and ReadBatch: a damaged batch they meet is reported to repair. */
  private readonly clientReads: LogStore;
  private readonly batchReads: LogStore;

  constructor(
    @Inject(LOG_STORE) private readonly log: LogStore,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly leader: LeaderService,
    failures: LogFailures,
    /** For Status only: the log's size and what retention deleted. */
    @Inject(LOG_RETENTION) private readonly retention: LogRetention,
  ) {
    this.clientReads = failures.reporting(
      log,
      (_op, offset) => `a client read of offset ${offset}`,
    );
    this.batchReads = failures.reporting(log, () => 'a client read (ReadBatch)');
  }

  /** One append, or (AppendRequest.parts) several keyed ones, each answered on its own. */
  append(request: AppendBatch): Promise<AppendResponse> {
    if (!request.parts?.length) return this.refusal() ?? this.leader.append(request);
    return appendParts(
      request,
      (parts, settle) => {
        const refused = this.refusalError();
        if (!refused) return this.leader.appendParts(parts, settle);
        for (const part of parts) settle(part.index, null, refused);
      },
      (error) => {
        if (isExpectedError(error)) return;
        const stack = error instanceof Error ? error.stack : String(error);
        this.logger.error(`unexpected error in a part of an Append: ${stack}`);
      },
    );
  }

  /** Why this replica takes no append now, as a rejection; undefined when it leads. */
  private refusal(): Promise<never> | undefined {
    const refused = this.refusalError();
    return refused ? Promise.reject(refused) : undefined;
  }

  /** Why this replica takes no append now; undefined when it leads. */
  private refusalError(): ReplicaError | undefined {
    if (this.state.shuttingDown) return ReplicaError.shuttingDown();
    if (this.leader.currentTerm) return undefined;
    const { leaderId, leaderAddress } = this.state;
    if (leaderId && leaderId !== this.config.nodeId && leaderAddress) {
      return ReplicaError.notLeader(leaderId, leaderAddress);
    }
    return ReplicaError.noLeader();
  }

  /**
   * Serves only committed messages: below this replica's high watermark, and nothing while the
   * log lacks committed messages (LogRepair): a gap could hide an acknowledged message.
   */
  async read(offset: number): Promise<ReadResponse> {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw ReplicaError.invalidArgument(
        `offset must be a whole number from 0 to 2^53-1 (got ${offset})`,
      );
    }
    if (this.state.damage) throw ReplicaError.repairing(this.state.problem);
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
    const result = await this.clientReads.read(offset);
    return { offset: result.offset, message: result.message, high_watermark: highWatermark };
  }

  /**
   * Several offsets at once, each served only below this replica's HW (taken once, so the
   * answer is one consistent view); an offset at or past it is reported as not found rather
   * than failing the call, so the caller can ask the leader about just that one.
   */
  async readBatch(offsets: number[]): Promise<ReadBatchResponse> {
    if (offsets.length === 0 || offsets.length > MAX_READ_BATCH) {
      throw ReplicaError.invalidArgument(
        `a ReadBatch takes 1 to ${MAX_READ_BATCH} offsets (got ${offsets.length})`,
      );
    }
    for (const offset of offsets) {
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw ReplicaError.invalidArgument(
          `offset must be a whole number from 0 to 2^53-1 (got ${offset})`,
        );
      }
    }
    if (this.state.damage) throw ReplicaError.repairing(this.state.problem);
    const highWatermark = this.state.highWatermark.value;
    const messages: Buffer[] = [];
    const found: boolean[] = [];
    let bytes = 0;
    const logStart = this.log.logStartOffset;
    for (const offset of offsets) {
      // Below the start: not found here, so the caller's one-offset Read gets the 410 reason.
      const committed = offset < highWatermark && offset >= logStart;
      const message = committed ? (await this.batchReads.read(offset)).message : EMPTY;
      // Always at least one entry, so every call makes progress.
      if (found.length > 0 && bytes + message.length > READ_BATCH_MAX_BYTES) break;
      bytes += message.length;
      found.push(committed);
      messages.push(message);
    }
    return { messages, found, high_watermark: highWatermark };
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
      log_start_offset: this.log.logStartOffset,
      log_size_bytes: this.retention.sizeBytes,
      segments_deleted: this.retention.segmentsDeleted,
      disk_full: state.disk.full,
    };
  }
}
