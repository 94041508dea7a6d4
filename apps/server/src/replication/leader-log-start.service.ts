/**
 * The leader's side of retention (apps/server README, "Retention"): on a timer, while this
 * replica leads, ask the retention decision (libs/log-store retention-policy.ts) how far the
 * log start may move, cap it at the high watermark (a message not yet on every ISR member is
 * never deleted: it may still be needed after a failover) and move it. Followers learn the
 * start from fetch responses (FetchSession) and delete the same whole segments
 * (FollowerLogStart). Off the append path: the decision is in memory, the deletion runs its
 * bookkeeping on the log's writer chain and unlinks files after.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  isRetentionOn,
  LOG_RETENTION,
  retentionStart,
  type LogRetention,
} from '@distilled/log-store';
import { describeError } from '@distilled/common';
import { InjectServerConfig, type ServerConfig } from '../config';
import { RETENTION_CHECK_INTERVAL_MS } from '../constants';
import { LeaderService } from './leader.service';
import { ReplicaState } from './replica-state';

/** Where retention lets a leader's log start: the policy's answer capped at the HW. */
export function leaderLogStart(
  log: Pick<LogRetention, 'segmentFacts' | 'logStartOffset'>,
  config: Pick<ServerConfig, 'retention'>,
  highWatermark: number,
  nowMs: number,
): number {
  const allowed = retentionStart(
    log.segmentFacts(nowMs),
    config.retention,
    nowMs,
    log.logStartOffset,
  );
  return Math.max(log.logStartOffset, Math.min(allowed, highWatermark));
}

@Injectable()
export class LeaderLogStart implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    @Inject(LOG_RETENTION) private readonly log: LogRetention,
    @InjectServerConfig() private readonly config: ServerConfig,
    private readonly state: ReplicaState,
    private readonly leader: LeaderService,
  ) {}

  onModuleInit(): void {
    if (!isRetentionOn(this.config.retention)) return;
    const { retentionBytes, retentionMs } = this.config.retention;
    this.logger.log(
      `retention on: ${retentionBytes ?? 'unlimited'} bytes, ${retentionMs ?? 'unlimited'} ms`,
    );
    this.timer = setInterval(() => void this.check(), RETENTION_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One check: moves the start when this replica leads and the limits say so. */
  async check(now = Date.now()): Promise<number> {
    if (this.running || !this.leader.currentTerm || this.state.shuttingDown) return 0;
    this.running = true;
    try {
      const target = leaderLogStart(this.log, this.config, this.state.highWatermark.value, now);
      if (target <= this.log.logStartOffset) return 0;
      const deleted = await this.log.advanceStartTo(target);
      this.leader.currentTerm?.logStartMoved();
      return deleted;
    } catch (error) {
      this.logger.warn(`retention could not move the log start: ${describeError(error)}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
