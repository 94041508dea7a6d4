import type { DeadLeaderLeases } from '@distilled/cluster';
import { DeadLeaderWatch } from './dead-leader-watch';
import type { ProbeOutcome } from './refusal-probe';

describe('DeadLeaderWatch', () => {
  const leader = { leaderId: 'a', address: 'h:1', epoch: 4 };

  function setup(outcome: () => ProbeOutcome, revoke?: DeadLeaderLeases['revoke']) {
    let t = 0;
    const revoked: Array<[string, number, string]> = [];
    const warnings: string[] = [];
    const watch = new DeadLeaderWatch({
      leases: {
        revoke:
          revoke ??
          (async (id, epoch, evidence) => {
            revoked.push([id, epoch, evidence]);
            return ['1'];
          }),
      },
      probe: async () => outcome(),
      rule: { refusals: 3, windowMs: 150 },
      logger: {
        log: () => undefined,
        warn: (m: string) => warnings.push(m),
        error: () => undefined,
      },
      now: () => t,
      wait: async (ms) => void (t += ms),
    });
    return { watch, revoked, warnings };
  }

  it('revokes the leases of a leader whose port refuses, once per leader and epoch', async () => {
    const { watch, revoked } = setup(() => 'refused');
    await watch.suspect(leader, () => true);
    await watch.suspect(leader, () => true);
    expect(revoked).toEqual([['a', 4, '3 connections to h:1 refused over 150 ms']]);
    // The next epoch's leader (here the same replica elected again) is a new suspect.
    await watch.suspect({ ...leader, epoch: 5 }, () => true);
    expect(revoked.map(([, epoch]) => epoch)).toEqual([4, 5]);
  });

  it('never revokes on a timeout or an accepted connect, and checks again at the next failure', async () => {
    let next: ProbeOutcome = 'inconclusive';
    const { watch, revoked } = setup(() => next);
    await watch.suspect(leader, () => true);
    next = 'accepted';
    await watch.suspect(leader, () => true);
    expect(revoked).toEqual([]);
    next = 'refused';
    await watch.suspect(leader, () => true);
    expect(revoked).toHaveLength(1);
  });

  it('runs one check per leader at a time, and none for a leader no longer followed', async () => {
    const { watch, revoked } = setup(() => 'refused');
    await Promise.all([watch.suspect(leader, () => true), watch.suspect(leader, () => true)]);
    expect(revoked).toHaveLength(1);
    await watch.suspect({ ...leader, epoch: 9 }, () => false);
    expect(revoked).toHaveLength(1);
  });

  it('says so when etcd does not take the revoke (the TTL ends the leadership instead)', async () => {
    const { watch, warnings } = setup(
      () => 'refused',
      async () => {
        throw new Error('etcd unavailable');
      },
    );
    await watch.suspect(leader, () => true);
    expect(warnings).toEqual([
      expect.stringContaining('could not revoke the etcd leases of leader a'),
    ]);
  });
});
