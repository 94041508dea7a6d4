import { MessageRing } from '../follow/message-ring';
import { messageEvent } from '../follow/sse-event';
import { MessageTail, type TailFeed } from './message-tail';

/** A feed as FollowFeed keeps it: a real ring of encoded events, anchored at `start`. */
class RingFeed implements TailFeed {
  readonly ring = new MessageRing(1000, 1 << 20);
  anchored = false;
  joined = 0;
  left = 0;

  anchor(start: number): void {
    this.ring.reset(start);
    this.anchored = true;
  }

  commit(...messages: string[]): void {
    for (const message of messages) {
      this.ring.push(Buffer.from(messageEvent(this.ring.end, Buffer.from(message))));
    }
  }

  join(): () => void {
    this.joined += 1;
    return () => (this.left += 1);
  }
}

function readerOf(log: string[], reads: Array<[number, number]>) {
  return async (offset: number, limit: number): Promise<Buffer[]> => {
    reads.push([offset, limit]);
    return log.slice(offset, offset + limit).map((message) => Buffer.from(message));
  };
}

const log = Array.from({ length: 100 }, (_, i) => `m${i}`);

describe('MessageTail', () => {
  describe('watch / unwatch', () => {
    it('keeps the shared feed running once, however often it is asked, and lets it go', () => {
      const feed = new RingFeed();
      const tail = new MessageTail(feed, readerOf(log, []));
      tail.watch();
      tail.watch();
      expect(feed.joined).toBe(1);
      tail.unwatch();
      tail.unwatch();
      expect(feed.left).toBe(1);
    });
  });

  describe('refresh and list', () => {
    it('shows nothing and reads nothing until the feed is anchored', async () => {
      const reads: Array<[number, number]> = [];
      const tail = new MessageTail(new RingFeed(), readerOf(log, reads), 3);
      await tail.refresh();
      expect(tail.list()).toEqual([]);
      expect(reads).toEqual([]);
    });

    it('reads below a short ring once per ring start, then follows the ring alone', async () => {
      const feed = new RingFeed();
      const reads: Array<[number, number]> = [];
      const tail = new MessageTail(feed, readerOf(log, reads), 3);
      feed.anchor(100);
      await tail.refresh();
      await tail.refresh();
      expect(reads).toEqual([[97, 3]]);
      expect(tail.list().map((m) => [m.offset, m.preview])).toEqual([
        [99, 'm99'],
        [98, 'm98'],
        [97, 'm97'],
      ]);
      feed.commit('m100', 'm101');
      await tail.refresh();
      expect(reads).toEqual([[97, 3]]);
      expect(tail.list().map((m) => m.offset)).toEqual([101, 100, 99]);
      feed.commit('m102', 'm103');
      expect(tail.list().map((m) => [m.offset, m.preview])).toEqual([
        [103, 'm103'],
        [102, 'm102'],
        [101, 'm101'],
      ]);
    });

    it('reads again when the ring starts anew elsewhere (the feed stopped and restarted)', async () => {
      const feed = new RingFeed();
      const reads: Array<[number, number]> = [];
      const tail = new MessageTail(feed, readerOf(log, reads), 2);
      feed.anchor(50);
      await tail.refresh();
      feed.anchor(60);
      expect(tail.list()).toEqual([]);
      await tail.refresh();
      expect(reads).toEqual([
        [48, 2],
        [58, 2],
      ]);
      expect(tail.list().map((m) => m.offset)).toEqual([59, 58]);
    });

    it('never reads below the log start, nor at all on an empty log', async () => {
      const feed = new RingFeed();
      const reads: Array<[number, number]> = [];
      const tail = new MessageTail(feed, readerOf(log, reads), 10);
      feed.anchor(12);
      await tail.refresh(8);
      expect(reads).toEqual([[8, 4]]);
      const empty = new RingFeed();
      const none: Array<[number, number]> = [];
      const fresh = new MessageTail(empty, readerOf(log, none), 10);
      empty.anchor(0);
      await fresh.refresh();
      expect(none).toEqual([]);
    });

    it('cuts long messages and gives their size in bytes, decoded from the ring', () => {
      const feed = new RingFeed();
      const tail = new MessageTail(feed, readerOf(log, []), 1);
      feed.anchor(0);
      feed.commit('é'.repeat(300));
      const [message] = tail.list();
      expect(message).toMatchObject({ offset: 0, bytes: 600, truncated: true });
      expect(message.preview).toBe('é'.repeat(200));
    });

    it('says why when the read below the ring fails, and recovers', async () => {
      const feed = new RingFeed();
      let fail = true;
      const tail = new MessageTail(
        feed,
        async (offset, limit) => {
          if (fail) throw new Error('no replica answered');
          return log.slice(offset, offset + limit).map((m) => Buffer.from(m));
        },
        2,
      );
      feed.anchor(10);
      await tail.refresh();
      expect(tail.error()).toBe('The newest messages could not be read: no replica answered');
      expect(tail.list()).toEqual([]);
      fail = false;
      await tail.refresh();
      expect(tail.error()).toBeNull();
      expect(tail.list().map((m) => m.offset)).toEqual([9, 8]);
    });
  });
});
