import { ConsoleStream, sseEvent } from './console-stream';
import { RecordingSink } from './recording-sink';

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
      const sink = new RecordingSink();
      const stream = new ConsoleStream(sink);
      stream.push(frames);
      stream.push(frames);
      expect(sink.written).toEqual(['S', 'U']);
    });

    it('skips a slow client instead of queueing, and resyncs it with a snapshot', () => {
      const sink = new RecordingSink();
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
      const sink = new RecordingSink();
      const stream = new ConsoleStream(sink);
      stream.close();
      expect(stream.push(frames)).toBe('closed');
      expect(sink.written).toEqual([]);
      expect(sink.ended).toBe(true);
    });
  });
});
