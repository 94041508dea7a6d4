import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorReason } from '@distilled/proto';
import { ApiProblem } from '../problems';
import { callError } from '../testing/fake-replica-gateway';
import { judgeConditionFailure } from './condition-verdict';

const replica = { id: 'r1', address: 'r1:1' };
const request = {
  messages: [Buffer.from('m')],
  producer_id: 0,
  sequence: 0,
  idempotency_key: 'k',
  expected_offset: 7,
};
const error = (reason: ErrorReason | null, logEndOffset?: number) =>
  callError(replica, GrpcStatus.FAILED_PRECONDITION, reason, { logEndOffset });
const statusOf = (verdict: ReturnType<typeof judgeConditionFailure>) =>
  verdict instanceof ApiProblem ? verdict.status : verdict;

describe('judgeConditionFailure', () => {
  it.each<[string, ErrorReason, boolean, number | 'retry']>([
    ['key mismatch', ErrorReason.KeyMismatch, false, 422],
    ['key mismatch after an attempt that may have stored it', ErrorReason.KeyMismatch, true, 422],
    ['key in flight, another request holds it', ErrorReason.KeyInFlight, false, 409],
    ['key in flight, most likely our own attempt', ErrorReason.KeyInFlight, true, 'retry'],
    ['offset mismatch', ErrorReason.OffsetMismatch, false, 412],
    [
      'offset mismatch after an attempt that may have stored it',
      ErrorReason.OffsetMismatch,
      true,
      504,
    ],
  ])('%s', (_case, reason, earlierMaybeStored, expected) => {
    expect(
      statusOf(judgeConditionFailure(error(reason, 9), request, earlierMaybeStored, null)),
    ).toBe(expected);
  });

  it('gives the next offset with 412', () => {
    const verdict = judgeConditionFailure(
      error(ErrorReason.OffsetMismatch, 9),
      request,
      false,
      null,
    );
    expect((verdict as ApiProblem).problem).toMatchObject({ nextOffset: 9, status: 412 });
  });

  it('leaves every other failure to the append verdict', () => {
    expect(judgeConditionFailure(error(ErrorReason.NotLeader), request, false, null)).toBeNull();
    expect(judgeConditionFailure(error(null), request, true, null)).toBeNull();
  });
});
