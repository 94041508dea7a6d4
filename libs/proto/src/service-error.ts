// grpc-js ServiceErrors made here rather than by grpc-js: a stream client's answer to one call,
// built to look exactly like the error a unary call would have failed with.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { CallStatus } from './messages';

/** A grpc-js ServiceError built from what a replica (or this client) reports. */
export function serviceError(
  code: number,
  details: string,
  metadata = new Metadata(),
): ServiceError {
  return Object.assign(new Error(`${code} ${GrpcStatus[code] ?? ''}: ${details}`), {
    code,
    details,
    metadata,
  });
}

/** A ServiceError from a CallStatus: a failed append's answer, or a failed part's. */
export function fromCallStatus(status: CallStatus): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(status.metadata ?? {})) metadata.set(key, value);
  return serviceError(status.code, status.details, metadata);
}

/**
 * Settles one stream call from its answer exactly as the unary call would have ended: its
 * result, or its status as a ServiceError; an answer with neither is the replica's fault.
 */
export function settleAnswer<T>(
  waiting: { resolve(result: T): void; reject(error: ServiceError): void },
  answer: { error?: CallStatus | null; result?: T | null },
): void {
  if (answer.error && answer.error.code !== GrpcStatus.OK) {
    waiting.reject(fromCallStatus(answer.error));
  } else if (answer.result) {
    waiting.resolve(answer.result);
  } else {
    waiting.reject(serviceError(GrpcStatus.INTERNAL, 'the replica sent an empty answer'));
  }
}
