import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';
import type { ReplicaCallError, ReplicaRef } from './replica-gateway';

/**
 * What one failed Append attempt tells the producer.
 * - `stored`: `no` when the failure proves the batch was not appended by this attempt, `maybe`
 *   when it could have been (then the request must never answer 503).
 * - `retry`: whether trying again (same batch, same sequence) can help.
 * - `redirect`: the leader the refusing replica pointed to.
 */
export interface AppendVerdict {
  retry: boolean;
  stored: 'no' | 'maybe';
  redirect: ReplicaRef | null;
  /** A sentence for the person who sent the write. */
  why: string;
}

const notStoredRetry = (why: string, redirect: ReplicaRef | null = null): AppendVerdict => ({
  retry: true,
  stored: 'no',
  redirect,
  why,
});
const maybeStoredRetry = (why: string): AppendVerdict => ({
  retry: true,
  stored: 'maybe',
  redirect: null,
  why,
});

/** Decides how a failed Append attempt counts (apps/api README, "Errors": 503 vs 504). */
export function judgeAppendFailure(error: ReplicaCallError): AppendVerdict {
  switch (error.reason) {
    case ErrorReason.NotLeader:
      return notStoredRetry(
        'The replica the API took for the leader is not the leader.',
        error.leaderHint,
      );
    case ErrorReason.NotEnoughReplicas:
      return notStoredRetry('Too few replicas are in sync to commit a write.');
    case ErrorReason.ShuttingDown:
      return notStoredRetry('The leader is shutting down.');
    case ErrorReason.NoLeader:
      return notStoredRetry('No leader is elected right now (an election may be in progress).');
    case ErrorReason.DiskFull:
      // Retried: the full leader hands over to an in-sync replica with room when there is one.
      return notStoredRetry("The leader's disk is full.");
    case ErrorReason.Corrupted:
      return notStoredRetry('The leader refuses writes until its damaged log is repaired.');
    case ErrorReason.Repairing:
      return notStoredRetry('The replica is repairing its log and does not lead.');
    case ErrorReason.FencedEpoch:
      return notStoredRetry('The leader was replaced by a newer one.');
    case ErrorReason.CommitTimeout:
      return maybeStoredRetry('The leader appended the write but could not commit it in time.');
    case ErrorReason.LeadershipLost:
      return maybeStoredRetry('The leader lost its leadership after appending the write.');
    case ErrorReason.InvalidArgument:
      return { retry: false, stored: 'no', redirect: null, why: 'The leader rejected the batch.' };
    case ErrorReason.StaleSequence:
      // The producer keeps its unanswered batches within the log's window of sequences, so the
      // log should never call one of them stale: do not guess what happened to this one.
      return {
        retry: false,
        stored: 'maybe',
        redirect: null,
        why: 'The leader reported a producer sequence conflict.',
      };
    case ErrorReason.NotCommitted:
    case null:
      break;
  }
  switch (error.code) {
    case GrpcStatus.UNAVAILABLE:
      return error.delivery === 'not-sent'
        ? notStoredRetry('The leader could not be reached.')
        : maybeStoredRetry('The connection to the leader was lost after the write was sent.');
    case GrpcStatus.DEADLINE_EXCEEDED:
      return maybeStoredRetry('The leader did not answer in time after the write was sent.');
    case GrpcStatus.RESOURCE_EXHAUSTED:
    case GrpcStatus.UNIMPLEMENTED:
    case GrpcStatus.INVALID_ARGUMENT:
      // Refused before the handler ran (size limits, unknown method, undecodable request).
      return { retry: false, stored: 'no', redirect: null, why: 'The leader rejected the batch.' };
    default:
      return maybeStoredRetry('The leader failed while handling the write.');
  }
}
