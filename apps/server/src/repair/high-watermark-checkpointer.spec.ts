import { ReplicaState } from '../replication/replica-state';
import { FakeReplicaMetadata } from '../testing/fake-replica-metadata';
import { HighWatermarkCheckpointer } from './high-watermark-checkpointer';

describe('HighWatermarkCheckpointer', () => {
  it('hands every forward move of the HW to the log checkpoint, until destroyed', () => {
    const metadata = new FakeReplicaMetadata();
    const state = new ReplicaState();
    const record = jest.spyOn(metadata, 'checkpointHighWatermark');
    const checkpointer = new HighWatermarkCheckpointer(metadata, state);
    checkpointer.onModuleInit();
    state.highWatermark.advanceTo(5);
    state.highWatermark.clampTo(2); // a truncation: nothing to record
    state.highWatermark.advanceTo(4);
    checkpointer.onModuleDestroy();
    state.highWatermark.advanceTo(9);
    expect(record.mock.calls).toEqual([[5], [4]]);
    expect(metadata.highWatermarkCheckpoint).toBe(5); // the log keeps the highest
  });
});
