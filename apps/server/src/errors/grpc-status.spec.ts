import { status as GrpcStatus } from '@grpc/grpc-js';
import { LogStoreError } from '@distilled/log-store';
import { ErrorMetadata, ErrorReason } from '@distilled/proto';
import { toGrpcStatus } from './grpc-status';
import { ReplicaError } from './replica-error';

function trailers(error: unknown): Record<string, unknown> {
  return toGrpcStatus(error).metadata?.getMap() ?? {};
}

describe('toGrpcStatus', () => {
  it.each([
    [
      ReplicaError.notLeader('r2', '127.0.0.1:2'),
      GrpcStatus.FAILED_PRECONDITION,
      ErrorReason.NotLeader,
    ],
    [ReplicaError.noLeader(), GrpcStatus.UNAVAILABLE, ErrorReason.NoLeader],
    [
      ReplicaError.notEnoughReplicas(['r1'], 2),
      GrpcStatus.UNAVAILABLE,
      ErrorReason.NotEnoughReplicas,
    ],
    [ReplicaError.shuttingDown(), GrpcStatus.UNAVAILABLE, ErrorReason.ShuttingDown],
    [
      ReplicaError.commitTimeout(0, 1, 4000),
      GrpcStatus.DEADLINE_EXCEEDED,
      ErrorReason.CommitTimeout,
    ],
    [ReplicaError.leadershipLost('deposed'), GrpcStatus.ABORTED, ErrorReason.LeadershipLost],
    [
      ReplicaError.notCommitted(5, 3, 6, 'leader'),
      GrpcStatus.OUT_OF_RANGE,
      ErrorReason.NotCommitted,
    ],
    [ReplicaError.invalidArgument('bad'), GrpcStatus.INVALID_ARGUMENT, ErrorReason.InvalidArgument],
    [ReplicaError.repairing('lost 5..9'), GrpcStatus.UNAVAILABLE, ErrorReason.Repairing],
    [ReplicaError.fencedEpoch(3, 4), GrpcStatus.FAILED_PRECONDITION, ErrorReason.FencedEpoch],
    [
      new LogStoreError('INVALID_OFFSET', 'x'),
      GrpcStatus.INVALID_ARGUMENT,
      ErrorReason.InvalidArgument,
    ],
    [
      new LogStoreError('OFFSET_OUT_OF_RANGE', 'x'),
      GrpcStatus.OUT_OF_RANGE,
      ErrorReason.NotCommitted,
    ],
    [
      new LogStoreError('STALE_SEQUENCE', 'x'),
      GrpcStatus.FAILED_PRECONDITION,
      ErrorReason.StaleSequence,
    ],
    [new LogStoreError('CORRUPT', 'x'), GrpcStatus.UNAVAILABLE, ErrorReason.Corrupted],
    [new LogStoreError('CLOSED', 'x'), GrpcStatus.UNAVAILABLE, ErrorReason.ShuttingDown],
  ])('%s', (error, code, reason) => {
    const status = toGrpcStatus(error);
    expect(status.code).toBe(code);
    expect(status.details).toBe((error as Error).message);
    expect(trailers(error)[ErrorMetadata.reason]).toBe(reason);
  });

  it('names the leader with not-leader', () => {
    const map = trailers(ReplicaError.notLeader('r2', '127.0.0.1:2'));
    expect(map[ErrorMetadata.leaderId]).toBe('r2');
    expect(map[ErrorMetadata.leaderAddress]).toBe('127.0.0.1:2');
  });

  it('gives the high watermark, log end and role with not-committed', () => {
    const map = trailers(ReplicaError.notCommitted(5, 3, 6, 'follower'));
    expect(map[ErrorMetadata.highWatermark]).toBe('3');
    expect(map[ErrorMetadata.logEndOffset]).toBe('6');
    expect(map[ErrorMetadata.role]).toBe('follower');
  });

  it('hides anything else behind INTERNAL with no reason', () => {
    const status = toGrpcStatus(new TypeError('secret internals'));
    expect(status.code).toBe(GrpcStatus.INTERNAL);
    expect(status.details).not.toContain('secret');
    expect(trailers(new TypeError('x'))[ErrorMetadata.reason]).toBeUndefined();
  });
});
