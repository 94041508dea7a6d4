import { committedMessagesCut, divergencePoint } from './divergence';

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

describe('committedMessagesCut', () => {
  it.each([
    ['a divergent tail above the HW', 100, 120, 0, 0],
    ['a cut below the HW, no retention', 100, 90, 0, 10],
    // The follower's last epoch lay wholly below the leader's start: the leader answers "no such
    // epoch", the follower cuts to 0 (re-basing at its own start), and its HW of 100 is below
    // the leader's start of 150: nothing the leader serves was cut.
    ['a cut to 0 whose HW lies below the leader start', 100, 0, 150, 0],
    ['a cut to 0 with part of the HW above the leader start', 100, 0, 60, 40],
    ['a cut above the leader start, below the HW', 100, 80, 60, 20],
  ])('%s', (_name, highWatermark, cut, leaderStart, expected) => {
    expect(committedMessagesCut(highWatermark, cut, leaderStart)).toBe(expected);
  });
});
