import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LOG_STORE, type LogStore } from '@distilled/log-store';
import type { ReadRangeRequest, ReadRangeResponse } from '@distilled/proto';
import {
  RANGE_MAX_BYTES,
  RANGE_MAX_COUNT,
  RANGE_MAX_WAIT_MS,
  READ_COMMIT_WAIT_MS,
} from '../constants';
import { ReplicaError } from '../errors/replica-error';
import { HighWatermarkWaiters } from '../replication/high-watermark-waiters';
import { LeaderService } from '../replication/leader.service';
import { LogFailures } from '../replication/log-failures';
import { ReplicaState } from '../replication/replica-state';
import { readCommittedRange, type RangeLimits } from './read-committed-range';

/**
 * Runs of committed messages (ReadRange, and the Follow streams on top of it), with the same
 * rule as Read: only below this replica's high watermark, nothing while the log is being
 * repaired. Holds long-polls until the high watermark passes their offset.
 */
@Injectable()
export class RangeReads implements OnApplicationShutdown {
  readonly waiters: HighWatermarkWaiters;
  /** The log for ranges and Follow streams: a damaged batch they meet is reported to repair. */
  private readonly rangeReads: LogStore;

  constructor(
    @Inject(LOG_STORE) private readonly log: LogStore,
    private readonly state: ReplicaState,
    private readonly leader: LeaderService,
    failures: LogFailures,
  ) {
    this.waiters = new HighWatermarkWaiters(state.highWatermark);
    this.rangeReads = failures.reporting(
      log,
      (_op, offset) => `a client range read from offset ${offset}`,
    );
  }

  onApplicationShutdown(): void {
    this.waiters.close();
  }

  async readRange(request: ReadRangeRequest): Promise<ReadRangeResponse> {
    const { offset } = request;
    checkOffset(offset);
    const limits = checkLimits(request.max_count, request.max_bytes);
    const waitMs = request.wait_ms ?? 0;
    if (!Number.isSafeInteger(waitMs) || waitMs < 0 || waitMs > RANGE_MAX_WAIT_MS) {
      throw ReplicaError.invalidArgument(
        `wait_ms must be 0 to ${RANGE_MAX_WAIT_MS} (got ${waitMs})`,
      );
    }
    this.checkServing();
    if (offset >= this.state.highWatermark.value) {
      // As Read does: a leader holding the message written but not yet confirmed (just after an
      // election) waits for it briefly even when the caller did not ask to wait.
      const unconfirmed = this.leading && offset < this.log.logEndOffset;
      const hold = Math.max(waitMs, unconfirmed ? READ_COMMIT_WAIT_MS : 0);
      if (hold > 0) await this.waiters.waitPast(offset, hold);
      this.checkServing();
      const highWatermark = this.state.highWatermark.value;
      if (offset >= highWatermark && this.leading && offset < this.log.logEndOffset) {
        // Still unconfirmed: the old leader may have acknowledged it, so an empty answer
        // ("nothing there yet") could hide an acknowledged message. Say "not committed here".
        throw ReplicaError.notCommitted(offset, highWatermark, this.log.logEndOffset, 'leader');
      }
    }
    const { messages, highWatermark } = await this.committed(offset, limits);
    // Read after the messages: a caller holding pages drops those below it (retention's 410).
    const logStart = this.log.logStartOffset;
    return { messages, high_watermark: highWatermark, role: this.role, log_start_offset: logStart };
  }

  /** The committed messages from `offset` within `limits` (empty at or past the HW), and the HW. */
  async committed(
    offset: number,
    limits: RangeLimits,
  ): Promise<{ messages: Buffer[]; highWatermark: number }> {
    this.checkServing();
    const highWatermark = this.state.highWatermark.value;
    if (offset >= highWatermark) return { messages: [], highWatermark };
    return {
      messages: await readCommittedRange(this.rangeReads, offset, highWatermark, limits),
      highWatermark,
    };
  }

  /** Throws repairing while the log lacks committed messages: a gap could hide one. */
  checkServing(): void {
    if (this.state.damage) throw ReplicaError.repairing(this.state.problem);
  }

  get shuttingDown(): boolean {
    return this.state.shuttingDown;
  }

  private get leading(): boolean {
    return this.leader.currentTerm !== undefined;
  }

  private get role(): string {
    return this.leading ? 'leader' : this.state.role;
  }
}

export function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw ReplicaError.invalidArgument(
      `offset must be a whole number from 0 to 2^53-1 (got ${offset})`,
    );
  }
}

function checkLimits(maxCount: number, maxBytes: number): RangeLimits {
  if (!Number.isSafeInteger(maxCount) || maxCount < 1 || maxCount > RANGE_MAX_COUNT) {
    throw ReplicaError.invalidArgument(
      `max_count must be 1 to ${RANGE_MAX_COUNT} (got ${maxCount})`,
    );
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > RANGE_MAX_BYTES) {
    throw ReplicaError.invalidArgument(
      `max_bytes must be 1 to ${RANGE_MAX_BYTES} (got ${maxBytes})`,
    );
  }
  return { maxCount, maxBytes };
}
