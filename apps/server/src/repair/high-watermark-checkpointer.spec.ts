import { ReplicaState } from '../replication/replica-state';
import { FakeLogStore } from '../testing/fake-log-store';
import { HighWatermarkCheckpointer } from './high-watermark-checkpointer';

describe('HighWatermarkCheckpointer', () => {
  it('hands every forward move of the HW to the log checkpoint, until destroyed', () => {
    const log = new FakeLogStore();
    const state = new ReplicaState();
    const record = jest.spyOn(log, 'checkpointHighWatermark');
    const checkpointer = new HighWatermarkCheckpointer(log, state);
    checkpointer.onModuleInit();
    state.highWatermark.advanceTo(5);
    state.highWatermark.clampTo(2); // a truncation: nothing to record
    state.highWatermark.advanceTo(4);
    checkpointer.onModuleDestroy();
    state.highWatermark.advanceTo(9);
    expect(record.mock.calls).toEqual([[5], [4]]);
    expect(log.highWatermarkCheckpoint).toBe(5); // the log keeps the highest
  });
});
