/** The read refusal table: offset-trimmed is a final 410 with firstOffset; others are retried. */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';
import { readRefusalProblem } from './read-refusal';
import { ReplicaCallError } from './replica-gateway';

const replica = { id: 'r1', address: 'r1:1' };
function refusal(reason: ErrorReason | null, logStartOffset: number | null = null) {
  return new ReplicaCallError(
    replica,
    GrpcStatus.OUT_OF_RANGE,
    reason,
    'maybe-sent',
    'x',
    null,
    null,
    null,
    null,
    logStartOffset,
  );
}

describe('readRefusalProblem', () => {
  it('offset-trimmed: 410 urn:distilled:problem:offset-trimmed with firstOffset', () => {
    const problem = readRefusalProblem(refusal(ErrorReason.OffsetTrimmed, 500), 3);
    expect(problem?.status).toBe(410);
    expect(problem?.problem).toMatchObject({
      type: 'urn:distilled:problem:offset-trimmed',
      firstOffset: 500,
    });
    expect(problem?.problem.detail).toContain('Offset 3');
  });

  it.each([
    ['not committed', refusal(ErrorReason.NotCommitted)],
    ['repairing', refusal(ErrorReason.Repairing)],
    ['no reason', refusal(null)],
    ['not a replica error', new Error('boom')],
  ])('%s: not final (null)', (_name, error) => {
    expect(readRefusalProblem(error, 3)).toBeNull();
  });
});
