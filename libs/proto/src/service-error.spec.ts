import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { fromCallStatus, settleAnswer } from './service-error';

function settled<T>(answer: Parameters<typeof settleAnswer<T>>[1]) {
  const outcome: { result?: T; error?: ServiceError } = {};
  settleAnswer<T>(
    { resolve: (result) => (outcome.result = result), reject: (error) => (outcome.error = error) },
    answer,
  );
  return outcome;
}

describe('fromCallStatus', () => {
  it('keeps the code, the details and the distilled-* metadata', () => {
    const error = fromCallStatus({
      code: GrpcStatus.FAILED_PRECONDITION,
      details: 'not the leader',
      metadata: { 'distilled-leader': 'r2' },
    });
    expect(error.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(error.details).toBe('not the leader');
    expect(error.metadata.get('distilled-leader')).toEqual(['r2']);
    expect(error.message).toBe('9 FAILED_PRECONDITION: not the leader');
  });
});

describe('settleAnswer', () => {
  it('resolves with the result', () => {
    expect(settled({ result: { offset: 4 } })).toEqual({ result: { offset: 4 } });
  });

  it('rejects with the status a failed answer carries, even beside a result', () => {
    const { result, error } = settled({
      error: { code: GrpcStatus.UNAVAILABLE, details: 'too few in-sync replicas', metadata: {} },
      result: { offset: 4 },
    });
    expect(result).toBeUndefined();
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('takes an OK status as no error', () => {
    expect(
      settled({ error: { code: GrpcStatus.OK, details: '', metadata: {} }, result: { offset: 1 } }),
    ).toEqual({ result: { offset: 1 } });
  });

  it('rejects INTERNAL when the answer holds neither', () => {
    const { error } = settled({});
    expect(error?.code).toBe(GrpcStatus.INTERNAL);
    expect(error?.details).toBe('the replica sent an empty answer');
  });
});
