import { LogStoreError, logStoreErrors } from '@distilled/log-store';
import { LogFailures } from './log-failures';
import { ReplicaState } from './replica-state';

describe('LogFailures.report', () => {
  const damaged = logStoreErrors.corrupt('/d/0.log', 'bad CRC', { baseOffset: 7, position: 99 });

  it('hands a damaged batch to the corruption listeners, with what found it', () => {
    const state = new ReplicaState();
    const failures = new LogFailures(state);
    const seen: unknown[] = [];
    failures.onCorruption((at, foundBy) => seen.push({ ...at, foundBy }));
    failures.report(damaged, 'a client read of offset 7');
    expect(seen).toEqual([
      { file: '/d/0.log', baseOffset: 7, position: 99, foundBy: 'a client read of offset 7' },
    ]);
    expect(state.problem).toBe('');
  });

  it('keeps a damaged batch for Status when nobody listens', () => {
    const state = new ReplicaState();
    const failures = new LogFailures(state);
    failures.report(damaged);
    expect(state.problem).toMatch(/0\.log is corrupt/);
  });

  it('keeps a failure of the whole log (no batch named) for Status', () => {
    const state = new ReplicaState();
    const failures = new LogFailures(state);
    const listener = jest.fn();
    failures.onCorruption(listener);
    failures.report(new LogStoreError('CORRUPT', 'write failed, reopen the log'));
    expect(listener).not.toHaveBeenCalled();
    expect(state.problem).toBe('write failed, reopen the log');
  });

  it('ignores errors that are not storage failures, and stops telling after unsubscribe', () => {
    const state = new ReplicaState();
    const failures = new LogFailures(state);
    const listener = jest.fn();
    const unsubscribe = failures.onCorruption(listener);
    failures.report(new Error('network'));
    unsubscribe();
    failures.report(damaged);
    expect(listener).not.toHaveBeenCalled();
    expect(state.problem).toMatch(/corrupt/);
  });

  it('marks the disk full on DISK_FULL (not a storage failure for Status), and a write clears it', () => {
    const state = new ReplicaState();
    const failures = new LogFailures(state);
    const listener = jest.fn();
    failures.onCorruption(listener);
    failures.report(logStoreErrors.diskFull('/d', 'ENOSPC: no space left'), 'an append');
    expect(state.disk.full).toBe(true);
    expect(state.disk.cause).toMatch(/\/d is full .*met by an append/);
    expect(state.problem).toBe('');
    expect(listener).not.toHaveBeenCalled();
    failures.wrote();
    expect(state.disk.full).toBe(false);
  });
});
