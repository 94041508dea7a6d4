import * as fs from 'node:fs';
import * as path from 'node:path';
import { EPOCH_FILE, EpochFile } from './epoch-file';
import { tempDirs } from './test-support/temp-dir';

describe('EpochFile', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  function withEntries(entries: [number, number][]): EpochFile {
    const { file } = EpochFile.load(dirs.make());
    for (const [epoch, start] of entries) file.assign(epoch, start);
    return file;
  }

  describe('endOffsetForEpoch (KIP-101), log end 100, epochs 1@0 3@40 6@70', () => {
    it.each([
      ['an epoch before the first is unknown', 0, { epoch: -1, endOffset: -1 }],
      ['the first epoch ends where the next starts', 1, { epoch: 1, endOffset: 40 }],
      ['a missing epoch answers for the largest known below it', 2, { epoch: 1, endOffset: 40 }],
      ['a middle epoch', 3, { epoch: 3, endOffset: 70 }],
      ['the latest epoch ends at the log end', 6, { epoch: 6, endOffset: 100 }],
      ['a future epoch answers with the latest', 9, { epoch: 6, endOffset: 100 }],
    ])('%s', (_name, epoch, expected) => {
      const file = withEntries([
        [1, 0],
        [3, 40],
        [6, 70],
      ]);
      expect(file.endOffsetForEpoch(epoch, 100)).toEqual(expected);
    });

    it('an empty log knows no epoch', () => {
      expect(withEntries([]).endOffsetForEpoch(5, 0)).toEqual({ epoch: -1, endOffset: -1 });
    });
  });

  it('persists atomically and loads back', async () => {
    const file = withEntries([
      [0, 0],
      [2, 10],
    ]);
    await file.persist();
    expect(fs.existsSync(path.join(file.dir, EPOCH_FILE + '.tmp'))).toBe(false);
    expect(fs.readFileSync(path.join(file.dir, EPOCH_FILE), 'utf8')).toBe('0\n2\n0 0\n2 10\n');
    expect(EpochFile.load(file.dir).file.all).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
    ]);
  });

  it('ignores epochs that are not newer', () => {
    const file = withEntries([[3, 0]]);
    expect(file.assign(2, 5)).toBe(false);
    expect(file.assign(3, 5)).toBe(false);
    expect(file.latestEpoch).toBe(3);
  });

  it('truncateFromOffset forgets epochs starting at or after the cut', () => {
    const file = withEntries([
      [1, 0],
      [2, 10],
      [3, 20],
    ]);
    expect(file.truncateFromOffset(10)).toBe(true);
    expect(file.all).toEqual([{ epoch: 1, startOffset: 0 }]);
    expect(file.truncateFromOffset(10)).toBe(false);
  });

  it.each([
    ['a wrong version', '1\n1\n0 0\n'],
    ['a count that does not match', '0\n2\n0 0\n'],
    ['garbage', '0\n1\nzero 0\n'],
    ['epochs going backwards', '0\n2\n5 0\n4 9\n'],
  ])('a damaged file (%s) loads empty and says so', (_name, text) => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, EPOCH_FILE), text);
    const loaded = EpochFile.load(dir);
    expect(loaded.file.all).toEqual([]);
    expect(loaded.damaged).toMatch(/unreadable/);
  });
});
