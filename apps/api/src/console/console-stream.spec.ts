import { ConsoleStream, sseEvent, type FrameSink } from './console-stream';

class ArraySink implements FrameSink {
  readonly written: string[] = [];
  writableNeedDrain = false;
  ended = false;
  write(chunk: string): boolean {
    this.written.push(chunk);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

const frames = { snapshot: () => 'S', update: () => 'U' };

describe('sseEvent', () => {
  it('writes one event with its JSON on a single data line', () => {
    expect(sseEvent('update', { text: 'two\nlines' })).toBe(
      'event: update\ndata: {"text":"two\\nlines"}\n\n',
    );
  });
});

describe('ConsoleStream', () => {
  describe('push', () => {
    it('sends a snapshot first, then updates', () => {
      const sink = new ArraySink();
      const stream = new ConsoleStream(sink);
      stream.push(frames);
      stream.push(frames);
      expect(sink.written).toEqual(['S', 'U']);
    });

    it('skips a slow client instead of queueing, and resyncs it with a snapshot', () => {
      const sink = new ArraySink();
      const stream = new ConsoleStream(sink);
      stream.push(frames);
      sink.writableNeedDrain = true;
      expect(stream.push(frames)).toBe('skipped');
      expect(stream.push(frames)).toBe('skipped');
      sink.writableNeedDrain = false;
      expect(stream.push(frames)).toBe('sent');
      expect(sink.written).toEqual(['S', 'S']);
      expect(stream.skipped).toBe(2);
    });

    it('sends nothing once closed', () => {
      const sink = new ArraySink();
      const stream = new ConsoleStream(sink);
      stream.close();
      expect(stream.push(frames)).toBe('closed');
      expect(sink.written).toEqual([]);
      expect(sink.ended).toBe(true);
    });
  });
});
