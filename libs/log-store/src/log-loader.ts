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
 * Retention (log-start-file.ts) writes the log start before deleting the segments below it, so
 * a crash in the middle of a deletion leaves segments wholly below the start: they are deleted
 * here. A start past every segment (a follower re-based at its leader's start, cut short) leaves
 * one empty segment at the start.
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
import { LogSegments, removeSegmentFiles } from './log-segments';
import { LogStartFile } from './log-start-file';
import { ProducerStateTable } from './producer-state';
import { ReplicaMetadataFiles } from './replica-metadata';
import { scanBatches } from './batch-scan';
import { Segment } from './segment';

/** What a Log is built from. */
export interface LoadedLog {
  segments: LogSegments;
  endOffset: number;
  epochs: EpochFile;
  producers: ProducerStateTable;
  cuts: RecoveryCut[];
  metadata: ReplicaMetadataFiles;
  logStart: LogStartFile;
}

export async function loadLog(dir: string, opts: ResolvedLogOptions): Promise<LoadedLog> {
  const logger = opts.logger;
  const found = await scanLogDirectory(dir);
  // Before anything is created here: whether the directory held a log decides new vs adopted.
  const incarnation = await loadOrCreateIncarnation(dir, found.fresh);
  await removeOrphanIndexes(dir, found);

  const startLoaded = LogStartFile.load(dir);
  if (startLoaded.damaged)
    logger.warn(`log-store: ${startLoaded.damaged}; the segments say where the log starts`);
  const logStart = startLoaded.file;
  const bases = await dropSegmentsBelowStart(dir, found.bases, logStart.offset, logger);
  if (bases.length > 0 && logStart.offset < bases[0]) await logStart.persist(bases[0]);
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
    const start = logStart.offset;
    const active = await Segment.create(dir, start, opts.indexIntervalBytes);
    if (epochs.truncateFromOffset(0)) await epochs.persist();
    return {
      segments: segmentsOf([start], active, null),
      endOffset: start,
      logStart,
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
  if (nextOffset < logStart.offset) {
    // The whole log lies below the start: a re-base at the leader's start was cut short.
    const doomed = [...bases];
    active.close();
    sealed?.close();
    const fresh = await removeSegmentFiles(dir, doomed).then(() =>
      Segment.create(dir, logStart.offset, opts.indexIntervalBytes),
    );
    logger.warn(
      `log-store: the log ended at ${nextOffset}, below its start ${logStart.offset}: it now starts empty there`,
    );
    producers.clear();
    if (epochs.truncateFromOffset(0)) await epochs.persist();
    return {
      segments: segmentsOf([logStart.offset], fresh, null),
      endOffset: logStart.offset,
      logStart,
      epochs,
      producers,
      cuts: cut ? [cut] : [],
      metadata,
    };
  }
  let epochsChanged = epochs.truncateFromOffset(nextOffset);
  epochsChanged = epochs.truncateFromStart(logStart.offset) || epochsChanged;
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
    logStart,
    epochs,
    producers,
    cuts: cut ? [cut] : [],
    metadata,
  };
}

/** Deletes the closed segments wholly below `start` (a deletion a crash cut short). */
async function dropSegmentsBelowStart(
  dir: string,
  bases: number[],
  start: number,
  logger: ResolvedLogOptions['logger'],
): Promise<number[]> {
  let keepFrom = 0;
  while (keepFrom < bases.length - 1 && bases[keepFrom + 1] <= start) keepFrom++;
  if (keepFrom === 0) return bases;
  await removeSegmentFiles(dir, bases.slice(0, keepFrom));
  logger.warn(`log-store: finished deleting ${keepFrom} segment(s) below the log start ${start}`);
  return bases.slice(keepFrom);
}
