/**
 * What a log directory holds, read once at open before anything is created in it:
 *
 *   <baseOffset, 20 digits>.log / .index one pair per segment; the last is the active one
 *   leader-epoch-checkpoint              epoch -> start offset (epoch-file.ts)
 *   log-start-offset                     where retention made the log start (log-start-file.ts)
 *   high-watermark-checkpoint            the highest HW known (high-watermark-checkpoint.ts)
 *   incarnation                          the directory's identity (incarnation-file.ts)
 *   catch-up                             a cut log's pending catch-up (catch-up-file.ts)
 *
 * Our own `*.tmp` leftovers (an atomic replace cut short, a space probe) are deleted; `lost+found` is allowed;
 * anything else makes open fail with NOT_A_LOG, so a mistyped path never becomes a log.
 *
 * Called by the loader only, before the log exists: no concurrency.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TMP_SUFFIX } from './atomic-file';
import { CATCH_UP_FILE } from './catch-up-file';
import { EPOCH_FILE } from './epoch-file';
import { logStoreErrors } from './errors';
import { HIGH_WATERMARK_FILE } from './high-watermark-checkpoint';
import { INCARNATION_FILE } from './incarnation-file';
import { LOG_START_FILE } from './log-start-file';
import { SPACE_PROBE_FILE } from './space-probe';
import { INDEX_SUFFIX, SEGMENT_NAME, segmentFileName } from './segment-name';

const METADATA_FILES = [
  EPOCH_FILE,
  HIGH_WATERMARK_FILE,
  INCARNATION_FILE,
  CATCH_UP_FILE,
  LOG_START_FILE,
];

export interface LogDirectory {
  /** Base offsets of the segment logs found, ascending. */
  bases: number[];
  /** Index files without their log (a crash while deleting segments), to be removed. */
  orphanIndexes: number[];
  /** True when the directory held no log yet (no segment, epoch or HW file). */
  fresh: boolean;
}

/** Creates `dir` when missing, deletes our temp leftovers, refuses strangers. */
export async function scanLogDirectory(dir: string): Promise<LogDirectory> {
  const stat = await fs.promises.stat(dir).catch(() => null);
  if (stat && !stat.isDirectory()) throw logStoreErrors.notALog(dir, [path.basename(dir)]);
  await fs.promises.mkdir(dir, { recursive: true });

  const names = await fs.promises.readdir(dir);
  const logs = new Set<number>();
  const indexes = new Set<number>();
  const strangers: string[] = [];
  for (const name of names) {
    const m = SEGMENT_NAME.exec(name);
    if (m && Number.isSafeInteger(Number(m[1]))) {
      (m[2] === 'log' ? logs : indexes).add(Number(m[1]));
    } else if (name.endsWith(TMP_SUFFIX) && isOurTemp(name.slice(0, -TMP_SUFFIX.length))) {
      await fs.promises.rm(path.join(dir, name), { force: true });
    } else if (!METADATA_FILES.includes(name) && name !== 'lost+found') {
      strangers.push(name);
    }
  }
  if (strangers.length) throw logStoreErrors.notALog(dir, strangers);
  return {
    bases: [...logs].sort((a, b) => a - b),
    orphanIndexes: [...indexes].filter((base) => !logs.has(base)),
    fresh: logs.size === 0 && !names.includes(EPOCH_FILE) && !names.includes(HIGH_WATERMARK_FILE),
  };
}

export async function removeOrphanIndexes(dir: string, found: LogDirectory): Promise<void> {
  for (const base of found.orphanIndexes) {
    await fs.promises.rm(path.join(dir, segmentFileName(base, INDEX_SUFFIX)));
  }
}

function isOurTemp(name: string): boolean {
  return (
    SEGMENT_NAME.test(name) ||
    name === SPACE_PROBE_FILE ||
    METADATA_FILES.some((file) => name.startsWith(file))
  );
}
