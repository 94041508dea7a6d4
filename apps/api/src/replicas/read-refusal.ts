/**
 * The one table of how a replica's refusal of a read becomes an HTTP answer, shared by every
 * read call (GET /Data and any range or stream read): a refusal that is final for the offset,
 * whichever replica is asked, is a problem for the client; anything else (not committed here,
 * unreachable, repairing) is for the caller to retry elsewhere, so it maps to null.
 *
 * offset-trimmed is final: a replica's log start never passes the leader's, so an offset below
 * any replica's start was deleted by retention on the leader too (410 with `firstOffset`).
 */
import { ErrorReason } from '@distilled/proto';
import { offsetTrimmed, type ApiProblem } from '../problems';
import { ReplicaCallError } from './replica-gateway';

export function readRefusalProblem(error: unknown, offset: number): ApiProblem | null {
  if (!(error instanceof ReplicaCallError)) return null;
  switch (error.reason) {
    case ErrorReason.OffsetTrimmed:
      return offsetTrimmed(offset, error.logStartOffset ?? offset + 1);
    default:
      return null;
  }
}
