/**
 * The one error type of libs/log-store (STYLE.md rule 4): a `code` the server maps to gRPC
 * status codes in one place, and factory functions so every message reads the same way.
 */
export type LogStoreErrorCode =
  /** Offset is not a non-negative safe integer. -> 400 */
  | 'INVALID_OFFSET'
  /** Offset at or past the log end. -> 404 */
  | 'OFFSET_OUT_OF_RANGE'
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
  | 'INVALID_ARGUMENT';

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
