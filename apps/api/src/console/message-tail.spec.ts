import { MessageTail } from './message-tail';

function logOf(size: number): Buffer[] {
  return Array.from({ length: size }, (_, i) => Buffer.from(`m${i}`));
}

describe('MessageTail', () => {
  describe('follow', () => {
    it('reads only the newest committed offsets it does not hold yet', async () => {
      const log = logOf(100);
      const reads: number[] = [];
      const tail = new MessageTail(async (offset) => {
        reads.push(offset);
        return { offset, message: log[offset] };
      }, 3);
      await tail.follow(100);
      expect(reads).toEqual([97, 98, 99]);
      await tail.follow(100);
      await tail.follow(99);
      expect(reads).toEqual([97, 98, 99]);
      log.push(Buffer.from('m100'));
      await tail.follow(101);
      expect(reads).toEqual([97, 98, 99, 100]);
      expect(tail.list().map((m) => [m.offset, m.preview])).toEqual([
        [100, 'm100'],
        [99, 'm99'],
        [98, 'm98'],
      ]);
    });

    it('never reads below the log start', async () => {
      const reads: number[] = [];
      const tail = new MessageTail(async (offset) => {
        reads.push(offset);
        return { offset, message: Buffer.from('x') };
      }, 10);
      await tail.follow(12, 8);
      expect(reads).toEqual([8, 9, 10, 11]);
    });

    it('cuts long messages and gives their size in bytes', async () => {
      const long = Buffer.from('é'.repeat(300));
      const tail = new MessageTail(async (offset) => ({ offset, message: long }), 1);
      await tail.follow(1);
      const [message] = tail.list();
      expect(message).toMatchObject({ offset: 0, bytes: 600, truncated: true });
      expect(message.preview).toBe('é'.repeat(200));
    });

    it('keeps what it had and says why when a read fails, then recovers', async () => {
      let fail = false;
      const tail = new MessageTail(async (offset) => {
        if (fail) throw new Error('no replica answered');
        return { offset, message: Buffer.from(`m${offset}`) };
      }, 2);
      await tail.follow(2);
      fail = true;
      await tail.follow(4);
      expect(tail.error()).toBe('The newest messages could not be read: no replica answered');
      expect(tail.list().map((m) => m.offset)).toEqual([1, 0]);
      fail = false;
      await tail.follow(4);
      expect(tail.error()).toBeNull();
      expect(tail.list().map((m) => m.offset)).toEqual([3, 2]);
    });

    it('skips a follow while one is still reading', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const reads: number[] = [];
      const tail = new MessageTail(async (offset) => {
        reads.push(offset);
        await gate;
        return { offset, message: Buffer.from('x') };
      }, 5);
      const first = tail.follow(1);
      await tail.follow(2);
      release();
      await first;
      expect(reads).toEqual([0]);
    });
  });
});
