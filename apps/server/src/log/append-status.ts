/**
 * A failed append as an answer carries it (AppendStream answers, AppendResponse.parts): the gRPC
 * status, details and trailers the unary call would have ended with.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CallStatus } from '@distilled/proto';
import { toGrpcStatus } from '../errors/grpc-status';

/** The status an Append call would have ended with, as an AppendStream answer carries it. */
export function toCallStatus(error: unknown): CallStatus {
  const status = toGrpcStatus(error);
  return {
    code: status.code,
    details: status.details,
    metadata: metadataToRecord(status.metadata),
  };
}

function metadataToRecord(metadata: Metadata | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!metadata) return record;
  for (const [key, value] of Object.entries(metadata.getMap())) record[key] = value.toString();
  return record;
}
