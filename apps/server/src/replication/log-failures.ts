import { Injectable } from '@nestjs/common';
import {
  corruptBatchOf,
  LogStoreError,
  type CorruptBatch,
  type LogRetention,
  type LogStore,
} from '@distilled/log-store';
import { ReplicaState } from './replica-state';
import { ReportingLogRetention, ReportingLogStore, type FoundBy } from './reporting-log-store';

/** Told about a damaged batch of the log: where it is, and what found it (for the log line). */
export type CorruptionListener = (at: CorruptBatch, foundBy: string) => void;

/**
 * Where every log failure the replica meets is reported (through ReportingLogStore, so the
 * services that read and write the log stay plain). A damaged batch (a CORRUPT error that
 * names it) goes to the corruption listeners (LogRepair, which cuts it and fetches it again);
 * a refused write for lack of space (DISK_FULL) marks the disk full in ReplicaState; other
 * storage failures that need an operator are kept in ReplicaState for Status.
 *
 * This port lives in replication, which repair depends on, so repair listens here without
 * replication or log depending on repair. Concurrency: listeners run synchronously, from the
 * failing operation's rejection handler.
 */
@Injectable()
export class LogFailures {
  private readonly corruptionListeners = new Set<CorruptionListener>();

  constructor(private readonly state: ReplicaState) {}

  /** `log` as seen by one user, whose failures are reported here (see ReportingLogStore). */
  reporting(log: LogStore, foundBy: FoundBy): LogStore {
    return new ReportingLogStore(log, this, foundBy);
  }

  /** `retention` as seen by one user, its failed deletions reported here like failed cuts. */
  reportingRetention(retention: LogRetention, foundBy: FoundBy): LogRetention {
    return new ReportingLogRetention(retention, this, foundBy);
  }

  /**
   * `foundBy` says what met the failure ("a client read of offset 7"); `writesAtStart` is
   * writesSeen when a write began (a disk-full refusal of a write older than the last write
   * that got through is stale: DiskFullness.refused).
   */
  report(error: unknown, foundBy = 'a read', writesAtStart?: number): void {
    if (error instanceof LogStoreError && error.code === 'DISK_FULL') {
      // Not a damaged log: nothing was stored and the log is as it was (DiskFullWatch acts).
      this.state.disk.refused(`${error.message}; met by ${foundBy}`, writesAtStart);
      return;
    }
    const at = corruptBatchOf(error);
    if (at && this.corruptionListeners.size > 0) {
      for (const listener of [...this.corruptionListeners]) listener(at, foundBy);
      return;
    }
    if (
      error instanceof LogStoreError &&
      (error.code === 'CORRUPT' || error.code === 'NOT_A_LOG')
    ) {
      this.state.storageFailed(error.message);
    }
  }

  /** Log writes that got through so far (taken when a write starts). */
  get writesSeen(): number {
    return this.state.disk.writesSeen;
  }

  /** A log write got through: a full disk has room again. */
  wrote(): void {
    this.state.disk.wrote();
  }

  /** Subscribes to damaged batches reported here. Returns an unsubscribe. */
  onCorruption(listener: CorruptionListener): () => void {
    this.corruptionListeners.add(listener);
    return () => {
      this.corruptionListeners.delete(listener);
    };
  }
}
