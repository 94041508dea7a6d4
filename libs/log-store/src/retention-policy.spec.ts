/** The retention decision as a scenario table: which whole segments may go, and the new start. */
import { isRetentionOn, retentionStart, type SegmentFacts } from './retention-policy';

const NOW = 1_000_000;
/** Segments of 100 bytes each at bases 0, 10, 20, ...; the last is active. `ages` in ms. */
function segments(ages: number[], bytes = 100): SegmentFacts[] {
  return ages.map((age, i) => ({ baseOffset: i * 10, bytes, lastWriteMs: NOW - age }));
}

describe('retentionStart', () => {
  it.each([
    ['no limits: keeps everything', segments([9, 8, 7, 0]), {}, 0, 0],
    [
      'under the byte limit: keeps everything',
      segments([9, 8, 7, 0]),
      { retentionBytes: 400 },
      0,
      0,
    ],
    ['one segment over: the oldest goes', segments([9, 8, 7, 0]), { retentionBytes: 399 }, 0, 10],
    [
      'far over: every closed one goes, never the active',
      segments([9, 8, 7, 0]),
      { retentionBytes: 1 },
      0,
      30,
    ],
    ['only the active segment: nothing to delete', segments([0]), { retentionBytes: 1 }, 0, 0],
    [
      'the active one counts towards the bytes',
      segments([9, 8, 0]),
      { retentionBytes: 250 },
      0,
      10,
    ],
    [
      'age: closed segments older than the limit go',
      segments([500, 300, 50, 0]),
      { retentionMs: 100 },
      0,
      20,
    ],
    ['age: an old active segment stays', segments([500, 500]), { retentionMs: 100 }, 0, 10],
    [
      'age: a young segment after an old one keeps both rules apart',
      segments([50, 500, 0]),
      { retentionMs: 100 },
      0,
      20,
    ],
    [
      'both limits: the further one wins',
      segments([500, 9, 8, 0]),
      { retentionMs: 100, retentionBytes: 250 },
      0,
      20,
    ],
    ['never moves the start back', segments([9, 8, 7, 0]), { retentionBytes: 399 }, 15, 15],
  ])('%s', (_name, facts, policy, current, expected) => {
    expect(retentionStart(facts, policy, NOW, current)).toBe(expected);
  });

  it('isRetentionOn: off only when both limits are unset', () => {
    expect(isRetentionOn({})).toBe(false);
    expect(isRetentionOn({ retentionBytes: 1 })).toBe(true);
    expect(isRetentionOn({ retentionMs: 1 })).toBe(true);
  });
});
