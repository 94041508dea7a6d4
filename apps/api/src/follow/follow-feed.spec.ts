import type { FollowHandlers } from '../replicas/replica-gateway';
import { FakeReplicaGateway, unreachableError } from '../testing/fake-replica-gateway';
import { FollowFeed } from './follow-feed';
import { RangeReader } from './range-reader';

const until = async (what: string, check: () => boolean, ms = 8000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function write(gateway: FakeReplicaGateway, count: number): void {
  for (let i = 0; i < count; i++) {
    gateway.store({
      messages: [Buffer.from(`m${gateway.log.length}`)],
      producer_id: 0,
      sequence: 0,
    });
    (gateway as unknown as { batches: Map<string, unknown> }).batches.clear();
  }
}

/** The offsets of the ring's events, checked to be start..end-1. */
function ringOffsets(feed: FollowFeed): number[] {
  return feed.ring
    .read(feed.ring.start, Number.MAX_SAFE_INTEGER)
    .map((event) => Number(/^id: (\d+)/.exec(String(event))![1]));
}

describe('FollowFeed', () => {
  let gateway: FakeReplicaGateway;
  let feed: FollowFeed;

  beforeEach(() => {
    gateway = new FakeReplicaGateway();
    write(gateway, 10);
    feed = new FollowFeed(gateway, new RangeReader(gateway));
  });
  afterEach(() => feed.onApplicationShutdown());

  describe('join', () => {
    it('starts one stream at the committed end and fills the ring as messages commit', async () => {
      const wakes: number[] = [];
      feed.join(() => wakes.push(feed.ring.end));
      await until('anchored', () => feed.anchored);
      expect(feed.ring.start).toBe(10);
      feed.join(() => undefined);
      write(gateway, 5);
      await until('5 events', () => feed.ring.end === 15);
      expect(ringOffsets(feed)).toEqual([10, 11, 12, 13, 14]);
      expect(gateway.followStreams.opened).toHaveLength(1);
      expect(wakes.length).toBeGreaterThan(0);
    });
  });

  describe('wake-ups', () => {
    it('wakes the streams once for the responses handled together, after they are all in the ring', async () => {
      let handlers: FollowHandlers | undefined;
      jest.spyOn(gateway, 'follow').mockImplementation((_replica, _offset, given) => {
        handlers = given;
        return { cancel: () => undefined };
      });
      const wakes: number[] = [];
      feed.join(() => wakes.push(feed.ring.end));
      await until(
        'a stream and the anchoring wake',
        () => handlers !== undefined && wakes.length > 0,
      );
      wakes.length = 0;
      for (const offset of [10, 11, 12]) {
        handlers!.response({
          first_offset: offset,
          messages: [Buffer.from(`m${offset}`)],
          high_watermark: offset + 1,
        });
      }
      expect(wakes).toEqual([]);
      await new Promise((r) => process.nextTick(r));
      expect(wakes).toEqual([13]);
      expect(ringOffsets(feed)).toEqual([10, 11, 12]);
    });
  });

  describe('which replica', () => {
    it('follows the leader', async () => {
      feed.join(() => undefined);
      await until('a stream', () => feed.replica !== null);
      expect(feed.replica).toBe(gateway.leaderId);
      expect(gateway.followStreams.opened.map((open) => open.replica)).toEqual([gateway.leaderId]);
    });

    it('moves to the new leader when the leader changes, from where the ring ends, without a gap', async () => {
      feed.join(() => undefined);
      await until('the leader', () => feed.replica === 'r1');
      write(gateway, 3);
      await until('3 events', () => feed.ring.end === 13);
      gateway.leaderId = 'r2';
      write(gateway, 2);
      await until('the new leader', () => feed.replica === 'r2', 5000);
      write(gateway, 2);
      await until('4 more events', () => feed.ring.end === 17);
      expect(ringOffsets(feed)).toEqual([10, 11, 12, 13, 14, 15, 16]);
      const moved = gateway.followStreams.opened.at(-1)!;
      expect(moved.replica).toBe('r2');
      expect(moved.offset).toBeGreaterThanOrEqual(13);
    });

    it('follows another replica while the leader cannot serve it', async () => {
      feed.join(() => undefined);
      await until('the leader', () => feed.replica === 'r1');
      gateway.unreachable.add('r1');
      gateway.followStreams.fail('r1');
      write(gateway, 2);
      await until('another replica', () => feed.replica !== null && feed.replica !== 'r1');
      await until('2 events', () => feed.ring.end === 12);
      expect(ringOffsets(feed)).toEqual([10, 11]);
    });
  });

  describe('failover', () => {
    it('moves to another replica when its stream fails, from where the ring ends, without a gap', async () => {
      feed.join(() => undefined);
      await until('a stream', () => feed.replica !== null);
      write(gateway, 3);
      await until('3 events', () => feed.ring.end === 13);
      const first = feed.replica!;
      gateway.unreachable.add(first);
      gateway.followStreams.fail(first);
      write(gateway, 4);
      await until('the other replica', () => feed.ring.end === 17);
      expect(feed.replica).not.toBe(first);
      expect(gateway.followStreams.opened.at(-1)!.offset).toBeGreaterThanOrEqual(13);
      expect(ringOffsets(feed)).toEqual([10, 11, 12, 13, 14, 15, 16]);
    });

    it('leaves a replica that goes silent (no heartbeat)', async () => {
      feed.join(() => undefined);
      await until('a stream', () => feed.replica !== null);
      const first = feed.replica!;
      gateway.followStreams.stalled.add(first);
      write(gateway, 2);
      await until('another replica', () => feed.replica !== null && feed.replica !== first);
      await until('2 events', () => feed.ring.end === 12);
      expect(ringOffsets(feed)).toEqual([10, 11]);
    });

    it('leaves a replica that stays behind the committed end the leader reports', async () => {
      // Only a follower can lag: the leader refuses Follow here, so the feed takes a follower.
      const follow = gateway.follow.bind(gateway);
      jest.spyOn(gateway, 'follow').mockImplementation((replica, offset, handlers) => {
        if (replica.id !== gateway.leaderId) return follow(replica, offset, handlers);
        setImmediate(() => handlers.end(unreachableError(replica)));
        return { cancel: () => undefined };
      });
      feed.join(() => undefined);
      await until('a follower', () => feed.replica !== null && feed.replica !== gateway.leaderId);
      const first = feed.replica!;
      gateway.highWatermarks.set(first, 10); // it stopped hearing from the leader
      write(gateway, 3);
      await until('another replica', () => feed.replica !== first, 10_000);
      await until('3 events', () => feed.ring.end === 13);
      expect(ringOffsets(feed)).toEqual([10, 11, 12]);
    });
  });

  describe('retention', () => {
    it('starts again at the committed end when the log start passed its end while it was held back, and streams behind it are told', async () => {
      const wakes: Array<[number, number]> = [];
      feed.join(() => wakes.push([feed.ring.start, feed.ring.end]));
      await until('a stream', () => feed.replica !== null);
      // Its replica is paused; meanwhile the log grows and retention deletes past the feed's end.
      gateway.followStreams.stalled.add(feed.replica!);
      write(gateway, 6);
      gateway.followStreams.logStart = 14;
      await until('anchored again past the start', () => feed.ring.start >= 14, 10_000);
      expect(feed.ring.start).toBe(16);
      // A stream that waited at 10 now sees itself behind the ring (and catches up by range).
      await until('the streams woken', () => wakes.some(([start]) => start === 16));
      write(gateway, 2);
      await until('2 events', () => feed.ring.end === 18);
      expect(ringOffsets(feed)).toEqual([16, 17]);
    });
  });
});
