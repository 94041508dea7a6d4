/** Cutting the log back across segments, at damaged framing, and the producer-state rebuild. */
import * as path from 'node:path';
import { decodeBatches } from './record-batch';
import { expectAll, expectCode, files, fill, open } from './test-support/log-fixtures';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('truncateLog (through Log.truncateTo)', () => {
  describe('truncateTo', () => {
    it.each([
      ['inside the active segment', 195],
      ['inside an earlier segment, deleting later segments', 40],
      ['at a segment boundary', -1],
      ['to zero', 0],
    ])('%s, then appending again', async (_name, at) => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = await fill(log, 200);
      const segmentsBefore = log.segmentCount;
      const near = at >= 0 ? at : Number(path.basename(files(dir, '.log')[2], '.log'));
      // Cut at a batch start so the log ends exactly at `cut`.
      const cut = near === 0 ? 0 : decodeBatches(await log.readFrom(near, 1))[0].header.baseOffset;
      await log.truncateTo(cut);
      expect(log.logEndOffset).toBe(cut);
      await expectCode(log.read(cut), 'OFFSET_OUT_OF_RANGE');
      if (at !== 195) expect(log.segmentCount).toBeLessThan(segmentsBefore);
      const again = await fill(log, 0);
      expect(again).toEqual([]);
      expect((await log.append([Buffer.from('new')], 2)).baseOffset).toBe(cut);
      await log.close();
      log = await open(dir);
      await expectAll(log, [...expected.slice(0, cut), 'new']);
      expect(files(dir, '.log').length).toBe(log.segmentCount);
      expect(files(dir, '.index').length).toBe(log.segmentCount);
      await log.close();
    });

    it('runs after appends queued before it: they are written, then cut', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 10);
      const queued = Array.from({ length: 20 }, (_, i) => log.append([msg(i)], 1));
      await log.truncateTo(6);
      const results = await Promise.all(queued);
      expect(results.map((r) => r.baseOffset)).toEqual(
        Array.from({ length: 20 }, (_, i) => 10 + i),
      );
      expect(log.logEndOffset).toBe(6);
      expect((await log.append([msg('next')], 1)).baseOffset).toBe(6);
      await log.close();
      log = await open(dir);
      expect(log.logEndOffset).toBe(7);
      await log.close();
    });

    it('an offset inside a batch cuts the whole batch (the log ends at its start)', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 1);
      await log.append([msg(1), msg(2), msg(3)], 1);
      await log.truncateTo(2);
      expect(log.logEndOffset).toBe(1);
      await log.close();
    });

    it('past the log end changes nothing', async () => {
      const log = await open(dirs.make());
      await fill(log, 10);
      await log.truncateTo(10);
      await log.truncateTo(500);
      expect(log.logEndOffset).toBe(10);
      await log.close();
    });

    it('cuts the epoch file with the log', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 30, 1);
      await log.append([msg('e3')], 3); // offset 30
      await log.append([msg('e5')], 5); // offset 31
      expect(log.latestEpoch).toBe(5);
      await log.truncateTo(31);
      expect(log.latestEpoch).toBe(3);
      expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 3, endOffset: 31 });
      await log.truncateTo(30);
      expect(log.latestEpoch).toBe(1);
      await log.close();
      log = await open(dir);
      expect(log.latestEpoch).toBe(1);
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 1, endOffset: 30 });
      // A lower epoch than one that was cut is fine again.
      expect((await log.append([msg('e2')], 2)).baseOffset).toBe(30);
      await log.close();
    });

    it('forgets producer batches that were cut', async () => {
      const log = await open(dirs.make());
      await log.append([msg(0)], 1, { producerId: 9, sequence: 0 });
      await log.append([msg(1)], 1, { producerId: 9, sequence: 1 });
      await log.truncateTo(1);
      const r = await log.append([msg('1b')], 1, { producerId: 9, sequence: 1 });
      expect(r).toEqual({ baseOffset: 1, count: 1, duplicate: false });
      await log.close();
    });
  });
});
