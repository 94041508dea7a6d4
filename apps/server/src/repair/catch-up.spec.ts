import { CatchUp } from './catch-up';

const report = (epoch: number, highWatermark: number, logEndOffset: number) => ({
  epoch,
  highWatermark,
  logEndOffset,
});

describe('CatchUp', () => {
  describe('hear', () => {
    it.each([
      ['the leader of the cut epoch: its HW', [report(3, 12, 20)], 12],
      ['never below the HW this replica knew', [report(3, 5, 20)], 8],
      ['only the first answer of an epoch counts', [report(3, 12, 20), report(3, 30, 40)], 12],
      ['a leader elected since: its log end', [report(4, 9, 15)], 15],
      ['a later leader replaces an earlier one', [report(3, 12, 20), report(4, 10, 11)], 11],
    ])('%s', (_name, reports, needed) => {
      const catchUp = new CatchUp(6, 3, 8);
      for (const one of reports) catchUp.hear(one);
      expect(catchUp.needed).toBe(needed);
    });
  });

  describe('reachedBy', () => {
    it('is never reached before the leader has answered', () => {
      const catchUp = new CatchUp(6, 3, 8);
      expect(catchUp.reachedBy(1_000)).toBe(false);
      catchUp.hear(report(3, 12, 20));
      expect(catchUp.reachedBy(11)).toBe(false);
      expect(catchUp.reachedBy(12)).toBe(true);
    });
  });

  describe('after', () => {
    it('a further cut: from the lower offset, the higher HW, and the leader must answer again', () => {
      const first = new CatchUp(6, 3, 8);
      first.hear(report(3, 12, 20));
      const second = CatchUp.after(first, 4, 3, 7);
      expect(second).toMatchObject({ from: 4, known: 8, needed: undefined });
    });
  });
});
