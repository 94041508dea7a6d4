/** A follower's log start follows the leader's: deletes below it, never past it, re-bases when behind. */
import { FakeLogStore } from '../testing/fake-log-store';
import { FollowerLogStart } from './follower-log-start';

const quiet = { log: jest.fn(), warn: jest.fn() };

async function logOf(n: number): Promise<FakeLogStore> {
  const log = new FakeLogStore();
  for (let i = 0; i < n; i++) await log.append([Buffer.from(`m${i}`)], 1);
  return log;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FollowerLogStart', () => {
  it.each([
    ['below our start: nothing moves', 5, 0, 0],
    ['inside our log: the start moves to it', 10, 6, 6],
    ['past our end: capped at our end (never past the leader, never past us)', 10, 25, 10],
  ])('%s', async (_name, entries, leaderStart, expected) => {
    const log = await logOf(entries);
    const start = new FollowerLogStart(log, quiet);
    start.follow(leaderStart);
    await settle();
    expect(log.logStartOffset).toBe(expected);
  });

  it('rebase: a log that ends below the leader start restarts empty there', async () => {
    const log = await logOf(3);
    const start = new FollowerLogStart(log, quiet);
    await start.rebase(40, 'leader-1');
    expect(log.logStartOffset).toBe(40);
    expect(log.logEndOffset).toBe(40);
    expect(quiet.log).toHaveBeenCalledWith(expect.stringContaining('below the log start 40'));
  });

  it('a failed deletion is reported and the next response tries again', async () => {
    const log = await logOf(10);
    const fail = jest.spyOn(log, 'advanceStartTo').mockRejectedValueOnce(new Error('disk full'));
    const warn = jest.fn();
    const start = new FollowerLogStart(log, { log: jest.fn(), warn });
    start.follow(4);
    await settle();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('disk full'));
    fail.mockRestore();
    start.follow(4);
    await settle();
    expect(log.logStartOffset).toBe(4);
  });
});
