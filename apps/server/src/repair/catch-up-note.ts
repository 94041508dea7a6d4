import * as path from 'node:path';
import type { Logger } from '@nestjs/common';
import { CATCH_UP_FILE, type PendingCatchUp, type ReplicaMetadata } from '@distilled/log-store';
import { describeError } from '@distilled/common';

/** How long to wait before trying again to delete a catch-up note that could not be deleted. */
const CLEAR_RETRY_MS = 1_000;

/**
 * The `catch-up` note in the data directory: written before a cut (or at a start that found
 * damage) so a restart does not forget that the log must reach the leader's, deleted once it
 * has. A stale note would make the next start wait for a leader again, and forever if by then
 * this replica were the only one in sync, so deleting it is retried.
 */
export class CatchUpNote {
  /** The note's path, as an operator would find it (log lines name it). */
  readonly file: string;

  constructor(
    private readonly metadata: ReplicaMetadata,
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(dataDir, CATCH_UP_FILE);
  }

  /** The wait a previous run recorded and had not finished. */
  get pending(): PendingCatchUp | null {
    return this.metadata.pendingCatchUp;
  }

  record(catchUp: PendingCatchUp): Promise<void> {
    return this.metadata.recordCatchUp({ from: catchUp.from, known: catchUp.known });
  }

  /** Deletes the note, retrying each second while `stillWanted()` (no new cut needs it). */
  clear(stillWanted: () => boolean): void {
    this.metadata.clearCatchUp().catch((error: unknown) => {
      this.logger.warn(
        `could not delete the catch-up file in the data directory (${describeError(error)}); retrying in 1 s`,
      );
      const retry = setTimeout(() => {
        if (stillWanted()) this.clear(stillWanted);
      }, CLEAR_RETRY_MS);
      retry.unref();
    });
  }
}
