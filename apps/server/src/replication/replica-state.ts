import { Injectable } from '@nestjs/common';
import { corruptBatchOf, LogStoreError, type CorruptBatch } from '@distilled/log-store';
import type { ReplicaRole } from '@distilled/proto';
import type { LogDamage } from '../repair/log-damage';
import { HighWatermark } from './high-watermark';
import { LeaderReports } from './leader-reports';

/** Told about a damaged batch of the log: where it is, and what found it (for the log line). */
export type CorruptionListener = (at: CorruptBatch, foundBy: string) => void;

/**
 * What this replica currently is and knows, shared by the leader side, the follower side and
 * the Replica service (Status, Read). Written only by RoleService, the leader term, the follower loop and LogRepair.
 */
@Injectable()
export class ReplicaState {
  role: ReplicaRole = 'starting';
  /** The leader's epoch: this replica's own term when leading, else the one in etcd. */
  epoch = 0;
  leaderId: string | null = null;
  /** The leader's advertised address, known only while it is registered. */
  leaderAddress: string | null = null;
  isr: readonly string[] = [];
  readonly highWatermark = new HighWatermark();
  /** What the leader says in each fetch response (the follower loop reports, LogRepair listens). */
  readonly leaderReports = new LeaderReports();
  /** Set at the start of a graceful stop: no new appends, no new following. */
  shuttingDown = false;
  /** Why this replica cannot serve correctly (e.g. a corrupt log), for Status; '' when fine. */
  problem = '';
  /**
   * Set by LogRepair while the log lacks committed messages: reads are refused and the replica
   * does not stand for leader until it has fetched them again.
   */
  damage: LogDamage | null = null;
  private readonly corruptionListeners = new Set<CorruptionListener>();

  /**
   * Every log failure the replica meets goes here. A damaged batch (a CORRUPT error that names
   * it) goes to the corruption listeners (LogRepair), which cut it and fetch it again; other
   * storage failures that need an operator are kept for Status. `foundBy` says what met it.
   */
  noteFailure(error: unknown, foundBy = 'a read'): void {
    const at = corruptBatchOf(error);
    if (at && this.corruptionListeners.size > 0) {
      for (const listener of [...this.corruptionListeners]) listener(at, foundBy);
      return;
    }
    if (
      error instanceof LogStoreError &&
      (error.code === 'CORRUPT' || error.code === 'NOT_A_LOG')
    ) {
      this.problem = error.message;
    }
  }

  /** Subscribes to damaged batches reported through noteFailure. Returns an unsubscribe. */
  onCorruption(listener: CorruptionListener): () => void {
    this.corruptionListeners.add(listener);
    return () => {
      this.corruptionListeners.delete(listener);
    };
  }
}
