import { Injectable } from '@nestjs/common';
import { LogStoreError } from '@distilled/log-store';
import type { ReplicaRole } from '@distilled/proto';
import { HighWatermark } from './high-watermark';

/**
 * What this replica currently is and knows, shared by the leader side, the follower side and
 * the Replica service (Status, Read). Written only by RoleService and the leader term.
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
  /** Set at the start of a graceful stop: no new appends, no new following. */
  shuttingDown = false;
  /** Why this replica cannot serve correctly (e.g. a corrupt log), for Status; '' when fine. */
  problem = '';

  /** Remembers a storage failure that needs an operator, so Status shows it. */
  noteFailure(error: unknown): void {
    if (
      error instanceof LogStoreError &&
      (error.code === 'CORRUPT' || error.code === 'NOT_A_LOG')
    ) {
      this.problem = error.message;
    }
  }
}
