import { Metadata, status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import { LogStoreError, type LogStoreErrorCode } from '@distilled/log-store';
import { ErrorMetadata, ErrorReason } from '@distilled/proto';
import { ReplicaError, type ReplicaErrorDetails } from './replica-error';

/** What grpc-js sends for an error: status code, details and trailing metadata. */
export type GrpcErrorStatus = Pick<StatusObject, 'code' | 'details' | 'metadata'>;

const LOG_STORE_STATUS: Record<LogStoreErrorCode, [GrpcStatus, ErrorReason | undefined]> = {
  INVALID_OFFSET: [GrpcStatus.INVALID_ARGUMENT, ErrorReason.InvalidArgument],
  OFFSET_OUT_OF_RANGE: [GrpcStatus.OUT_OF_RANGE, ErrorReason.NotCommitted],
  OFFSET_TRIMMED: [GrpcStatus.OUT_OF_RANGE, ErrorReason.OffsetTrimmed],
  CLOSED: [GrpcStatus.UNAVAILABLE, ErrorReason.ShuttingDown],
  NOT_A_LOG: [GrpcStatus.UNAVAILABLE, ErrorReason.Corrupted],
  // A follower-side failure: the leader sent bytes this replica could not take. Not a client error.
  INVALID_BATCH: [GrpcStatus.INTERNAL, undefined],
  NON_CONTIGUOUS: [GrpcStatus.INTERNAL, undefined],
  STALE_SEQUENCE: [GrpcStatus.FAILED_PRECONDITION, ErrorReason.StaleSequence],
  CORRUPT: [GrpcStatus.UNAVAILABLE, ErrorReason.Corrupted],
  INVALID_ARGUMENT: [GrpcStatus.INVALID_ARGUMENT, ErrorReason.InvalidArgument],
  OFFSET_MISMATCH: [GrpcStatus.FAILED_PRECONDITION, ErrorReason.OffsetMismatch],
  DISK_FULL: [GrpcStatus.RESOURCE_EXHAUSTED, ErrorReason.DiskFull],
};

function metadataFor(reason: ErrorReason | undefined, details: ReplicaErrorDetails): Metadata {
  const metadata = new Metadata();
  if (reason) metadata.set(ErrorMetadata.reason, reason);
  if (details.leaderId) metadata.set(ErrorMetadata.leaderId, details.leaderId);
  if (details.leaderAddress) metadata.set(ErrorMetadata.leaderAddress, details.leaderAddress);
  if (details.highWatermark !== undefined) {
    metadata.set(ErrorMetadata.highWatermark, String(details.highWatermark));
  }
  if (details.logEndOffset !== undefined) {
    metadata.set(ErrorMetadata.logEndOffset, String(details.logEndOffset));
  }
  if (details.role) metadata.set(ErrorMetadata.role, details.role);
  return metadata;
}

/**
 * The one mapping from server errors to gRPC statuses (STYLE.md rule 4). Anything that is not a
 * ReplicaError or LogStoreError is a bug or an I/O failure: INTERNAL, without internals in the
 * message (the server log has the stack).
 */
export function toGrpcStatus(error: unknown): GrpcErrorStatus {
  if (error instanceof ReplicaError) {
    return {
      code: error.code,
      details: error.message,
      metadata: metadataFor(error.reason, error.details),
    };
  }
  if (error instanceof LogStoreError) {
    const [code, reason] = LOG_STORE_STATUS[error.code] ?? [GrpcStatus.INTERNAL, undefined];
    // An expected-offset refusal tells the client where the log would have put it; a trimmed
    // offset, where the log starts now.
    const { nextOffset, logStartOffset } = error.details;
    const metadata = metadataFor(
      reason,
      typeof nextOffset === 'number' ? { logEndOffset: nextOffset } : {},
    );
    if (logStartOffset !== undefined) {
      metadata.set(ErrorMetadata.logStartOffset, String(logStartOffset));
    }
    return { code, details: error.message, metadata };
  }
  return {
    code: GrpcStatus.INTERNAL,
    details: 'internal error in the replica; see its log',
    metadata: new Metadata(),
  };
}

/** True for errors the filter answers without logging a stack: expected, client-facing ones. */
export function isExpectedError(error: unknown): boolean {
  return error instanceof ReplicaError || error instanceof LogStoreError;
}
