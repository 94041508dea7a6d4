import { LogStoreError } from '@distilled/log-store';
import { FakeLogStore } from '../testing/fake-log-store';
import { LogFailures } from './log-failures';
import { ReplicaState } from './replica-state';

describe('ReportingLogStore', () => {
  function setup() {
    const log = new FakeLogStore();
    const state = new ReplicaState();
    const failures = new LogFailures(state);
    const seen: [number, string][] = [];
    failures.onCorruption((at, foundBy) => seen.push([at.baseOffset, foundBy]));
    return { log, state, failures, seen };
  }

  it('reports a damaged batch with what the view says found it, then fails as the log did', async () => {
    const { log, failures, seen } = setup();
    await log.append([Buffer.from('m0'), Buffer.from('m1')], 1);
    log.damaged.add(1);
    const view = failures.reporting(log, (operation, offset) => `${operation} of ${offset}`);
    await expect(view.read(1)).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(seen).toEqual([[1, 'read of 1']]);
    expect((await view.read(0)).message.toString()).toBe('m0');
    expect(view.logEndOffset).toBe(2);
  });

  it('leaves the operations its view does not name to their caller', async () => {
    const { log, failures, seen } = setup();
    await log.append([Buffer.from('m0')], 1);
    log.damaged.add(0);
    const view = failures.reporting(log, (operation) =>
      operation === 'append' ? 'an append' : null,
    );
    await expect(view.read(0)).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(seen).toEqual([]);
  });

  it('keeps a failure of the whole log for Status', async () => {
    const { log, state, failures } = setup();
    jest
      .spyOn(log, 'append')
      .mockRejectedValue(new LogStoreError('CORRUPT', 'write failed, reopen the log'));
    const view = failures.reporting(log, () => 'an append');
    await expect(view.append([Buffer.from('x')], 1)).rejects.toThrow('write failed');
    expect(state.problem).toBe('write failed, reopen the log');
  });

  it('passes the options of an append (expected offset, idempotency tag) on to the log', async () => {
    const { log, failures } = setup();
    const append = jest.spyOn(log, 'append');
    const view = failures.reporting(log, () => 'an append');
    const options = { expectedOffset: 0, idempotency: { key: 'k', hash: Buffer.from('h') } };
    await view.append([Buffer.from('x')], 1, undefined, options);
    expect(append).toHaveBeenCalledWith([Buffer.from('x')], 1, undefined, options);
  });

  it('a refused append marks the disk full; the next one that gets through clears it', async () => {
    const { log, state, failures } = setup();
    const view = failures.reporting(log, (operation) =>
      operation === 'append' ? 'an append' : null,
    );
    jest
      .spyOn(log, 'append')
      .mockRejectedValueOnce(new LogStoreError('DISK_FULL', 'the disk holding /d is full'));
    await expect(view.append([Buffer.from('m0')], 1)).rejects.toMatchObject({ code: 'DISK_FULL' });
    expect(state.disk.full).toBe(true);
    expect(log.logEndOffset).toBe(0);
    await view.append([Buffer.from('m0')], 1);
    expect(state.disk.full).toBe(false);
  });
});

describe('ReportingLogRetention', () => {
  it('reports a failed deletion like a failed cut, then fails as the log did', async () => {
    const log = new FakeLogStore();
    const state = new ReplicaState();
    const failures = new LogFailures(state);
    jest
      .spyOn(log, 'advanceStartTo')
      .mockRejectedValue(new LogStoreError('CORRUPT', 'unlink failed, reopen the log'));
    const asked: string[] = [];
    const view = failures.reportingRetention(log, (operation, offset) => {
      asked.push(`${operation} ${offset}`);
      return 'retention';
    });
    await expect(view.advanceStartTo(3)).rejects.toThrow('unlink failed');
    expect(asked).toEqual(['truncateTo 3']);
    expect(state.problem).toBe('unlink failed, reopen the log');
    expect(view.logStartOffset).toBe(0);
  });
});
