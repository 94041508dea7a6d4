import { LogStoreError, logStoreErrors } from '@distilled/log-store';
import { ReplicaState } from './replica-state';

describe('ReplicaState.noteFailure', () => {
  const damaged = logStoreErrors.corrupt('/d/0.log', 'bad CRC', { baseOffset: 7, position: 99 });

  it('hands a damaged batch to the corruption listeners, with what found it', () => {
    const state = new ReplicaState();
    const seen: unknown[] = [];
    state.onCorruption((at, foundBy) => seen.push({ ...at, foundBy }));
    state.noteFailure(damaged, 'a client read of offset 7');
    expect(seen).toEqual([
      { file: '/d/0.log', baseOffset: 7, position: 99, foundBy: 'a client read of offset 7' },
    ]);
    expect(state.problem).toBe('');
  });

  it('keeps a damaged batch for Status when nobody listens', () => {
    const state = new ReplicaState();
    state.noteFailure(damaged);
    expect(state.problem).toMatch(/0\.log is corrupt/);
  });

  it('keeps a failure of the whole log (no batch named) for Status', () => {
    const state = new ReplicaState();
    const listener = jest.fn();
    state.onCorruption(listener);
    state.noteFailure(new LogStoreError('CORRUPT', 'write failed, reopen the log'));
    expect(listener).not.toHaveBeenCalled();
    expect(state.problem).toBe('write failed, reopen the log');
  });

  it('ignores errors that are not storage failures, and stops telling after unsubscribe', () => {
    const state = new ReplicaState();
    const listener = jest.fn();
    const unsubscribe = state.onCorruption(listener);
    state.noteFailure(new Error('network'));
    unsubscribe();
    state.noteFailure(damaged);
    expect(listener).not.toHaveBeenCalled();
    expect(state.problem).toMatch(/corrupt/);
  });
});
