import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { REPLICA_METADATA, type ReplicaMetadata } from '@distilled/log-store';
import { ReplicaState } from '../replication/replica-state';

/**
 * Hands every new high watermark this replica learns, as leader or as follower, to the replica's
 * checkpoint (written lazily by libs/log-store, never awaited here), so that after a restart
 * LogRepair can tell whether the log still holds everything that was committed. The HW passed
 * on is always at or below this log's own synced end: a leader's counts its own synced end, a
 * follower's is capped at its log end.
 */
@Injectable()
export class HighWatermarkCheckpointer implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    @Inject(REPLICA_METADATA) private readonly metadata: ReplicaMetadata,
    private readonly state: ReplicaState,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.state.highWatermark.onAdvance((highWatermark) =>
      this.metadata.checkpointHighWatermark(highWatermark),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
