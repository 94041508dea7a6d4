import { mergeDamage, startCause, waitingLine } from './log-damage';

describe('log damage', () => {
  describe('mergeDamage', () => {
    it('a first finding is taken as it is', () => {
      const found = { from: 4, needed: 10, cause: 'a' };
      expect(mergeDamage(null, found)).toBe(found);
    });

    it('two findings: from the lower cut (and its cause) to the higher high watermark', () => {
      expect(
        mergeDamage({ from: 7, needed: 12, cause: 'later' }, { from: 4, needed: 10, cause: 'b' }),
      ).toEqual({ from: 4, needed: 12, cause: 'b', kept: undefined });
    });
  });

  it('keeps the latest reason damage was kept in the log', () => {
    const kept = (a?: string, b?: string) =>
      mergeDamage(
        { from: 4, needed: 9, cause: 'a', kept: a },
        { from: 4, needed: 9, cause: 'a', kept: b },
      ).kept;
    expect(kept('x', undefined)).toBe('x');
    expect(kept('x', 'y')).toBe('y');
  });

  describe('startCause', () => {
    const cut = (endOffset: number, position: number) => ({
      file: `/data/00000000000000000${endOffset}.log`,
      position,
      bytes: 10,
      endOffset,
      reason: 'checksum: bad',
    });

    it('names the lowest cut recovery made', () => {
      expect(startCause(100, [cut(300, 9), cut(100, 7)], 500)).toBe(
        'the segment 00000000000000000100.log was corrupt at byte 7 (checksum: bad) and recovery cut it back; high watermark checkpoint 500',
      );
    });

    it('with no cut, lost files', () => {
      expect(startCause(0, [], 5)).toBe(
        'the log ends at offset 0 although it held more: segment files were lost or replaced; high watermark checkpoint 5',
      );
    });
  });

  it('speaks of offsets as an inclusive range', () => {
    expect(waitingLine('r2', { from: 3, needed: 8, cause: '' })).toContain('offsets 3..7');
  });
});
