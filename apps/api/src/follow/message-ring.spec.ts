import { MessageRing } from './message-ring';

const event = (text: string) => Buffer.from(text);
const texts = (events: Buffer[]) => events.map(String);

describe('MessageRing', () => {
  describe('push', () => {
    it('holds offsets start..end-1 in order, from where it was reset', () => {
      const ring = new MessageRing(10, 1000);
      ring.reset(40);
      for (const text of ['a', 'b', 'c']) ring.push(event(text));
      expect([ring.start, ring.end, ring.size, ring.bytes]).toEqual([40, 43, 3, 3]);
      expect(texts(ring.read(40, 1000))).toEqual(['a', 'b', 'c']);
      expect(texts(ring.read(42, 1000))).toEqual(['c']);
    });

    it('drops the oldest past the message bound, wrapping around', () => {
      const ring = new MessageRing(3, 1000);
      for (let i = 0; i < 8; i++) ring.push(event(`m${i}`));
      expect([ring.start, ring.end]).toEqual([5, 8]);
      expect(texts(ring.read(5, 1000))).toEqual(['m5', 'm6', 'm7']);
    });

    it('drops the oldest past the byte bound, but always keeps the newest', () => {
      const ring = new MessageRing(100, 10);
      ring.push(event('aaaa'));
      ring.push(event('bbbb'));
      ring.push(event('cccc'));
      expect([ring.start, ring.bytes]).toEqual([1, 8]);
      ring.push(event('x'.repeat(50)));
      expect([ring.start, ring.end, ring.bytes]).toEqual([3, 4, 50]);
    });
  });

  describe('read', () => {
    it('returns nothing outside the ring', () => {
      const ring = new MessageRing(3, 1000);
      ring.reset(10);
      ring.push(event('a'));
      expect(ring.read(9, 100)).toEqual([]);
      expect(ring.read(11, 100)).toEqual([]);
    });

    it('stops before passing maxBytes, but returns at least one event', () => {
      const ring = new MessageRing(10, 1000);
      for (const text of ['aaa', 'bbb', 'ccc']) ring.push(event(text));
      expect(texts(ring.read(0, 7))).toEqual(['aaa', 'bbb']);
      expect(texts(ring.read(0, 1))).toEqual(['aaa']);
    });
  });

  describe('readJoined', () => {
    it('joins what read gives into one Buffer, and gives the same Buffer again until the ring changes', () => {
      const ring = new MessageRing(10, 1000);
      ring.reset(5);
      for (const text of ['aaa', 'bbb', 'ccc']) ring.push(event(text));
      const joined = ring.readJoined(6, 1000)!;
      expect([String(joined.bytes), joined.count]).toEqual(['bbbccc', 2]);
      expect(ring.readJoined(6, 1000)).toBe(joined);
      expect(String(ring.readJoined(5, 6)!.bytes)).toBe('aaabbb');
      ring.push(event('ddd'));
      const after = ring.readJoined(6, 1000)!;
      expect([String(after.bytes), after.count]).toEqual(['bbbcccddd', 3]);
      ring.reset(6);
      expect(ring.readJoined(6, 1000)).toBeNull();
      ring.push(event('new'));
      expect(String(ring.readJoined(6, 1000)!.bytes)).toBe('new');
    });

    it('is null outside the ring', () => {
      const ring = new MessageRing(3, 1000);
      ring.reset(10);
      ring.push(event('a'));
      expect(ring.readJoined(9, 100)).toBeNull();
      expect(ring.readJoined(11, 100)).toBeNull();
    });
  });
});
