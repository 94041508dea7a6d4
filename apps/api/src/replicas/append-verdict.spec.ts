import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';
import { judgeAppendFailure } from './append-verdict';
import { ReplicaCallError, type Delivery } from './replica-gateway';

const replica = { id: 'r1', address: 'r1:1' };
const error = (code: number, reason: ErrorReason | null, delivery: Delivery = 'maybe-sent') =>
  new ReplicaCallError(replica, code, reason, delivery, 'details');

describe('judgeAppendFailure', () => {
  it.each<[string, ReplicaCallError, boolean, 'no' | 'maybe']>([
    ['not-leader', error(GrpcStatus.FAILED_PRECONDITION, ErrorReason.NotLeader), true, 'no'],
    [
      'not-enough-replicas',
      error(GrpcStatus.UNAVAILABLE, ErrorReason.NotEnoughReplicas),
      true,
      'no',
    ],
    ['shutting-down', error(GrpcStatus.UNAVAILABLE, ErrorReason.ShuttingDown), true, 'no'],
    ['no-leader', error(GrpcStatus.UNAVAILABLE, ErrorReason.NoLeader), true, 'no'],
    ['corrupted', error(GrpcStatus.UNAVAILABLE, ErrorReason.Corrupted), true, 'no'],
    ['disk-full', error(GrpcStatus.RESOURCE_EXHAUSTED, ErrorReason.DiskFull), true, 'no'],
    ['repairing', error(GrpcStatus.UNAVAILABLE, ErrorReason.Repairing), true, 'no'],
    ['fenced-epoch', error(GrpcStatus.FAILED_PRECONDITION, ErrorReason.FencedEpoch), true, 'no'],
    [
      'commit-timeout',
      error(GrpcStatus.DEADLINE_EXCEEDED, ErrorReason.CommitTimeout),
      true,
      'maybe',
    ],
    ['leadership-lost', error(GrpcStatus.ABORTED, ErrorReason.LeadershipLost), true, 'maybe'],
    [
      'invalid-argument',
      error(GrpcStatus.INVALID_ARGUMENT, ErrorReason.InvalidArgument),
      false,
      'no',
    ],
    [
      'stale-sequence',
      error(GrpcStatus.FAILED_PRECONDITION, ErrorReason.StaleSequence),
      false,
      'maybe',
    ],
    ['UNAVAILABLE, never sent', error(GrpcStatus.UNAVAILABLE, null, 'not-sent'), true, 'no'],
    ['UNAVAILABLE after sending', error(GrpcStatus.UNAVAILABLE, null), true, 'maybe'],
    ['DEADLINE_EXCEEDED', error(GrpcStatus.DEADLINE_EXCEEDED, null), true, 'maybe'],
    ['CANCELLED', error(GrpcStatus.CANCELLED, null), true, 'maybe'],
    ['INTERNAL', error(GrpcStatus.INTERNAL, null), true, 'maybe'],
    ['UNKNOWN', error(GrpcStatus.UNKNOWN, null), true, 'maybe'],
    ['RESOURCE_EXHAUSTED', error(GrpcStatus.RESOURCE_EXHAUSTED, null), false, 'no'],
    ['UNIMPLEMENTED', error(GrpcStatus.UNIMPLEMENTED, null), false, 'no'],
  ])('%s: retry %s, stored %s', (_case, failure, retry, stored) => {
    const verdict = judgeAppendFailure(failure);
    expect(verdict.retry).toBe(retry);
    expect(verdict.stored).toBe(stored);
    expect(verdict.why).toMatch(/\.$/);
  });

  it('passes on the leader a not-leader refusal names', () => {
    const hint = { id: 'r2', address: 'r2:1' };
    const failure = new ReplicaCallError(
      replica,
      GrpcStatus.FAILED_PRECONDITION,
      ErrorReason.NotLeader,
      'maybe-sent',
      'not leader',
      hint,
    );
    expect(judgeAppendFailure(failure).redirect).toEqual(hint);
  });
});
