/**
 * Moving the log start (Log.advanceStartTo) and re-basing (Log.rebaseAt, truncateTo below the
 * start) in temp dirs: which segments go, what reads answer below the start, what survives a
 * reopen and a crash in the middle of a deletion, and the epochs and producer state after.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOG_START_FILE, LogStartFile } from './log-start-file';
import { decodeBatches } from './record-batch';
import { INDEX_SUFFIX, LOG_SUFFIX, segmentFileName } from './segment-name';
import { expectCode, files, fill, open } from './test-support/log-fixtures';
import { msg, tempDirs } from './test-support/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const baseOf = (name: string): number => Number(path.basename(name, '.log'));

describe('log retention', () => {
  describe('advanceStartTo', () => {
    it('deletes the whole segments below the start and serves nothing below it', async () => {
      const dir = dirs.make();
      const log = await open(dir);
      const expected = await fill(log, 300);
      const bases = files(dir, '.log').map(baseOf);
      expect(bases.length).toBeGreaterThan(4);
      const start = bases[3];
      expect(await log.advanceStartTo(start)).toBe(3);
      expect(log.logStartOffset).toBe(start);
      expect(files(dir, '.log').map(baseOf)).toEqual(bases.slice(3));
      expect(files(dir, '.index').length).toBe(bases.length - 3);
      const trimmed = await expectCode(log.read(start - 1), 'OFFSET_TRIMMED');
      expect(trimmed.details).toMatchObject({ offset: start - 1, logStartOffset: start });
      await expectCode(log.readFrom(0, 4096), 'OFFSET_TRIMMED');
      expect((await log.read(start)).message.toString()).toBe(expected[start]);
      expect(decodeBatches(await log.readFrom(start, 1))[0].header.baseOffset).toBe(start);
      expect(log.segmentsDeleted).toBe(3);
      await log.close();
    });

    it('a start inside a segment keeps that segment but serves nothing below the start', async () => {
      const dir = dirs.make();
      const log = await open(dir);
      await fill(log, 300);
      const bases = files(dir, '.log').map(baseOf);
      const inside = bases[2] + 1;
      expect(await log.advanceStartTo(inside)).toBe(2);
      expect(files(dir, '.log').map(baseOf)[0]).toBe(bases[2]);
      await expectCode(log.read(bases[2]), 'OFFSET_TRIMMED');
      expect((await log.read(inside)).offset).toBe(inside);
      await log.close();
    });

    it.each([
      ['back below the start', (start: number) => start - 5],
      ['to the same start', (start: number) => start],
    ])('moving %s changes nothing', async (_name, to) => {
      const dir = dirs.make();
      const log = await open(dir);
      await fill(log, 300);
      const start = files(dir, '.log').map(baseOf)[2];
      await log.advanceStartTo(start);
      expect(await log.advanceStartTo(to(start))).toBe(0);
      expect(log.logStartOffset).toBe(start);
      await log.close();
    });

    it('never passes the log end, and never deletes the active segment', async () => {
      const dir = dirs.make();
      const log = await open(dir);
      await fill(log, 300);
      await log.advanceStartTo(10_000);
      expect(log.logStartOffset).toBe(300);
      expect(files(dir, '.log').length).toBe(1);
      expect((await log.append([msg('after')], 1)).baseOffset).toBe(300);
      expect((await log.read(300)).message.toString()).toBe('message-after');
      await log.close();
    });

    it('keeps the start, the data above it and the epochs across a reopen', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = [...(await fill(log, 100, 1)), ...(await fillFrom(log, 100, 200, 3))];
      const start = files(dir, '.log')
        .map(baseOf)
        .find((b) => b > 120)!;
      await log.advanceStartTo(start);
      await log.close();
      log = await open(dir);
      expect(log.logStartOffset).toBe(start);
      expect(log.logEndOffset).toBe(200);
      for (let i = start; i < 200; i++)
        expect((await log.read(i)).message.toString()).toBe(expected[i]);
      await expectCode(log.read(start - 1), 'OFFSET_TRIMMED');
      // Epoch 1 lies wholly below the start: the start's own epoch (3) starts at the start.
      expect(log.endOffsetForEpoch(1)).toEqual({ epoch: -1, endOffset: -1 });
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 200 });
      await log.close();
    });

    it('producer state survives: a retry of a batch still in the log is a duplicate, also after a reopen', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 200);
      const original = await log.append([msg('p')], 1, { producerId: 7, sequence: 0 });
      await fill(log, 0);
      await log.advanceStartTo(files(dir, '.log').map(baseOf).slice(-1)[0]);
      expect((await log.append([msg('p')], 1, { producerId: 7, sequence: 0 })).duplicate).toBe(
        true,
      );
      await log.close();
      log = await open(dir);
      const again = await log.append([msg('p')], 1, { producerId: 7, sequence: 0 });
      expect(again).toEqual({ ...original, duplicate: true });
      await log.close();
    });
  });

  describe('reads racing a deletion', () => {
    it('every read gets its messages or OFFSET_TRIMMED naming a start above it, never anything else', async () => {
      const dir = dirs.make();
      const log = await open(dir);
      const expected = await fill(log, 400);
      let deleting = true;
      let served = 0;
      let trimmed = 0;
      const reader = async (seed: number): Promise<void> => {
        for (let i = 0; deleting; i++) {
          const offset = (seed * 7919 + i * 104_729) % expected.length;
          try {
            if (i % 2 === 0) {
              expect((await log.read(offset)).message.toString()).toBe(expected[offset]);
            } else {
              // Whole batches from the one holding `offset`, each checked, never a half one.
              const batches = decodeBatches(await log.readFrom(offset, 2048));
              const first = batches[0].header.baseOffset;
              expect(first).toBeLessThanOrEqual(offset);
              batches
                .flatMap((b) => b.messages)
                .forEach((m, j) => expect(m.toString()).toBe(expected[first + j]));
            }
            served++;
          } catch (error) {
            const refused = error as { code?: string; details?: { logStartOffset?: number } };
            expect(refused.code).toBe('OFFSET_TRIMMED');
            expect(refused.details?.logStartOffset).toBeGreaterThan(offset);
            trimmed++;
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const readers = [1, 2, 3, 4].map(reader);
      // Move the start a few messages at a time across every segment, deletions overlapping reads.
      for (let start = 10; start < expected.length; start += 10) await log.advanceStartTo(start);
      deleting = false;
      await Promise.all(readers);
      expect(served).toBeGreaterThan(0);
      expect(trimmed).toBeGreaterThan(0);
      await log.close();
    });
  });

  describe('a crash in the middle of a deletion', () => {
    it.each([
      ['after the start was written, before any file went', 0],
      ['after some .log files went, their indexes left behind', 2],
    ])('%s: reopen finishes the deletion', async (_name, logsGone) => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = await fill(log, 300);
      await log.close();
      const bases = files(dir, '.log').map(baseOf);
      const start = bases[4];
      // What advanceStartTo leaves when the process dies between its steps.
      await LogStartFile.load(dir).file.persist(start);
      for (const base of bases.slice(0, logsGone)) {
        fs.rmSync(path.join(dir, segmentFileName(base, LOG_SUFFIX)));
      }
      log = await open(dir);
      expect(log.logStartOffset).toBe(start);
      expect(files(dir, '.log').map(baseOf)).toEqual(bases.slice(4));
      expect(files(dir, '.index').map((f) => Number(path.basename(f, INDEX_SUFFIX)))).toEqual(
        bases.slice(4),
      );
      for (let i = start; i < 300; i++)
        expect((await log.read(i)).message.toString()).toBe(expected[i]);
      await expectCode(log.read(start - 1), 'OFFSET_TRIMMED');
      await log.close();
    });

    it('after the start was written, before the epochs were pruned: reopen prunes them', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      const expected = [...(await fill(log, 150, 1)), ...(await fillFrom(log, 150, 300, 3))];
      await log.close();
      const start = files(dir, '.log')
        .map(baseOf)
        .find((b) => b > 160)!;
      await LogStartFile.load(dir).file.persist(start);
      for (const round of [1, 2]) {
        log = await open(dir);
        expect([round, log.logStartOffset]).toEqual([round, start]);
        expect(log.endOffsetForEpoch(1)).toEqual({ epoch: -1, endOffset: -1 });
        expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 300 });
        expect((await log.read(start)).message.toString()).toBe(expected[start]);
        await log.close();
      }
    });

    it('a re-base cut short (start past every segment) reopens empty at the start', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 50);
      await log.close();
      await LogStartFile.load(dir).file.persist(500);
      log = await open(dir);
      expect(log.logStartOffset).toBe(500);
      expect(log.logEndOffset).toBe(500);
      expect(log.latestEpoch).toBe(-1);
      expect(files(dir, '.log')).toEqual([segmentFileName(500, LOG_SUFFIX)]);
      await log.close();
    });

    it('an unreadable start file is reported and the segments say where the log starts', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 300);
      const start = files(dir, '.log').map(baseOf)[2];
      await log.advanceStartTo(start);
      await log.close();
      fs.writeFileSync(path.join(dir, LOG_START_FILE), 'garbage');
      const warn = jest.fn();
      log = await open(dir, { logger: { log: () => undefined, warn } });
      expect(warn.mock.calls.join('\n')).toMatch(/unreadable/);
      expect(log.logStartOffset).toBe(start);
      await log.close();
    });
  });

  describe('rebaseAt and truncateTo below the start', () => {
    it('rebaseAt empties the log and restarts it at the offset, durably', async () => {
      const dir = dirs.make();
      let log = await open(dir);
      await fill(log, 50);
      await log.rebaseAt(1000);
      expect(log.logStartOffset).toBe(1000);
      expect(log.logEndOffset).toBe(1000);
      expect(log.latestEpoch).toBe(-1);
      await expectCode(log.read(10), 'OFFSET_TRIMMED');
      await expectCode(log.read(1000), 'OFFSET_OUT_OF_RANGE');
      expect((await log.append([msg('x')], 4)).baseOffset).toBe(1000);
      await log.close();
      log = await open(dir);
      expect(log.logStartOffset).toBe(1000);
      expect((await log.read(1000)).message.toString()).toBe('message-x');
      expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 1001 });
      await log.close();
    });

    it('truncateTo at or below the start empties the log, still starting there', async () => {
      const dir = dirs.make();
      const log = await open(dir);
      await fill(log, 300);
      const start = files(dir, '.log').map(baseOf)[2];
      await log.advanceStartTo(start);
      await log.truncateTo(3);
      expect(log.logStartOffset).toBe(start);
      expect(log.logEndOffset).toBe(start);
      expect(files(dir, '.log')).toEqual([segmentFileName(start, LOG_SUFFIX)]);
      await log.close();
    });
  });
});

/** Appends messages `from`..`to`-1 one per batch in `epoch`. */
async function fillFrom(
  log: Awaited<ReturnType<typeof open>>,
  from: number,
  to: number,
  epoch: number,
): Promise<string[]> {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    await log.append([Buffer.from(`m${i}`)], epoch);
    out.push(`m${i}`);
  }
  return out;
}
