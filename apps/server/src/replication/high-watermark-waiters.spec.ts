import { HighWatermark } from './high-watermark';
import { HighWatermarkWaiters } from './high-watermark-waiters';

describe('HighWatermarkWaiters', () => {
  describe('waitPast', () => {
    it('resolves true at once for an offset already below the high watermark', async () => {
      const hw = new HighWatermark();
      hw.advanceTo(5);
      await expect(new HighWatermarkWaiters(hw).waitPast(4, 1000)).resolves.toBe(true);
    });

    it('releases exactly the waiters an advance passes, lowest first', async () => {
      const hw = new HighWatermark();
      const waiters = new HighWatermarkWaiters(hw);
      const released: number[] = [];
      for (const offset of [7, 3, 9, 3, 5]) {
        void waiters.waitPast(offset, 10_000).then((passed) => passed && released.push(offset));
      }
      hw.advanceTo(6);
      await Promise.resolve();
      expect(released.sort()).toEqual([3, 3, 5]);
      expect(waiters.size).toBe(2);
      hw.advanceTo(10);
      await Promise.resolve();
      expect(released.sort()).toEqual([3, 3, 5, 7, 9]);
      expect(waiters.size).toBe(0);
    });

    it('resolves false when the time runs out first, and forgets the waiter', async () => {
      const hw = new HighWatermark();
      const waiters = new HighWatermarkWaiters(hw);
      await expect(waiters.waitPast(0, 10)).resolves.toBe(false);
      expect(waiters.size).toBe(0);
      hw.advanceTo(1); // the timed-out waiter is dropped, not resolved twice
      expect(waiters.size).toBe(0);
    });

    it('drops timed-out waiters when they pile up at a tail nobody writes to', async () => {
      jest.useFakeTimers();
      try {
        const hw = new HighWatermark();
        const waiters = new HighWatermarkWaiters(hw);
        for (let i = 0; i < 1100; i++) void waiters.waitPast(100, 5);
        jest.advanceTimersByTime(10);
        void waiters.waitPast(100, 10_000);
        expect(waiters.size).toBe(1);
        expect((waiters as unknown as { heap: unknown[] }).heap.length).toBe(1);
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('close', () => {
    it('releases every waiter with false', async () => {
      const hw = new HighWatermark();
      const waiters = new HighWatermarkWaiters(hw);
      const waiting = [waiters.waitPast(1, 10_000), waiters.waitPast(2, 10_000)];
      waiters.close();
      await expect(Promise.all(waiting)).resolves.toEqual([false, false]);
    });
  });
});
