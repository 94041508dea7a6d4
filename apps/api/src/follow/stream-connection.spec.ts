import { EventEmitter } from 'node:events';
import { offsetTrimmed } from '../problems';
import { MessageRing } from './message-ring';
import type { RangePage } from './range-reader';
import { messageEvent } from './sse-event';
import { StreamConnection, type EventSink, type TailFeed } from './stream-connection';

/** A socket that says "full" after `capacity` bytes until drained. */
class FakeSink extends EventEmitter implements EventSink {
  text = '';
  writableLength = 0;
  capacity = Infinity;
  write(chunk: string | Buffer): boolean {
    this.text += String(chunk);
    this.writableLength += Buffer.byteLength(chunk);
    return !this.writableNeedDrain;
  }
  get writableNeedDrain(): boolean {
    return this.writableLength >= this.capacity;
  }
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
  offsets(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }
}

class FakeFeed implements TailFeed {
  readonly ring = new MessageRing(1000, 1 << 20);
  anchored = true;
  private readonly listeners = new Set<() => void>();
  join(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  get joined(): number {
    return this.listeners.size;
  }
  push(...offsets: number[]): void {
    for (const offset of offsets) {
      expect(offset).toBe(this.ring.end);
      this.ring.push(Buffer.from(messageEvent(offset, Buffer.from(`m${offset}`))));
    }
    for (const listener of this.listeners) listener();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Catch-up reads from a log of `end` messages, `pageSize` at a time. */
function catchUpFrom(end: () => number, pageSize = 3, calls: number[] = []) {
  return async (offset: number): Promise<RangePage> => {
    calls.push(offset);
    const messages = range(offset, Math.min(end(), offset + pageSize)).map((o) =>
      Buffer.from(`m${o}`),
    );
    return { offset, messages, endOffset: end() };
  };
}

describe('StreamConnection', () => {
  const options = { chunkBytes: 1 << 16, retryMs: [5, 20] as const };

  describe('delivery', () => {
    it('reads by range up to the ring, then from the ring, each offset once and in order', async () => {
      const sink = new FakeSink();
      const feed = new FakeFeed();
      feed.ring.reset(10);
      feed.push(10, 11, 12);
      const calls: number[] = [];
      const connection = new StreamConnection(
        sink,
        2,
        feed,
        catchUpFrom(() => 13, 3, calls),
        options,
      );
      connection.start();
      await tick();
      expect(sink.offsets()).toEqual(range(2, 13));
      expect(calls).toEqual([2, 5, 8]);
      feed.push(13, 14);
      await tick();
      expect(sink.offsets()).toEqual(range(2, 15));
      expect(sink.text).toContain(
        'id: 14\nevent: message\ndata: {"offset":14,"message":"m14"}\n\n',
      );
      connection.close();
      expect(feed.joined).toBe(0);
    });

    it('ends the stream when retention deleted where the client is (its reconnect gets 410)', async () => {
      const sink = new FakeSink();
      const feed = new FakeFeed();
      feed.ring.reset(50);
      const onClose = jest.fn();
      const connection = new StreamConnection(
        sink,
        2,
        feed,
        () => Promise.reject(offsetTrimmed(2, 40)),
        { ...options, onClose },
      );
      connection.start();
      await tick();
      expect(connection.isClosed).toBe(true);
      expect(onClose).toHaveBeenCalledTimes(1);
      expect(sink.offsets()).toEqual([]);
      expect(feed.joined).toBe(0);
    });

    it('waits at a future offset until the feed reaches it', async () => {
      const sink = new FakeSink();
      const feed = new FakeFeed();
      const connection = new StreamConnection(
        sink,
        3,
        feed,
        catchUpFrom(() => 0),
        options,
      );
      connection.start();
      feed.push(0, 1, 2);
      await tick();
      expect(sink.offsets()).toEqual([]);
      feed.push(3);
      await tick();
      expect(sink.offsets()).toEqual([3]);
      connection.close();
    });

    it('retries a failed catch-up read and goes on where it stopped', async () => {
      const sink = new FakeSink();
      const feed = new FakeFeed();
      feed.ring.reset(6);
      let failures = 2;
      const good = catchUpFrom(() => 6, 4);
      const connection = new StreamConnection(
        sink,
        0,
        feed,
        async (offset) => {
          if (failures-- > 0) throw new Error('no replica');
          return good(offset);
        },
        options,
      );
      connection.start();
      await new Promise((r) => setTimeout(r, 80));
      feed.push(6);
      await tick();
      expect(sink.offsets()).toEqual(range(0, 7));
      connection.close();
    });
  });

  describe('backpressure', () => {
    it('writes nothing more while the socket is full, and resumes on drain without a gap', async () => {
      const sink = new FakeSink();
      sink.capacity = 1;
      const feed = new FakeFeed();
      const connection = new StreamConnection(
        sink,
        0,
        feed,
        catchUpFrom(() => 0),
        {
          ...options,
          chunkBytes: 1,
        },
      );
      connection.start();
      feed.push(0, 1, 2, 3);
      await tick();
      expect(sink.offsets()).toEqual([0]);
      feed.push(4);
      await tick();
      expect(sink.offsets()).toEqual([0]);
      for (let i = 0; i < 4; i++) {
        sink.drain();
        await tick();
      }
      expect(sink.offsets()).toEqual([0, 1, 2, 3, 4]);
      connection.close();
    });
  });

  describe('keepAlive', () => {
    it('writes a comment only after the idle time and only when drained', () => {
      let now = 0;
      const sink = new FakeSink();
      const connection = new StreamConnection(
        sink,
        0,
        new FakeFeed(),
        catchUpFrom(() => 0),
        {
          ...options,
          now: () => now,
        },
      );
      connection.keepAlive(': ka\n\n', 10_000);
      expect(sink.text).toBe('');
      now = 10_000;
      sink.capacity = 0; // full
      connection.keepAlive(': ka\n\n', 10_000);
      expect(sink.text).toBe('');
      sink.capacity = Infinity;
      connection.keepAlive(': ka\n\n', 10_000);
      expect(sink.text).toBe(': ka\n\n');
    });
  });
});
