import { ErrorReason } from '@distilled/proto';
import type { LeaderService } from '../replication/leader.service';
import type { LeaderTerm } from '../replication/leader-term';
import { LogFailures } from '../replication/log-failures';
import { ReplicaState } from '../replication/replica-state';
import { openTempLog, type TempLog } from '../testing/temp-log';
import { RangeReads } from './range-reads.service';

describe('RangeReads', () => {
  let temp: TempLog;
  let state: ReplicaState;
  let leader: { currentTerm: LeaderTerm | undefined };
  let ranges: RangeReads;

  beforeEach(async () => {
    temp = await openTempLog();
    state = new ReplicaState();
    state.startedFollowing();
    leader = { currentTerm: undefined };
    ranges = new RangeReads(
      temp.log,
      state,
      leader as unknown as LeaderService,
      new LogFailures(state),
    );
    await temp.append('a', 'b', 'c');
    await temp.append('d');
  });
  afterEach(async () => {
    ranges.onApplicationShutdown();
    await temp.remove();
  });

  const request = (offset: number, extra: Partial<Record<string, number>> = {}) => ({
    offset,
    max_count: 100,
    max_bytes: 1000,
    wait_ms: 0,
    ...extra,
  });
  const texts = (messages: Buffer[]) => messages.map(String);

  describe('readRange', () => {
    it('serves only below the high watermark, with the HW and the role', async () => {
      state.highWatermark.advanceTo(3);
      const answer = await ranges.readRange(request(1));
      expect(texts(answer.messages)).toEqual(['b', 'c']);
      expect(answer).toMatchObject({ high_watermark: 3, role: 'follower' });
    });

    it("carries the replica's log start (a caller holding pages drops those below it)", async () => {
      state.highWatermark.advanceTo(4);
      expect((await ranges.readRange(request(1))).log_start_offset).toBe(0);
      await temp.log.advanceStartTo(3);
      const answer = await ranges.readRange(request(3));
      expect(texts(answer.messages)).toEqual(['d']);
      expect(answer.log_start_offset).toBe(3);
    });

    it('answers an offset at or past the HW with no messages at once', async () => {
      state.highWatermark.advanceTo(3);
      await expect(ranges.readRange(request(3))).resolves.toMatchObject({
        messages: [],
        high_watermark: 3,
      });
      await expect(ranges.readRange(request(1000))).resolves.toMatchObject({ messages: [] });
    });

    it('holds a long-poll until the HW passes its offset', async () => {
      state.highWatermark.advanceTo(3);
      const started = Date.now();
      const answer = ranges.readRange(request(3, { wait_ms: 5000 }));
      setTimeout(() => state.highWatermark.advanceTo(4), 30);
      expect(texts((await answer).messages)).toEqual(['d']);
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('answers a long-poll with no messages when the wait runs out', async () => {
      state.highWatermark.advanceTo(4);
      const started = Date.now();
      await expect(ranges.readRange(request(4, { wait_ms: 50 }))).resolves.toMatchObject({
        messages: [],
        high_watermark: 4,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    });

    it('as leader, never answers "nothing there" for a message written but not confirmed', async () => {
      leader.currentTerm = {} as LeaderTerm;
      state.highWatermark.advanceTo(2);
      const held = ranges.readRange(request(2));
      setTimeout(() => state.highWatermark.advanceTo(4), 20);
      expect(texts((await held).messages)).toEqual(['c', 'd']);
      expect((await ranges.readRange(request(4))).role).toBe('leader');
    });

    it('refuses everything with reason repairing while the log is repaired', async () => {
      state.highWatermark.advanceTo(4);
      state.lacksCommitted({ from: 1, needed: 4 }, 'test damage');
      await expect(ranges.readRange(request(0))).rejects.toMatchObject({
        reason: ErrorReason.Repairing,
      });
    });

    it.each([
      ['a negative offset', { offset: -1 }],
      ['a fractional offset', { offset: 1.5 }],
      ['max_count 0', { max_count: 0 }],
      ['max_count over 10,000', { max_count: 10_001 }],
      ['max_bytes 0', { max_bytes: 0 }],
      ['max_bytes over 16 MiB', { max_bytes: 16 * 1024 * 1024 + 1 }],
      ['wait_ms over 60 s', { wait_ms: 60_001 }],
    ])('refuses %s as an invalid argument', async (_name, extra) => {
      await expect(ranges.readRange({ ...request(0), ...extra })).rejects.toMatchObject({
        reason: ErrorReason.InvalidArgument,
      });
    });
  });
});
