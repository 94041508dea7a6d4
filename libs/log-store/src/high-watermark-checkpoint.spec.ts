import { setTimeout as sleep } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as atomicFile from './atomic-file';
import { LogStoreError } from './errors';
import { HIGH_WATERMARK_FILE, HighWatermarkCheckpoint } from './high-watermark-checkpoint';
import {
  HIGH_WATERMARK_SLOT_BYTES,
  HighWatermarkFile,
  encodeHighWatermarkSlot,
  parseHighWatermarkFile,
} from './high-watermark-file';
import { tempDirs } from './test-support/temp-dir';

function quiet() {
  const logger = { log: jest.fn(), warn: jest.fn() };
  return { logger, warnings: () => logger.warn.mock.calls.map((call) => String(call[0])) };
}

describe('HighWatermarkCheckpoint', () => {
  const dirs = tempDirs();
  afterEach(() => {
    jest.restoreAllMocks();
    dirs.cleanup();
  });

  const fileIn = (dir: string) => path.join(dir, HIGH_WATERMARK_FILE);
  const onDisk = (dir: string) => parseHighWatermarkFile(fs.readFileSync(fileIn(dir)))?.value;
  const slotsOf = (dir: string) => {
    const bytes = fs.readFileSync(fileIn(dir));
    return [0, 1].map(
      (slot) =>
        parseHighWatermarkFile(
          Buffer.concat([
            bytes.subarray(
              slot * HIGH_WATERMARK_SLOT_BYTES,
              (slot + 1) * HIGH_WATERMARK_SLOT_BYTES,
            ),
            bytes.subarray(
              slot * HIGH_WATERMARK_SLOT_BYTES,
              (slot + 1) * HIGH_WATERMARK_SLOT_BYTES,
            ),
          ]),
        )?.value ?? null,
    );
  };
  const waitForFile = async (dir: string) => {
    for (let waited = 0; waited < 2_000 && !fs.existsSync(fileIn(dir)); waited += 10) {
      await sleep(10);
    }
  };

  describe('load', () => {
    it('a missing file is 0 and creates nothing', () => {
      const dir = dirs.make();
      expect(HighWatermarkCheckpoint.load(dir, quiet().logger).value).toBe(0);
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    it.each([
      ['random bytes', 'xyz'],
      ['an empty file', ''],
      ['an unknown version', '2\n5\n'],
      ['a negative value', '0\n-5\n'],
      ['a fraction', '0\n1.5\n'],
      ['a value past 2^53', '0\n99999999999999999999\n'],
      ['trailing junk', '0\n5\n6\n'],
      ['version 1 with neither slot valid', Buffer.alloc(2 * HIGH_WATERMARK_SLOT_BYTES, 'x')],
      [
        'version 1 with both checksums wrong',
        Buffer.concat([
          encodeHighWatermarkSlot(5).fill('0', 4, 12),
          encodeHighWatermarkSlot(6).fill('0', 4, 12),
        ]),
      ],
    ])('%s is CORRUPT, naming the file and what to do', (_case, text) => {
      const dir = dirs.make();
      fs.writeFileSync(path.join(dir, HIGH_WATERMARK_FILE), text);
      let error: unknown;
      try {
        HighWatermarkCheckpoint.load(dir, quiet().logger);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LogStoreError);
      expect((error as LogStoreError).code).toBe('CORRUPT');
      expect((error as LogStoreError).message).toContain(HIGH_WATERMARK_FILE);
      expect((error as LogStoreError).message).toMatch(/Delete the file to start anyway/);
    });
  });

  it('writes lazily, keeps the highest value, and reads it back after close', async () => {
    const dir = dirs.make();
    const checkpoint = HighWatermarkCheckpoint.load(dir, quiet().logger, 30);
    checkpoint.record(10);
    checkpoint.record(7); // lower: ignored
    expect(checkpoint.value).toBe(10);
    expect(fs.existsSync(fileIn(dir))).toBe(false); // not yet
    await waitForFile(dir);
    expect(onDisk(dir)).toBe(10);
    checkpoint.record(12);
    await checkpoint.close();
    expect(onDisk(dir)).toBe(12);
    checkpoint.record(99); // after close: ignored
    expect(HighWatermarkCheckpoint.load(dir, quiet().logger).value).toBe(12);
    expect(fs.readdirSync(dir)).toEqual([HIGH_WATERMARK_FILE]);
  });

  it('coalesces: a burst of updates costs about one write per interval', async () => {
    const writes = jest.spyOn(HighWatermarkFile.prototype, 'write');
    const dir = dirs.make();
    const checkpoint = HighWatermarkCheckpoint.load(dir, quiet().logger, 100);
    const started = Date.now();
    let hw = 0;
    while (Date.now() - started < 350) {
      checkpoint.record(++hw);
      await sleep(1);
    }
    await checkpoint.close();
    // ~350 ms at 100 ms per write (+ the final one at close); a write per update would be hundreds.
    expect(writes.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(writes.mock.calls.length).toBeLessThanOrEqual(5);
    expect(onDisk(dir)).toBe(hw);
  });

  it('a failed write is logged once and retried until it succeeds', async () => {
    const dir = dirs.make();
    const { logger, warnings } = quiet();
    const checkpoint = HighWatermarkCheckpoint.load(dir, logger, 10);
    fs.mkdirSync(path.join(dir, HIGH_WATERMARK_FILE + '.tmp')); // the temp name is taken
    checkpoint.record(5);
    await sleep(100);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/could not write .*high-watermark-checkpoint \(will retry\)/);
    fs.rmdirSync(path.join(dir, HIGH_WATERMARK_FILE + '.tmp'));
    await waitForFile(dir);
    expect(onDisk(dir)).toBe(5);
    await checkpoint.close();
  });

  describe('in place', () => {
    it('creates the file whole once, then rewrites the slot not holding the newest value', async () => {
      const atomic = jest.spyOn(atomicFile, 'writeFileAtomic');
      const dir = dirs.make();
      const file = new HighWatermarkFile(fileIn(dir), null);
      await file.write(3);
      expect(slotsOf(dir)).toEqual([3, 3]);
      const inode = fs.statSync(fileIn(dir)).ino;
      await file.write(4);
      expect(slotsOf(dir)).toEqual([3, 4]);
      await file.write(5);
      expect(slotsOf(dir)).toEqual([5, 4]);
      await file.write(6);
      expect(slotsOf(dir)).toEqual([5, 6]);
      await file.close();
      expect(atomic).toHaveBeenCalledTimes(1);
      expect(fs.statSync(fileIn(dir)).ino).toBe(inode); // no rename, so no directory change
      expect(fs.statSync(fileIn(dir)).size).toBe(2 * HIGH_WATERMARK_SLOT_BYTES);
      expect(fs.readdirSync(dir)).toEqual([HIGH_WATERMARK_FILE]);
    });

    it('a slot torn by a crash leaves the other: the previous value, a lower bound', async () => {
      const dir = dirs.make();
      const file = new HighWatermarkFile(fileIn(dir), null);
      await file.write(40);
      await file.write(41); // slot 1
      await file.close();
      const fd = fs.openSync(fileIn(dir), 'r+');
      fs.writeSync(fd, Buffer.from('1 42 '), 0, 5, HIGH_WATERMARK_SLOT_BYTES); // half of 42 over 41
      fs.closeSync(fd);
      const checkpoint = HighWatermarkCheckpoint.load(dir, quiet().logger, 10);
      expect(checkpoint.value).toBe(40);
      // The next write goes to the torn slot, so the valid one survives a second crash too.
      checkpoint.record(43);
      await checkpoint.close();
      expect(slotsOf(dir)).toEqual([40, 43]);
      expect(HighWatermarkCheckpoint.load(dir, quiet().logger).value).toBe(43);
    });

    it('reads a version-0 file and replaces it with version 1 at the first write', async () => {
      const dir = dirs.make();
      fs.writeFileSync(fileIn(dir), '0\n17\n');
      const checkpoint = HighWatermarkCheckpoint.load(dir, quiet().logger, 10);
      expect(checkpoint.value).toBe(17);
      checkpoint.record(18);
      await checkpoint.close();
      expect(fs.statSync(fileIn(dir)).size).toBe(2 * HIGH_WATERMARK_SLOT_BYTES);
      expect(slotsOf(dir)).toEqual([18, 18]);
    });

    it('a failed rewrite is logged and retried, and the newest slot is never the one written', async () => {
      const dir = dirs.make();
      const { logger, warnings } = quiet();
      const checkpoint = HighWatermarkCheckpoint.load(dir, logger, 10);
      checkpoint.record(1);
      await waitForFile(dir);
      await sleep(30);
      const open = jest
        .spyOn(fs.promises, 'open')
        .mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
      checkpoint.record(2);
      for (let waited = 0; waited < 2_000 && onDisk(dir) !== 2; waited += 10) await sleep(10);
      expect(open).toHaveBeenCalledTimes(2);
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatch(
        /could not write .*high-watermark-checkpoint \(will retry\): EIO/,
      );
      expect(slotsOf(dir)).toEqual([1, 2]);
      await checkpoint.close();
    });
  });
});
