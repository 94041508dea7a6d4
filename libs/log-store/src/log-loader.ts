/**
 * Recovery at open (Kafka's LogLoader): turns a directory into the parts a Log is made of.
 *
 * A segment is fsynced and its index written when it is rolled, so everything before the active
 * segment is the recovery point; only the active segment is re-validated (CRC of every batch),
 * its torn or damaged tail cut and its index rebuilt (segment.ts recoverTail). The segment
 * before it is walked for producer state, and must end exactly where the active one starts.
 * Epochs past the recovered end are dropped and those the tail shows are (re)assigned. Work is
 * bounded by two segments, not the log's length.
 *
 * Called once per open, before the Log exists: no concurrency.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PendingCatchUpFile } from './catch-up-file';
import { EPOCH_FILE, EpochFile } from './epoch-file';
import { logStoreErrors } from './errors';
import { HighWatermarkCheckpoint } from './high-watermark-checkpoint';
import { loadOrCreateIncarnation } from './incarnation-file';
import { removeOrphanIndexes, scanLogDirectory } from './log-directory';
import type { ResolvedLogOptions } from './log-options';
import type { RecoveryCut } from './log-store.interface';
import { LogSegments } from './log-segments';
import { ProducerStateTable } from './producer-state';
import { ReplicaMetadataFiles } from './replica-metadata';
import { scanBatches, Segment } from './segment';

/** What a Log is built from. */
export interface LoadedLog {
  segments: LogSegments;
  endOffset: number;
  epochs: EpochFile;
  producers: ProducerStateTable;
  cuts: RecoveryCut[];
  metadata: ReplicaMetadataFiles;
}

export async function loadLog(dir: string, opts: ResolvedLogOptions): Promise<LoadedLog> {
  const logger = opts.logger;
  const found = await scanLogDirectory(dir);
  // Before anything is created here: whether the directory held a log decides new vs adopted.
  const incarnation = await loadOrCreateIncarnation(dir, found.fresh);
  await removeOrphanIndexes(dir, found);

  const { bases } = found;
  const hwCheckpoint = HighWatermarkCheckpoint.load(dir, logger, opts.highWatermarkCheckpointMs);
  const pendingCatchUp = PendingCatchUpFile.load(dir, (line) => logger.warn(line));
  const metadata = new ReplicaMetadataFiles(hwCheckpoint, pendingCatchUp, incarnation);
  const loaded = EpochFile.load(dir);
  if (loaded.damaged) logger.warn(`log-store: ${loaded.damaged}; rebuilding epochs from the tail`);
  const epochs = loaded.file;
  const producers = new ProducerStateTable(opts.maxProducers);
  const segmentsOf = (all: number[], active: Segment, sealed: Segment | null): LogSegments =>
    new LogSegments(
      dir,
      opts.indexIntervalBytes,
      opts.maxOpenSegments,
      logger,
      all,
      active,
      sealed,
    );

  if (bases.length === 0) {
    const active = await Segment.create(dir, 0, opts.indexIntervalBytes);
    if (epochs.truncateFromOffset(0)) await epochs.persist();
    return {
      segments: segmentsOf([0], active, null),
      endOffset: 0,
      epochs,
      producers,
      cuts: [],
      metadata,
    };
  }

  let sealed: Segment | null = null;
  const tailBase = bases[bases.length - 1];
  if (bases.length >= 2) {
    sealed = Segment.openSealed(dir, bases[bases.length - 2], opts.indexIntervalBytes, logger);
    const walk = scanBatches(sealed.fd, 0, sealed.size, sealed.baseOffset, false, (h) =>
      producers.recordStored(h),
    );
    if (walk.problem || walk.nextOffset !== tailBase) {
      sealed.close();
      throw logStoreErrors.corrupt(
        sealed.logPath,
        walk.problem ??
          `it ends at offset ${walk.nextOffset} but the next segment starts at ${tailBase}`,
      );
    }
  }

  const tailEpochs: { epoch: number; startOffset: number }[] = [];
  const {
    segment: active,
    nextOffset,
    cut,
  } = await Segment.recoverTail(dir, tailBase, opts.indexIntervalBytes, logger, (h) => {
    producers.recordStored(h);
    const last = tailEpochs[tailEpochs.length - 1];
    if (!last || h.epoch > last.epoch)
      tailEpochs.push({ epoch: h.epoch, startOffset: h.baseOffset });
  });
  let epochsChanged = epochs.truncateFromOffset(nextOffset);
  if (epochsChanged)
    logger.warn(`log-store: dropped epochs starting at or past the log end ${nextOffset}`);
  for (const e of tailEpochs)
    epochsChanged = epochs.assign(e.epoch, e.startOffset) || epochsChanged;
  if (epochsChanged || (nextOffset > 0 && !fs.existsSync(path.join(dir, EPOCH_FILE)))) {
    await epochs.persist();
  }
  return {
    segments: segmentsOf(bases, active, sealed),
    endOffset: nextOffset,
    epochs,
    producers,
    cuts: cut ? [cut] : [],
    metadata,
  };
}
