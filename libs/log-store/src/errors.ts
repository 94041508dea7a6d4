/**
 * The one error type of libs/log-store (STYLE.md rule 4): a `code` the server maps to gRPC
 * status codes in one place, and factory functions so every message reads the same way.
 */
export type LogStoreErrorCode =
  /** Offset is not a non-negative safe integer. -> 400 */
  | 'INVALID_OFFSET'
  /** Offset at or past the log end. -> 404 */
  | 'OFFSET_OUT_OF_RANGE'
  /** Offset below the log start: retention deleted it. -> 410 */
  | 'OFFSET_TRIMMED'
  /** The log was closed; no more reads or appends. */
  | 'CLOSED'
  /** The directory holds files that are not a Distilled log. */
  | 'NOT_A_LOG'
  /** Bytes handed to appendBatches are not valid batches (CRC, framing). */
  | 'INVALID_BATCH'
  /** appendBatches got batches that do not start at the log end. */
  | 'NON_CONTIGUOUS'
  /** A batch with a producer sequence older than the log remembers for that producer. */
  | 'STALE_SEQUENCE'
  /** Data below the recovery point failed its checksum. */
  | 'CORRUPT'
  /** Bad arguments other than offsets (empty batch, oversized message, bad epoch). */
  | 'INVALID_ARGUMENT'
  /** An append with an expected offset would have been written elsewhere; nothing stored. */
  | 'OFFSET_MISMATCH'
  /**
   * The disk refused the write (ENOSPC, EDQUOT): nothing of the batch is stored or acknowledged,
   * the log is as it was, and the next append tries again (disk-full.ts). -> 507
   */
  | 'DISK_FULL';

export class LogStoreError extends Error {
  constructor(
    readonly code: LogStoreErrorCode,
    message: string,
    readonly details: Record<string, number | string> = {},
  ) {
    super(message);
    this.name = 'LogStoreError';
  }
}

/**
 * Factories, so every message and its details read the same way wherever they are raised.
 * (Separate from the class so the contract's constructor stays as it is.)
 */
export const logStoreErrors = {
  invalidOffset(offset: unknown): LogStoreError {
    return new LogStoreError(
      'INVALID_OFFSET',
      `offset ${String(offset)} is not an integer between 0 and 2^53-1`,
      { offset: String(offset) },
    );
  },
  outOfRange(offset: number, logEndOffset: number): LogStoreError {
    return new LogStoreError(
      'OFFSET_OUT_OF_RANGE',
      `offset ${offset} is not in the log; the log ends at ${logEndOffset}`,
      { offset, logEndOffset },
    );
  },
  trimmed(offset: number, logStartOffset: number): LogStoreError {
    return new LogStoreError(
      'OFFSET_TRIMMED',
      `offset ${offset} was deleted by retention; the log now starts at ${logStartOffset}`,
      { offset, logStartOffset },
    );
  },
  closed(): LogStoreError {
    return new LogStoreError('CLOSED', 'the log is closed');
  },
  notALog(dir: string, strangers: string[]): LogStoreError {
    const shown = strangers.slice(0, 5).join(', ') + (strangers.length > 5 ? ', ...' : '');
    return new LogStoreError(
      'NOT_A_LOG',
      `${dir} is not a Distilled log directory: it holds ${strangers.length} file(s) that are not log segments (${shown}); point the log at an empty or log directory`,
      { dir, files: strangers.length },
    );
  },
  invalidBatch(detail: string, position = -1): LogStoreError {
    return new LogStoreError('INVALID_BATCH', `invalid record batch: ${detail}`, { position });
  },
  nonContiguous(expected: number, actual: number): LogStoreError {
    return new LogStoreError(
      'NON_CONTIGUOUS',
      `batch starts at offset ${actual} but the log ends at ${expected}`,
      { expected, actual, logEndOffset: expected },
    );
  },
  staleSequence(producerId: number, sequence: number, lastSequence: number): LogStoreError {
    return new LogStoreError(
      'STALE_SEQUENCE',
      `producer ${producerId} sequence ${sequence} is older than the batches the log remembers (last ${lastSequence})`,
      { producerId, sequence, lastSequence },
    );
  },
  /**
   * With `at`: the damage is one batch the log can name (a failed checksum, or framing that
   * breaks where a batch should start), so a caller can cut the log back to `baseOffset` and
   * fetch the rest again (see corruptBatchOf). Without it: the log as a whole is unusable.
   */
  corrupt(
    file: string,
    detail: string,
    at?: { baseOffset: number; position: number },
  ): LogStoreError {
    const details: Record<string, number | string> = { file };
    if (at) {
      details.baseOffset = at.baseOffset;
      details.position = at.position;
    }
    return new LogStoreError('CORRUPT', `${file} is corrupt: ${detail}`, details);
  },
  /** One damaged batch of `file`, named so a caller can cut the log back to it. */
  corruptBatch(
    file: string,
    at: { baseOffset: number; position: number },
    problem: string,
  ): LogStoreError {
    return logStoreErrors.corrupt(
      file,
      `batch at byte ${at.position} (offset ${at.baseOffset}): ${problem}`,
      at,
    );
  },
  invalidArgument(detail: string): LogStoreError {
    return new LogStoreError('INVALID_ARGUMENT', detail);
  },
  diskFull(dir: string, cause: string): LogStoreError {
    return new LogStoreError(
      'DISK_FULL',
      `the disk holding ${dir} is full (${cause}); the batch was not stored and the log is unchanged`,
      { dir, cause },
    );
  },
  offsetMismatch(expectedOffset: number, nextOffset: number): LogStoreError {
    return new LogStoreError(
      'OFFSET_MISMATCH',
      `the append expected offset ${expectedOffset} but the next offset is ${nextOffset}; nothing was stored`,
      { expectedOffset, nextOffset },
    );
  },
};

/** Where a CORRUPT error found the damage, when it is one batch of the log. */
export interface CorruptBatch {
  /** The segment file. */
  file: string;
  /** Offset of the first message of the damaged batch: cutting the log there removes it. */
  baseOffset: number;
  /** Byte position of the batch in the file. */
  position: number;
}

/**
 * The damaged batch a CORRUPT error names, or null for any other error (including a CORRUPT
 * raised after a failed write, which is about the log as a whole: reopen it).
 */
export function corruptBatchOf(error: unknown): CorruptBatch | null {
  if (!(error instanceof LogStoreError) || error.code !== 'CORRUPT') return null;
  const { file, baseOffset, position } = error.details;
  if (typeof file !== 'string' || typeof baseOffset !== 'number' || typeof position !== 'number') {
    return null;
  }
  return { file, baseOffset, position };
}
