import { CommitWaiters } from './commit-waiters';

describe('CommitWaiters', () => {
  it('release settles every waiter at or below the HW, in any arrival order', async () => {
    const waiters = new CommitWaiters();
    const settled: number[] = [];
    const timeout = () => new Error('timeout');
    void waiters.wait(5, 10_000, timeout).then(() => settled.push(5));
    void waiters.wait(3, 10_000, timeout).then(() => settled.push(3));
    const last = waiters.wait(9, 10_000, timeout).then(() => settled.push(9));
    waiters.release(5);
    await Promise.resolve();
    await Promise.resolve();
    expect(settled.sort()).toEqual([3, 5]);
    expect(waiters.size).toBe(1);
    waiters.failAll(new Error('gone'));
    await expect(last).rejects.toThrow('gone');
  });

  it('times out with the given error', async () => {
    const waiters = new CommitWaiters();
    await expect(waiters.wait(1, 10, () => new Error('too slow'))).rejects.toThrow('too slow');
    expect(waiters.size).toBe(0);
  });

  it('failAll rejects everyone', async () => {
    const waiters = new CommitWaiters();
    const pending = waiters.wait(1, 10_000, () => new Error('timeout'));
    waiters.failAll(new Error('leadership lost'));
    await expect(pending).rejects.toThrow('leadership lost');
  });
});
