/**
 * What a refused keyed or conditional append means for the client (apps/api/README.md, "Batches and
 * safe retries"). The leader's refusal is only final when no earlier attempt of the same request
 * may have stored it: otherwise "the key is in flight" is most likely our own earlier attempt (wait
 * and ask again: the leader then replays it), and "the log is past Expected-Offset" may be our own
 * write sitting there, so the honest answer is 504, never 412.
 */
import type { AppendBatch } from '@distilled/proto';
import { ErrorReason } from '@distilled/proto';
import { ApiProblem, keyInFlight, keyMismatch, offsetMismatch, outcomeUnknown } from '../problems';
import type { ReplicaCallError } from './replica-gateway';

/** A problem to answer with, 'retry' to try again, or null when the error is no condition's. */
export function judgeConditionFailure(
  error: ReplicaCallError,
  request: AppendBatch,
  earlierMaybeStored: boolean,
  leader: string | null,
): ApiProblem | 'retry' | null {
  const key = request.idempotency_key ?? '';
  switch (error.reason) {
    case ErrorReason.KeyMismatch:
      return keyMismatch(key);
    case ErrorReason.KeyInFlight:
      return earlierMaybeStored ? 'retry' : keyInFlight(key);
    case ErrorReason.OffsetMismatch: {
      const expected = request.expected_offset ?? 0;
      if (earlierMaybeStored) {
        return outcomeUnknown(
          `An earlier attempt may have stored the write at Expected-Offset ${expected}, and the log has moved past it since.`,
          leader,
        );
      }
      return offsetMismatch(expected, error.logEndOffset ?? expected);
    }
    default:
      return null;
  }
}
