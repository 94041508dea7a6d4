import { RetryBackoff } from './retry-backoff';

describe('RetryBackoff', () => {
  describe('next', () => {
    it('doubles from the first wait up to the cap, then stays there', () => {
      const backoff = new RetryBackoff(50, 1000);
      const waits = Array.from({ length: 8 }, () => backoff.next());
      expect(waits).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
    });

    it('keeps a cap that is not a power-of-two multiple of the first wait', () => {
      const backoff = new RetryBackoff(20, 250);
      expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([20, 40, 80, 160, 250, 250]);
    });
  });

  describe('reset', () => {
    it('starts the sequence again', () => {
      const backoff = new RetryBackoff(100, 2000);
      backoff.next();
      backoff.next();
      backoff.reset();
      expect(backoff.next()).toBe(100);
      expect(backoff.next()).toBe(200);
    });
  });

  it('refuses a first wait that is not positive or a cap below it', () => {
    expect(() => new RetryBackoff(0, 100)).toThrow(RangeError);
    expect(() => new RetryBackoff(200, 100)).toThrow(RangeError);
  });
});
