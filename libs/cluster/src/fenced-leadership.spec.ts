import type { Etcd3 } from 'etcd3';
import type { VersionedClusterState } from './cluster.interface';
import { FencedLeadership } from './fenced-leadership';

// Fenced writes against a real etcd are covered in election.spec.ts; this is the pure check the
// state watch runs on every state it sees.
describe('FencedLeadership.supersededBy', () => {
  const leadership = () =>
    new FencedLeadership(
      {} as Etcd3, // never called: supersededBy does not write
      '/c/state',
      '/c/election/leader/1',
      '5',
      { epoch: 3, leader: 'a', isr: ['a', 'b'] },
      '10',
      () => undefined,
    );
  const seen = (
    modRevision: string,
    epoch: number,
    leader: string | null,
  ): VersionedClusterState => ({
    modRevision,
    state: { epoch, leader, isr: ['a', 'b'] },
  });

  it.each([
    ['our own last write', seen('10', 3, 'a'), undefined],
    ['an older state arriving late', seen('9', 2, 'b'), undefined],
    ['a later write by us (an ISR update)', seen('11', 3, 'a'), undefined],
    ['a later epoch', seen('11', 4, 'b'), /moved on to epoch 4 led by b/],
    ['the same epoch with no leader', seen('11', 3, null), /moved on to epoch 3 led by nobody/],
    ['a deleted state', null, /deleted from etcd/],
  ])('%s', (_case, state, expected) => {
    const reason = leadership().supersededBy(state);
    if (expected) expect(reason).toMatch(expected);
    else expect(reason).toBeUndefined();
  });
});
