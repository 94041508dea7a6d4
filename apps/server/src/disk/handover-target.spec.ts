import type { MemberInfo } from '@distilled/cluster';
import { handoverTarget } from './handover-target';

const members = (...list: MemberInfo[]) => new Map(list.map((m) => [m.id, m]));
const member = (id: string, diskFull?: boolean): MemberInfo =>
  diskFull ? { id, address: `${id}:1`, diskFull } : { id, address: `${id}:1` };

describe('handoverTarget', () => {
  it.each<[string, string[], Map<string, MemberInfo>, string | null]>([
    ['another in-sync replica with room', ['a', 'b'], members(member('a'), member('b')), 'b'],
    [
      'skips a full one for one with room',
      ['a', 'b', 'c'],
      members(member('a', true), member('b', true), member('c')),
      'c',
    ],
    [
      'nobody when every other one is full',
      ['a', 'b'],
      members(member('a'), member('b', true)),
      null,
    ],
    ['nobody when the ISR is the leader alone', ['a'], members(member('a'), member('b')), null],
    ['not a member whose lease is gone', ['a', 'b'], members(member('a')), null],
    ['not a replica with room outside the ISR', ['a'], members(member('a'), member('c')), null],
  ])('%s', (_case, isr, list, expected) => {
    expect(handoverTarget('a', isr, list)).toBe(expected);
  });
});
