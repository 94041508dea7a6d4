/**
 * In-memory ReplicaMetadata for unit specs of the server: what a real log directory's
 * high-watermark-checkpoint, catch-up and incarnation files would hold (replica-metadata.ts in
 * libs/log-store). Specs set the fields directly to stand for what was on disk at open.
 */
import type { Incarnation, PendingCatchUp, ReplicaMetadata } from '@distilled/log-store';

export class FakeReplicaMetadata implements ReplicaMetadata {
  /** What a real log would have read from its checkpoint file at open; raised by checkpointHighWatermark. */
  highWatermarkCheckpoint = 0;
  incarnation: Incarnation = { id: 'fake-incarnation', origin: 'existing', createdEmpty: false };
  /** What a real log would have read from its `catch-up` file at open; set by recordCatchUp. */
  pendingCatchUp: PendingCatchUp | null = null;

  async recordCatchUp(value: PendingCatchUp): Promise<void> {
    this.pendingCatchUp = value;
  }

  async clearCatchUp(): Promise<void> {
    this.pendingCatchUp = null;
  }

  checkpointHighWatermark(highWatermark: number): void {
    this.highWatermarkCheckpoint = Math.max(this.highWatermarkCheckpoint, highWatermark);
  }
}
