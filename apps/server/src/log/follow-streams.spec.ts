import { EventEmitter } from 'node:events';
import { lastValueFrom } from 'rxjs';
import type { FollowResponse } from '@distilled/proto';
import type { LeaderService } from '../replication/leader.service';
import { LogFailures } from '../replication/log-failures';
import { ReplicaState } from '../replication/replica-state';
import { openTempLog, type TempLog } from '../testing/temp-log';
import { FollowStreams, type FollowCall } from './follow-streams';
import { RangeReads } from './range-reads.service';

/** A server-stream call whose buffer is "full" while `writable` is false. */
class FakeCall extends EventEmitter {
  readonly written: FollowResponse[] = [];
  writable = true;
  write(response: FollowResponse): boolean {
    this.written.push({ ...response, messages: response.messages.map((m) => Buffer.from(m)) });
    return this.writable;
  }
  offsets(): string[] {
    return this.written.flatMap((r) => r.messages.map((m) => String(m)));
  }
}

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('FollowStreams', () => {
  let temp: TempLog;
  let state: ReplicaState;
  let ranges: RangeReads;
  let streams: FollowStreams;

  beforeEach(async () => {
    temp = await openTempLog();
    state = new ReplicaState();
    ranges = new RangeReads(
      temp.log,
      state,
      { currentTerm: undefined } as unknown as LeaderService,
      new LogFailures(state),
    );
    streams = new FollowStreams(ranges);
    await temp.append('m0', 'm1', 'm2');
    await temp.append('m3');
  });
  afterEach(async () => {
    streams.onApplicationShutdown();
    ranges.onApplicationShutdown();
    await temp.remove();
  });

  function follow(offset: number, call = new FakeCall()) {
    const done = lastValueFrom(streams.serve({ offset }, call as unknown as FollowCall), {
      defaultValue: undefined,
    });
    return { call, done };
  }

  describe('serve', () => {
    it('sends what is committed, then each message as the high watermark passes it', async () => {
      state.highWatermark.advanceTo(2);
      const { call, done } = follow(1);
      await until(() => call.offsets().length === 1);
      expect(call.written[0]).toMatchObject({ first_offset: 1, high_watermark: 2 });
      state.highWatermark.advanceTo(4);
      await until(() => call.offsets().length === 3);
      expect(call.offsets()).toEqual(['m1', 'm2', 'm3']);
      // first_offset always continues where the previous response ended
      let next = 1;
      for (const response of call.written) {
        expect(response.first_offset).toBe(next);
        next += response.messages.length;
      }
      call.emit('cancelled');
      await done;
      expect(streams.openCount).toBe(0);
    });

    it('sends an empty heartbeat with the high watermark when the log is quiet', async () => {
      state.highWatermark.advanceTo(4);
      const { call, done } = follow(4);
      await until(() => call.written.length >= 1, 3000);
      expect(call.written[0]).toEqual({ first_offset: 4, messages: [], high_watermark: 4 });
      call.emit('cancelled');
      await done;
    });

    it('stops reading while the call is not drained, and resumes on drain', async () => {
      state.highWatermark.advanceTo(1);
      const call = new FakeCall();
      call.writable = false;
      const { done } = follow(0, call);
      await until(() => call.written.length === 1);
      state.highWatermark.advanceTo(4);
      await new Promise((r) => setTimeout(r, 50));
      expect(call.written).toHaveLength(1);
      call.writable = true;
      call.emit('drain');
      await until(() => call.offsets().length === 4);
      expect(call.offsets()).toEqual(['m0', 'm1', 'm2', 'm3']);
      call.emit('cancelled');
      await done;
    });

    it('fails with reason repairing when the log is found damaged', async () => {
      state.highWatermark.advanceTo(4);
      state.lacksCommitted({ from: 1, needed: 4 }, 'test damage');
      await expect(follow(0).done).rejects.toMatchObject({ reason: 'repairing' });
    });

    it('ends every stream when the replica stops', async () => {
      state.highWatermark.advanceTo(4);
      const { done } = follow(4);
      await until(() => streams.openCount === 1);
      streams.onApplicationShutdown();
      await expect(done).resolves.toBeUndefined();
    });
  });
});
