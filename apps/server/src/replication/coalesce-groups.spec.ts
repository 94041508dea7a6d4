import { COALESCE_MAX_BYTES, COALESCE_MAX_MESSAGES, coalesceGroups } from './coalesce-groups';

const call = (count: number, bytes = count, tag = 'a') => ({
  messages: Array.from({ length: count }, () => Buffer.alloc(0)),
  bytes,
  tag,
});

describe('coalesceGroups', () => {
  it('keeps a turn in one group, in order, while it fits', () => {
    const calls = [call(1), call(3), call(2)];
    expect(coalesceGroups(calls)).toEqual([calls]);
  });

  it('starts a new group before a call that would pass the message or byte limit', () => {
    const calls = [call(COALESCE_MAX_MESSAGES - 1), call(2), call(1, COALESCE_MAX_BYTES)];
    expect(coalesceGroups(calls)).toEqual([[calls[0]], [calls[1]], [calls[2]]]);
  });

  it('gives a call larger than the limits a group of its own, never split', () => {
    const calls = [call(1), call(COALESCE_MAX_MESSAGES + 5), call(1)];
    expect(coalesceGroups(calls)).toEqual([[calls[0]], [calls[1]], [calls[2]]]);
  });

  it('starts a new group where a call may not join', () => {
    const calls = [call(1, 1, 'a'), call(1, 1, 'a'), call(1, 1, 'b'), call(1, 1, 'a')];
    const groups = coalesceGroups(calls, (next, group) => next.tag === group[0].tag);
    expect(groups).toEqual([[calls[0], calls[1]], [calls[2]], [calls[3]]]);
  });

  it('gives nothing for no call', () => {
    expect(coalesceGroups([])).toEqual([]);
  });
});
