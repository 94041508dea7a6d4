/** The leader's retention check: the policy's start, capped at the HW, only while leading. */
import type { ServerConfig } from '../config';
import { FakeLogStore } from '../testing/fake-log-store';
import { leaderLogStart, LeaderLogStart } from './leader-log-start.service';
import type { LeaderService } from './leader.service';
import { ReplicaState } from './replica-state';

/** FakeLogStore's segments are one per message (bytes = message length). */
async function logOf(n: number): Promise<FakeLogStore> {
  const log = new FakeLogStore();
  for (let i = 0; i < n; i++) await log.append([Buffer.from('0123456789')], 1);
  return log;
}

describe('leaderLogStart', () => {
  it.each([
    ['retention off: stays', {}, 100, 0],
    ['byte limit: the oldest segments go', { retentionBytes: 30 }, 100, 7],
    ['capped at the high watermark', { retentionBytes: 30 }, 4, 4],
    ['HW below the current start: never moves back', { retentionBytes: 30 }, 0, 0],
  ])('%s', async (_name, retention, highWatermark, expected) => {
    const log = await logOf(10);
    expect(leaderLogStart(log, { retention }, highWatermark, Date.now())).toBe(expected);
  });
});

describe('LeaderLogStart.check', () => {
  async function setup(leading: boolean) {
    const log = await logOf(10);
    const state = new ReplicaState();
    state.highWatermark.advanceTo(10);
    const leader = { currentTerm: leading ? {} : undefined } as unknown as LeaderService;
    const config = { retention: { retentionBytes: 30 } } as ServerConfig;
    return { log, service: new LeaderLogStart(log, config, state, leader) };
  }

  it('moves the start while leading', async () => {
    const { log, service } = await setup(true);
    expect(await service.check()).toBe(7);
    expect(log.logStartOffset).toBe(7);
  });

  it('does nothing as a follower: followers take the leader start from fetch responses', async () => {
    const { log, service } = await setup(false);
    expect(await service.check()).toBe(0);
    expect(log.logStartOffset).toBe(0);
  });
});
