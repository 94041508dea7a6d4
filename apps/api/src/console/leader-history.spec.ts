import { explainLeaderChange, LeaderHistory } from './leader-history';

const members = (...ids: string[]): { members: Set<string>; roles: null } => ({
  members: new Set(ids),
  roles: null,
});

describe('explainLeaderChange', () => {
  it.each([
    {
      name: 'the first leader this API sees',
      previous: undefined,
      next: { leader: 'r1', epoch: 3 },
      context: members('r1', 'r2'),
      reason: 'first-seen',
      text: 'r1 was leading (epoch 3) when this API started watching.',
    },
    {
      name: 'the previous leader left the membership',
      previous: { leader: 'r1', epoch: 3 },
      next: { leader: 'r2', epoch: 4 },
      context: members('r2', 'r3'),
      reason: 'left-membership',
      text: 'r1 left the membership (stopped, crashed or lost its etcd session); r2 leads in epoch 4.',
    },
    {
      name: 'the previous leader still runs and answers as a follower',
      previous: { leader: 'r1', epoch: 3 },
      next: { leader: 'r2', epoch: 4 },
      context: { members: new Set(['r1', 'r2']), roles: new Map([['r1', 'follower']]) },
      reason: 'handover',
      text: 'r1 is still running and stepped down (it now answers as follower); r2 leads in epoch 4.',
    },
    {
      name: 'the previous leader is registered but did not answer',
      previous: { leader: 'r1', epoch: 3 },
      next: { leader: 'r2', epoch: 4 },
      context: { members: new Set(['r1', 'r2']), roles: new Map([['r1', 'unreachable']]) },
      reason: 'unknown',
      text: 'r1 is still registered but it did not answer when asked, so why it stopped leading is unknown; r2 leads in epoch 4.',
    },
    {
      name: 'the previous leader is registered and nobody was polling',
      previous: { leader: 'r1', epoch: 3 },
      next: { leader: 'r2', epoch: 4 },
      context: members('r1', 'r2'),
      reason: 'unknown',
      text: 'r1 is still registered but this API was not asking replicas for their status then, so why it stopped leading is unknown; r2 leads in epoch 4.',
    },
    {
      name: 'the same replica elected again',
      previous: { leader: 'r1', epoch: 3 },
      next: { leader: 'r1', epoch: 5 },
      context: members('r1'),
      reason: 're-elected',
      text: 'r1 was elected again (epoch 3 → 5).',
    },
    {
      name: 'a leader after none',
      previous: { leader: null, epoch: 3 },
      next: { leader: 'r2', epoch: 4 },
      context: members('r2'),
      reason: 'after-no-leader',
      text: 'r2 was elected after a time without a leader (epoch 4).',
    },
    {
      name: 'the leader gone and none yet',
      previous: { leader: 'r1', epoch: 3 },
      next: { leader: null, epoch: 3 },
      context: members('r2'),
      reason: 'left-membership',
      text: 'r1 left the membership (stopped, crashed or lost its etcd session); no replica leads yet.',
    },
  ])('$name: $reason', ({ previous, next, context, reason, text }) => {
    expect(explainLeaderChange(previous, next, context)).toEqual({ reason, text });
  });
});

describe('LeaderHistory', () => {
  describe('observe', () => {
    it('records changes newest first and ignores a state that did not change', () => {
      const history = new LeaderHistory();
      expect(history.observe(1000, { leader: 'r1', epoch: 1 }, members('r1', 'r2'))).toMatchObject({
        from: null,
        to: 'r1',
        reason: 'first-seen',
      });
      expect(history.observe(2000, { leader: 'r1', epoch: 1 }, members('r1', 'r2'))).toBeNull();
      history.observe(3000, { leader: 'r2', epoch: 2 }, members('r2'));
      expect(history.list().map((c) => [c.at, c.from, c.to, c.epoch, c.reason])).toEqual([
        [3000, 'r1', 'r2', 2, 'left-membership'],
        [1000, null, 'r1', 1, 'first-seen'],
      ]);
    });

    it('records nothing for a cluster without a leader yet, then the election after it', () => {
      const history = new LeaderHistory();
      expect(history.observe(1000, { leader: null, epoch: 0 }, members('r1'))).toBeNull();
      expect(history.observe(2000, { leader: 'r1', epoch: 1 }, members('r1'))?.reason).toBe(
        'after-no-leader',
      );
    });

    it('learns the reason when the old leader leaves the membership soon after the change', () => {
      const history = new LeaderHistory();
      const unreachable = {
        members: new Set(['r1', 'r2']),
        roles: new Map([['r1', 'unreachable']]),
      };
      history.observe(1000, { leader: 'r1', epoch: 1 }, unreachable);
      history.observe(2000, { leader: 'r2', epoch: 2 }, unreachable);
      expect(history.list()[0].reason).toBe('unknown');
      history.observe(4000, { leader: 'r2', epoch: 2 }, members('r2'));
      expect(history.list()[0]).toMatchObject({
        reason: 'left-membership',
        text: 'r1 stopped answering and left the membership 2 s later (stopped, crashed or lost its etcd session); r2 leads in epoch 2.',
      });
    });

    it('does not rewrite a reason after the window', () => {
      const history = new LeaderHistory();
      const registered = members('r1', 'r2');
      history.observe(1000, { leader: 'r1', epoch: 1 }, registered);
      history.observe(2000, { leader: 'r2', epoch: 2 }, registered);
      history.observe(60_000, { leader: 'r2', epoch: 2 }, members('r2'));
      expect(history.list()[0].reason).toBe('unknown');
    });

    it('keeps only the newest 50 changes', () => {
      const history = new LeaderHistory();
      for (let epoch = 1; epoch <= 60; epoch += 1) {
        history.observe(epoch, { leader: 'r1', epoch }, members('r1'));
      }
      const list = history.list();
      expect(list).toHaveLength(50);
      expect(list[0].epoch).toBe(60);
      expect(list[49].epoch).toBe(11);
    });
  });
});
