/**
 * Which storage failures mean "the disk is full" and are recoverable, and which are fatal.
 *
 * ENOSPC and EDQUOT returned by write(2), open(2), ftruncate(2) or rename(2) are the kernel
 * refusing the request up front: nothing it accepted before is lost, the page cache still holds
 * every byte of earlier writes, and the bytes a refused (or short) write left past the committed
 * end can be cut off again. So the writer cuts the tail back and refuses the batch; the next
 * append tries again, which is how the log finds out that space came back.
 *
 * An fsync that fails is different whatever its errno (fsyncgate, 2018): Linux may already have
 * marked the dirty pages clean and dropped them, and a second fsync then reports success for
 * data that never reached the disk. So a failed fsync is never treated as "disk full, try again":
 * the writer stops for good (CORRUPT, reopen the log) and the replica recovers from what is
 * really on disk. `FsyncFailed` marks those errors so no errno can make them look recoverable.
 *
 * No state; pure functions and one error class.
 */

/** errno codes that say the file system has no room (or the user's quota is used up). */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** An fsync/fdatasync failed: fatal for the log, never retried as if the data were safe. */
export class FsyncFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(`fsync failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'FsyncFailed';
  }
}

/** The errno code of a Node file-system error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A write, create or rename refused for lack of space: recoverable by cutting the tail back. */
export function isDiskFull(error: unknown): boolean {
  if (error instanceof FsyncFailed) return false;
  const code = errnoCode(error);
  return code !== undefined && DISK_FULL_CODES.has(code);
}

/** The error a short write becomes: the disk took only part of it, i.e. it ran out of room. */
export function shortWriteError(file: string, written: number, total: number): Error {
  const error = new Error(
    `short write to ${file}: ${written} of ${total} bytes (the disk refused the rest)`,
  ) as NodeJS.ErrnoException;
  error.code = 'ENOSPC';
  return error;
}

/** Runs an fsync, turning its failure into FsyncFailed. */
export async function fsyncOrFatal(sync: () => Promise<void>): Promise<void> {
  try {
    await sync();
  } catch (error) {
    throw new FsyncFailed(error);
  }
}
