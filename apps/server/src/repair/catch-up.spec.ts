import { CatchUp } from './catch-up';

const report = (epoch: number, highWatermark: number, logEndOffset: number) => ({
  epoch,
  highWatermark,
  logEndOffset,
});

describe('CatchUp', () => {
  describe('hear', () => {
    it.each([
      // A young leader's HW can lag what its predecessor committed; its log cannot.
      ['the leader: its log end, though its HW is lower', [report(3, 12, 20)], 20],
      ['a leader whose HW lags what this replica knew', [report(3, 5, 6)], 8],
      ['never below the HW this replica knew', [report(3, 5, 7)], 8],
      ['only the first answer of an epoch counts', [report(3, 12, 20), report(3, 30, 40)], 20],
      ['a later leader replaces an earlier one', [report(3, 12, 20), report(4, 10, 11)], 11],
    ])('%s', (_name, reports, needed) => {
      const catchUp = new CatchUp(6, 8);
      for (const one of reports) catchUp.hear(one);
      expect(catchUp.needed).toBe(needed);
    });
  });

  describe('reachedBy', () => {
    it('is never reached before the leader has answered', () => {
      const catchUp = new CatchUp(6, 8);
      expect(catchUp.reachedBy(1_000)).toBe(false);
      catchUp.hear(report(3, 12, 20));
      expect(catchUp.reachedBy(19)).toBe(false);
      expect(catchUp.reachedBy(20)).toBe(true);
    });
  });

  describe('after', () => {
    it('a further cut: from the lower offset, the higher HW, and the leader must answer again', () => {
      const first = new CatchUp(6, 8);
      first.hear(report(3, 12, 20));
      const second = CatchUp.after(first, 4, 7);
      expect(second).toMatchObject({ from: 4, known: 8, needed: undefined });
    });
  });
});
