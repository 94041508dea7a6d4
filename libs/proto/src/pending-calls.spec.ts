import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { PendingCalls } from './pending-calls';
import { serviceError } from './service-error';

function waiting(deadline: number, tag = '') {
  const errors: ServiceError[] = [];
  return { deadline, tag, errors, reject: (error: ServiceError) => errors.push(error) };
}

describe('PendingCalls', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000 }));
  afterEach(() => jest.useRealTimers());

  it('fails each call at its own deadline with DEADLINE_EXCEEDED, once', () => {
    let sweeps = 0;
    const pending = new PendingCalls<ReturnType<typeof waiting>>(() => (sweeps += 1));
    const early = waiting(1_010);
    const late = waiting(1_050);
    pending.add(1, late);
    pending.add(2, early);
    jest.advanceTimersByTime(10);
    expect(early.errors.map((e) => e.code)).toEqual([GrpcStatus.DEADLINE_EXCEEDED]);
    expect(late.errors).toEqual([]);
    expect(pending.take(2)).toBeUndefined(); // a late answer finds nothing
    jest.advanceTimersByTime(40);
    expect(late.errors.map((e) => e.code)).toEqual([GrpcStatus.DEADLINE_EXCEEDED]);
    expect(pending.size).toBe(0);
    expect(sweeps).toBe(2);
  });

  it('a call answered in time is taken and never expires; no timer is left when none waits', () => {
    const pending = new PendingCalls<ReturnType<typeof waiting>>();
    const call = waiting(1_010);
    pending.add(7, call);
    expect(pending.take(7)).toBe(call);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
    expect(call.errors).toEqual([]);
  });

  it('failWhere fails only the calls it picks, each with its own error', () => {
    const pending = new PendingCalls<ReturnType<typeof waiting>>();
    const a = waiting(2_000, 'a');
    const b = waiting(2_000, 'b');
    pending.add(1, a);
    pending.add(2, b);
    pending.failWhere(
      (call) => call.tag === 'a',
      (call) => serviceError(GrpcStatus.UNAVAILABLE, `gone ${call.tag}`),
    );
    expect(a.errors.map((e) => e.details)).toEqual(['gone a']);
    expect(b.errors).toEqual([]);
    expect(pending.get(2)).toBe(b);
    expect(pending.size).toBe(1);
  });
});
