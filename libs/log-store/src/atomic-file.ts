/**
 * Small files replaced whole (the epoch checkpoint, segment indexes, the high-watermark
 * checkpoint's first write; later ones rewrite it in place, high-watermark-file.ts): written to
 * `<file>.tmp`, fsynced, renamed over the old file, and, unless the caller says the name is
 * already durable, the directory fsynced so the rename survives a crash too.
 * A crash leaves the old file or the new one, never a mix; a leftover `.tmp` is removed by
 * Log.open.
 *
 * Concurrency: one writer per file at a time (each caller serializes its own writes); two
 * concurrent writes of the same file would share the `.tmp` name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TMP_SUFFIX = '.tmp';

/** fsync of a directory, so a created, renamed or deleted name survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface AtomicWriteOptions {
  /**
   * fsync the directory after the rename (default true). Segment indexes skip it: they can be
   * rebuilt from the log, so an index that reverts to its old version after a crash costs only
   * a rebuild.
   */
  syncDir?: boolean;
}

/** Replaces `file` with `bytes` atomically (see the file comment). */
export async function writeFileAtomic(
  file: string,
  bytes: Buffer | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = file + TMP_SUFFIX;
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    // On a full disk the half-written .tmp would hold on to the space it got: give it back.
    await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await fs.promises.rename(tmp, file);
  if (options.syncDir !== false) await syncDir(path.dirname(file));
}
