import { divergencePoint } from './divergence';

describe('divergencePoint', () => {
  it.each([
    [
      'same epoch, leader has less: cut our extra tail',
      { epoch: 3, end_offset: 90 },
      { epoch: 3, endOffset: 100 },
      100,
      90,
    ],
    [
      'leader has more of the epoch: nothing to cut',
      { epoch: 3, end_offset: 120 },
      { epoch: 3, endOffset: 100 },
      100,
      100,
    ],
    [
      'our later epoch is unknown to the leader: cut from where our epoch 3 ends',
      { epoch: 3, end_offset: 150 },
      { epoch: 3, endOffset: 80 },
      100,
      80,
    ],
    [
      'leader knows no epoch of ours: cut everything',
      { epoch: 0, end_offset: 0 },
      { epoch: -1, endOffset: -1 },
      100,
      0,
    ],
  ])('%s', (_name, leader, mine, leo, expected) => {
    expect(divergencePoint(leader, mine, leo)).toBe(expected);
  });
});
